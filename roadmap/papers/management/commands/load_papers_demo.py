"""Demo data of the decision papers (see roadmap.papers.demo). Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from izd.numbers import int_argument
from roadmap.papers.demo import TEMPLATE_NAME, cycle_demo_finish, papers_demo_load

__all__ = ["TEMPLATE_NAME", "Command"]


class Command(BaseCommand):
    help = (
        "Lädt eine Muster-Beschlussvorlage und erzeugt Vorlagen (mit Sitzungsterminen) für die "
        "Mitglieder jedes Jahres; mit --finish JAHR wird dieses Jahr abgeschlossen: PDFs, "
        "Beschlüsse, Festschreibung."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int_argument, help="Nur dieses Haushaltsjahr")
        parser.add_argument("--finish", type=int_argument, help="Dieses Jahr abschließen")

    def handle(self, *args: Any, **options: Any) -> None:
        years = (options["year"],) if options.get("year") else None
        self.stdout.write(papers_demo_load(years))
        if options.get("finish"):
            self.stdout.write(cycle_demo_finish(options["finish"]))
