from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tenants.demo import DEMO_SETS, demo_data_load, demo_data_present


class Command(BaseCommand):
    help = "Die Demodaten laden: Main-Kinzig-Kreis, 29 Kommunen, ein Konto je Rolle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-absent", action="store_true", help="Nur, wenn noch keine da sind."
        )
        parser.add_argument("--demo", choices=sorted(DEMO_SETS), default="mkk")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_absent"] and demo_data_present():
            self.stdout.write("Demodaten sind schon vorhanden.")
            return
        demo_data_load(options["demo"])
        self.stdout.write(self.style.SUCCESS("Demodaten geladen."))
