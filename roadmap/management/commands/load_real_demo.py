from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from roadmap.real_demos import REAL_DEMOS


class Command(BaseCommand):
    help = "Eine der realen Demos laden (kkd: Drucksache VL-100/2023, egov6: eGov6); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", choices=sorted(REAL_DEMOS), required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(REAL_DEMOS[options["demo"]]())
