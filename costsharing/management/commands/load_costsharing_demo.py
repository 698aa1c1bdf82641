from typing import Any

from django.core.management.base import BaseCommand

from costsharing.demo import costsharing_demo_load


class Command(BaseCommand):
    help = "Demodaten der Kostenverteilung laden: Haushalt, Schlüssel und Module 2026 (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(self.style.SUCCESS(costsharing_demo_load()))
