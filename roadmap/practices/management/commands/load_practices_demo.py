from typing import Any

from django.core.management.base import BaseCommand

from roadmap.practices.demo import practices_demo_load


class Command(BaseCommand):
    help = (
        "Demodaten der Praxisbörse („Einer für alle“) laden: Praxisbeispiele der Demo-Kommunen, "
        "Nachnutzungen und Austauschtermine (setzt `load_demo_data` voraus; ein zweiter Aufruf "
        "legt nichts doppelt an)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(practices_demo_load())
