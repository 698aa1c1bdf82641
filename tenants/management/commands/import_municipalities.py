from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.services import municipality_import


class Command(BaseCommand):
    help = "Kommunen aus einer CSV-Datei (AGS, Name, Einwohner, Stichtag) anlegen oder ändern."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden: {path}")
        report = municipality_import(raw=path.read_bytes())
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"Zeile {error.line}: {error.message}")
            if report.partly:
                raise CommandError(
                    f"{len(report.created)} angelegt, {len(report.updated)} aktualisiert; "
                    f"{len(report.errors)} Kommunen nicht angelegt (siehe oben)."
                )
            raise CommandError("Die Datei enthält Fehler; es wurde nichts importiert.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.created)} angelegt, {len(report.updated)} aktualisiert."
            )
        )
