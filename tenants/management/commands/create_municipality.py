from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from izd.errors import validation_message
from izd.numbers import date_argument, int_argument
from tenants.services import MunicipalityData, municipality_create


class Command(BaseCommand):
    help = "Eine Kommune anlegen (Datensatz, Schema aus der Vorlage, Subdomain)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--ags", required=True, help="8 Ziffern")
        parser.add_argument("--population", type=int_argument, required=True)
        parser.add_argument("--population-date", type=date_argument, required=True)
        parser.add_argument("--slug", default="")
        parser.add_argument("--leitweg-id", default="")
        parser.add_argument("--street", default="")
        parser.add_argument("--postal-code", default="")
        parser.add_argument("--city", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = municipality_create(data=MunicipalityData.from_values(options))
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"{municipality.name} angelegt ({municipality.schema_name}).")
        )
