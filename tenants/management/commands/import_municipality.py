from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.archive import ArchiveError, municipality_import


class Command(BaseCommand):
    help = (
        "Eine Kommune aus ihrem Archiv wiederherstellen: nach dem Austritt in dasselbe Portal "
        "oder in ein neues, dessen Kreis eingerichtet ist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="Pfad zum Archiv (.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = municipality_import(path=options["archive"])
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{municipality.name} (AGS {municipality.ags}) wurde wiederhergestellt, "
            f"Schema {municipality.schema_name}."
        )
