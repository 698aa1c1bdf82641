"""Demo data of the decision papers: a template modelled on the seed paper VL-100/2023 and,
where cost sharing has members for a year, one paper per member. Idempotent."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from costsharing.models import BudgetYear
from izd.numbers import int_argument
from roadmap.papers import selectors, services
from roadmap.papers.models import PaperTemplate

TEMPLATE_NAME = "Interkommunale Zusammenarbeit Digitalisierung (Muster)"
SUBJECT = "Interkommunale Zusammenarbeit im Bereich Digitalisierung"
FACTS = (
    "Die Städte und Gemeinden im [[kreis]] arbeiten im Interkommunalen Zentrum für IT und "
    "Digitalisierung zusammen. Das Zentrum stellt gemeinsame Leistungen bereit, etwa zur "
    "Umsetzung des Onlinezugangsgesetzes, zur Informationssicherheit und zu Geodaten.\n\n"
    "Die Kosten des Zentrums werden nach einem transparenten Schlüssel auf die Mitglieder "
    "verteilt. Für [[kommune]] ergibt sich im Haushaltsjahr [[jahr]] ein Betrag von "
    "[[anteil_jahr]]; darin enthalten ist eine Nachbelastung für frühere Jahre "
    "(periodenfremd) von [[nachbelastung_vorjahr]] sowie der laufende Anteil von "
    "[[anteil_laufend]]. Die Nettokosten des Zentrums betragen [[nettokosten]] und werden "
    "von [[mitglieder]] Kommunen getragen (Anlage Kostenbeteiligung).\n\n"
    "Die Mittel sind unter der Haushaltsstelle [[haushaltsstelle]] zu veranschlagen."
)
RESOLUTION = (
    "Die [[kommune]] beteiligt sich weiterhin am Interkommunalen Zentrum für IT und "
    "Digitalisierung.\n"
    "Der Kostenbeteiligung von [[anteil_jahr]] im Haushaltsjahr [[jahr]] wird zugestimmt.\n"
    "Der Gemeindevorstand bzw. Magistrat wird beauftragt, die Vereinbarung zu unterzeichnen."
)
ATTACHMENTS = "Öffentlich-rechtliche Vereinbarung über die interkommunale Zusammenarbeit"


class Command(BaseCommand):
    help = "Lädt eine Muster-Beschlussvorlage und erzeugt Vorlagen für die Mitglieder eines Jahres."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int_argument, help="Haushaltsjahr (Standard: das neueste)"
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        template = PaperTemplate.objects.filter(name=TEMPLATE_NAME).first() or PaperTemplate(
            name=TEMPLATE_NAME
        )
        template.subject, template.facts = SUBJECT, FACTS
        template.resolution, template.attachments = RESOLUTION, ATTACHMENTS
        template.office, template.file_reference = "Hauptamt", "10-022.31"
        services.template_save(template)
        self.stdout.write(f"Vorlage „{TEMPLATE_NAME}“ bereit.")
        year = options.get("year")
        if year is None:
            latest = BudgetYear.objects.order_by("-year").first()
            year = latest.year if latest else None
        if year is None or not selectors.year_members(year):
            self.stdout.write("Keine Mitglieder mit Kostenbeteiligung: keine Vorlagen erzeugt.")
            return
        created = services.papers_generate(
            template=template,
            year=year,
            paper_date=date(year - 1, 11, 14),
            committees=list(services.DEFAULT_COMMITTEES),
        )
        self.stdout.write(f"{len(created)} Beschlussvorlagen für {year} erzeugt.")
