from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.catalogue import municipality_schemas, schema_drift


class Command(BaseCommand):
    help = (
        "Prüft, ob das Schema jeder Kommune der Vorlage gleicht: Tabellen, Spalten mit Typ und "
        "Vorgabewert, Constraints, Indexe, Sequenzen und die Einträge in django_migrations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schema",
            action="append",
            dest="schemas",
            help="Nur dieses Schema prüfen (mehrfach möglich); ohne: alle Kommunen.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schemas = options["schemas"] or municipality_schemas()
        differences = schema_drift(schemas)
        for difference in differences:
            self.stderr.write(str(difference))
        if differences:
            affected = len({d.schema for d in differences})
            raise CommandError(
                f"{len(differences)} Abweichung(en) von der Vorlage in {affected} Schema(s)."
            )
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{len(schemas)} Schema(s) geprüft: alle gleichen der Vorlage.", self.style.SUCCESS
            )
