from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from izd.errors import REFUSALS, as_refusal
from maturity.loader import DEFAULT_MODEL_FILE, read_model_file
from maturity.services import model_version_load


class Command(BaseCommand):
    help = (
        "Ein Reifegradmodell (YAML) laden. Gleicher Schlüssel und gleiche Version: keine "
        "Änderung; eine neue Version legt neue Zeilen an, alte Erhebungen bleiben unberührt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_MODEL_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            definition = read_model_file(path)
            version, created = model_version_load(definition=definition)
        except REFUSALS as error:
            raise CommandError(as_refusal(error).message) from error
        if created:
            questions = sum(len(d.questions) for d in definition.dimensions)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Modell „{version.title}“ Version {version.version} geladen: "
                    f"{len(definition.dimensions)} Handlungsfelder, {questions} Fragen."
                )
            )
        else:
            self.stdout.write(f"Version {version.version} von „{version.key}“ ist schon geladen.")
