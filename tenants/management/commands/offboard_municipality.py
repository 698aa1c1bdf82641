from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.archive import ArchiveError, municipality_offboard
from tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "Eine Kommune austreten lassen: Archiv schreiben und behalten, Schema löschen; "
        "festgeschriebene Anteile und Beschlussvorlagen bleiben beim Kreis."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Subdomain der Kommune")
        parser.add_argument(
            "--confirm", required=True, help="zur Bestätigung der Name der Kommune, genau"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.members().filter(slug=options["slug"]).first()
        if municipality is None:
            raise CommandError(f"Keine aktive Kommune mit der Subdomain „{options['slug']}“.")
        if options["confirm"] != municipality.name:
            raise CommandError(
                f"Zur Bestätigung bitte den Namen genau angeben: --confirm „{municipality.name}“."
            )
        try:
            path = municipality_offboard(municipality=municipality)
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{municipality.name} ist ausgetreten. Archiv: {path}")
