from typing import Any

from django.core.management.base import BaseCommand

from roadmap.demo import roadmap_demo_load


class Command(BaseCommand):
    help = (
        "Demodaten zu Leistungen und Roadmap laden: Leistungskatalog, Anfragen der Demo-Kommunen, "
        "Maßnahmen 2026–2028 und Zielbild (setzt `load_demo_data` voraus; ein zweiter Aufruf "
        "legt nichts doppelt an)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(roadmap_demo_load())
