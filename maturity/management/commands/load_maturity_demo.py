from typing import Any

from django.core.management.base import BaseCommand

from maturity.demo import maturity_demo_load


class Command(BaseCommand):
    help = (
        "Demodaten zum Reifegrad laden: Modell, Erhebungen 2025 und 2026 mit Antworten "
        "(setzt `load_demo_data` voraus; ein zweiter Aufruf ändert nichts)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(maturity_demo_load())
