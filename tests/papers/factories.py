"""Test data of the decision papers: templates, figures, papers, rendered documents."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from pypdf import PdfReader

from costsharing.models import BudgetYear
from izd.models import Document
from izd.pdf import RenderSpec
from roadmap.papers import services
from roadmap.papers.builders import build_paper
from roadmap.papers.models import Consultation, Paper, PaperTemplate
from roadmap.papers.services import CommitteeSpec
from tenants.models import Municipality, User
from tenants.services import MunicipalityData, municipality_create
from tests.costsharing.factories import budget_year, join

D = Decimal
PRE = Consultation.Role.PRELIMINARY
DECIDING = Consultation.Role.DECIDING

# The membership of the worker tests' towns (tests/papers/conftest.py: worker_towns).
JOINED, LEFT = date(2001, 1, 1), date(2003, 12, 31)

SEED_FACTS = (
    "Die Städte und Gemeinden arbeiten im Interkommunalen Zentrum für IT und Digitalisierung "
    "des [[kreis]] zusammen. [[kommune]] ist dem Zentrum zum 1. Juli [[vorjahr]] beigetreten.\n\n"
    "Für [[jahr]] ergibt sich ein Betrag von [[anteil_jahr]]: eine Nachbelastung für "
    "[[vorjahr]] von [[nachbelastung_vorjahr]] (periodenfremd) und der laufende Anteil von "
    "[[anteil_laufend]]. Ab [[folgejahr]] beträgt der Anteil jährlich [[anteil_folgejahre]]. "
    "Die Mittel sind unter [[haushaltsstelle]] veranschlagt."
)
SEED_RESOLUTION = (
    "Die [[kommune]] setzt die interkommunale Zusammenarbeit im Bereich Digitalisierung fort.\n"
    "Der Kostenbeteiligung von [[anteil_jahr]] im Jahr [[jahr]] und von jährlich "
    "[[anteil_folgejahre]] ab [[folgejahr]] wird zugestimmt.\n"
    "Der Magistrat wird beauftragt, die Vereinbarung zu unterzeichnen."
)
SEED_COMMITTEES = [
    CommitteeSpec("Magistrat", PRE, date(2023, 11, 20)),
    CommitteeSpec("Haupt- und Finanzausschuss", PRE, date(2023, 11, 28)),
    CommitteeSpec("Stadtverordnetenversammlung", DECIDING, date(2023, 12, 7)),
]


def paper_template(name: str = "IKZ Digitalisierung", **texts: str) -> PaperTemplate:
    template = PaperTemplate(
        name=name,
        subject=texts.get("subject", "Interkommunale Zusammenarbeit im Bereich Digitalisierung"),
        facts=texts.get("facts", SEED_FACTS),
        resolution=texts.get("resolution", SEED_RESOLUTION),
        attachments=texts.get("attachments", "Öffentlich-rechtliche Vereinbarung"),
        office=texts.get("office", "Hauptamt"),
        file_reference=texts.get("file_reference", "10-022.31"),
    )
    return services.template_save(template)


def committees(year: int) -> list[CommitteeSpec]:
    return [
        CommitteeSpec("Gemeindevorstand", PRE, date(year - 1, 11, 20)),
        CommitteeSpec("Haupt- und Finanzausschuss", PRE, date(year - 1, 11, 28)),
        CommitteeSpec("Gemeindevertretung", DECIDING, date(year - 1, 12, 7)),
    ]


def simple_year(
    year: int,
    towns: tuple[Municipality, ...],
    *,
    net: str = "30000.00",
    joined: date | None = None,
    left: date | None = None,
) -> BudgetYear:
    """A year whose net cost is split equally (100 % Sockelbetrag) among `towns`."""
    created = budget_year(year, staff=(("Leitung", "1.00", net),), key=(100, 0, 0, 0))
    for town in towns:
        join(town, joined or date(year, 1, 1), left, budget_line=f"HH-{town.ags}")
    return created


def paper_for(
    municipality: Municipality, year: int, template: PaperTemplate, **fields: object
) -> Paper:
    paper = services.paper_create(
        template=template,
        municipality=municipality,
        year=year,
        paper_date=date(year - 1, 11, 1),
        committees=committees(year),
        reference=str(fields.pop("reference", "")),
    )
    for name, value in fields.items():
        setattr(paper, name, value)
    if fields:
        services.paper_save(paper)
    return paper


def paper_without_figures(municipality: Municipality, year: int, template: PaperTemplate) -> Paper:
    """A paper for a year without figures, stored beside the service (which checks the figures
    first), with a deciding committee."""
    paper = Paper.objects.create(
        template=template,
        municipality=municipality,
        year=year,
        reference=f"VL-1/{year - 1}",
        date=date(year - 1, 11, 1),
    )
    paper.consultations.create(
        committee=services.committee_for(municipality, "GV"),
        role=DECIDING,
        meeting_date=date(year - 1, 12, 1),
    )
    return paper


def finished_document(paper: Paper, content: bytes = b"%PDF-1.7 test") -> Document:
    """A rendered document for the paper without a worker (for OParl and download tests)."""
    document = Document(
        kind=services.KIND,
        schema_name=paper.municipality.schema_name,
        params={"paper_id": paper.pk},
        title=services.paper_title(paper),
        filename=services.paper_filename(paper),
        status=Document.Status.DONE,
        progress=100,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        sha512=hashlib.sha512(content).hexdigest(),
    )
    document.file.save(document.filename, ContentFile(content), save=False)
    document.save()
    Document.objects.filter(pk=document.pk).update(finished_at=document.created_at)
    document.refresh_from_db()
    Paper.objects.filter(pk=paper.pk).update(document=document)
    paper.refresh_from_db()
    return document


def decide(paper: Paper, result: str, decided_on: date, user: User, note: str = "") -> Paper:
    """The council's decision on the paper, recorded through the service with all its checks."""
    return services.decision_record(
        paper=paper, decided_on=decided_on, result=result, note=note, user=user
    )


