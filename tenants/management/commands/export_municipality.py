from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.archive import ArchiveError, municipality_export
from tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "Die Daten einer Kommune in ein Archiv schreiben (ihr Schema, ihre Zeilen im Kreis-Schema, "
        "Personen und Dateien)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Subdomain der Kommune, z. B. waechtersbach")
        parser.add_argument(
            "--output-dir", type=Path, default=None, help="Ordner (Standard: IZD_ARCHIVE_DIR)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.members().filter(slug=options["slug"]).first()
        if municipality is None:
            raise CommandError(f"Keine aktive Kommune mit der Subdomain „{options['slug']}“.")
        try:
            path = municipality_export(municipality=municipality, directory=options["output_dir"])
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Archiv von {municipality.name} geschrieben: {path}")