@contextmanager
def worker_world(
    towns: tuple[Municipality, ...], years: dict[int, str], template_name: str, **texts: str
) -> Iterator[tuple[PaperTemplate, list[Paper]]]:
    """Committed figures (each year's net cost split equally) and one paper per town for the
    first year; removed again afterwards so no other test sees them."""
    first = min(years)
    try:
        for town in towns:
            join(town, JOINED, LEFT, budget_line=f"HH-{town.ags}-1")
        for year, net in years.items():
            budget_year(year, staff=(("Leitung", "1.00", net),), key=(100, 0, 0, 0))
        template = paper_template(template_name, **texts)
        papers = [
            services.paper_create(
                template=template,
                municipality=town,
                year=first,
                paper_date=date(first - 1, 11, 1),
                committees=committees(first),
            )
            for town in towns
        ]
        yield template, papers
    finally:
        Paper.objects.filter(template__name=template_name).delete()
        PaperTemplate.objects.filter(name=template_name).delete()
        BudgetYear.objects.filter(year__in=list(years)).delete()


def paper_spec(paper: Paper) -> RenderSpec:
    """What the worker builds for the paper's document (the document unsaved: nothing queued)."""
    document = Document(
        kind=services.KIND,
        schema_name=paper.municipality.schema_name,
        params={"paper_id": paper.pk},
        title="x",
        filename="x.pdf",
    )
    return build_paper(document)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def worker_town(name: str, ags: str) -> Municipality:
    """Municipalities only the papers' worker tests use (created once per session)."""
    existing = Municipality.objects.filter(ags=ags).first()
    return existing or municipality_create(
        data=MunicipalityData(
            name=name,
            ags=ags,
            population=8_000,
            population_date=date(2024, 12, 31),
            street="Am Markt 2",
            postal_code="63601",
            city=name,
        )
    )
