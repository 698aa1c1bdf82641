"""Demo data of the decision papers, and the finished year of the default demo.

`papers_demo_load` keeps a template modelled on the seed paper VL-100/2023 and, for every demo
year with members, one paper per member with a full Beratungsfolge (meeting dates included),
so that "Alle PDFs erstellen" works at once. `cycle_demo_finish` tells the end of a year:
every paper of the year is rendered in this process (not through a worker, so that the quick
start does not wait for one), every council decides, and the centre treasurer freezes the
year. Both are idempotent: a second run finds everything done and changes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from costsharing import selectors as costsharing_selectors
from costsharing import services as costsharing_services
from izd.documents import document_render
from izd.models import Document
from roadmap.papers import selectors, services
from roadmap.papers.models import Consultation, Paper, PaperTemplate
from roadmap.papers.services import CommitteeSpec
from tenants.models import KreisRole, User

TEMPLATE_NAME = "Interkommunale Zusammenarbeit Digitalisierung (Muster)"
SUBJECT = "Interkommunale Zusammenarbeit im Bereich Digitalisierung"
FACTS = (
    "Die Städte und Gemeinden im [[kreis]] arbeiten im Interkommunalen Zentrum für IT und "
    "Digitalisierung zusammen. Das Zentrum stellt gemeinsame Leistungen bereit, etwa zur "
    "Umsetzung des Onlinezugangsgesetzes, zur Informationssicherheit und zu Geodaten.\n\n"
    "Die Kosten des Zentrums werden nach einem transparenten Schlüssel auf die Mitglieder "
    "verteilt. Für [[kommune]] ergibt sich im Haushaltsjahr [[jahr]] ein Betrag von "
    "[[anteil_jahr]]; [[anteil_zusammensetzung]]. Die Nettokosten des Zentrums betragen "
    "[[nettokosten]] und werden von [[mitglieder]] Kommunen getragen "
    "(Anlage Kostenbeteiligung).\n\n"
    "Die Mittel sind unter der Haushaltsstelle [[haushaltsstelle]] zu veranschlagen."
)
RESOLUTION = (
    # The demo names are bare ("Wächtersbach"): "Die [[kommune]]" would read "Die Wächtersbach".
    "[[kommune]] beteiligt sich weiterhin am Interkommunalen Zentrum für IT und "
    "Digitalisierung.\n"
    "Der Kostenbeteiligung von [[anteil_jahr]] im Haushaltsjahr [[jahr]] wird zugestimmt.\n"
    "Der Gemeindevorstand bzw. Magistrat wird beauftragt, die Vereinbarung zu unterzeichnen."
)
ATTACHMENTS = "Öffentlich-rechtliche Vereinbarung über die interkommunale Zusammenarbeit"
PRE, DECIDING = Consultation.Role.PRELIMINARY, Consultation.Role.DECIDING


def beratungsfolge(year: int) -> list[CommitteeSpec]:
    """The councils of the demo decide on the next year's share in the winter before it."""
    return [
        CommitteeSpec("Magistrat / Gemeindevorstand", PRE, date(year - 1, 11, 24)),
        CommitteeSpec("Haupt- und Finanzausschuss", PRE, date(year - 1, 12, 4)),
        CommitteeSpec("Stadtverordnetenversammlung / Gemeindevertretung", DECIDING,
                      date(year - 1, 12, 11)),
    ]  # fmt: skip


@dataclass(frozen=True)
class PaperSpec:
    """What a demo's papers look like; the kkd demo brings its own."""

    name: str = TEMPLATE_NAME
    subject: str = SUBJECT
    facts: str = FACTS
    resolution: str = RESOLUTION
    attachments: str = ATTACHMENTS
    office: str = "Hauptamt"
    file_reference: str = "10-022.31"


def template_ensure(spec: PaperSpec = PaperSpec()) -> PaperTemplate:
    template = PaperTemplate.objects.filter(name=spec.name).first() or PaperTemplate(name=spec.name)
    wanted = {
        "subject": spec.subject, "facts": spec.facts, "resolution": spec.resolution,
        "attachments": spec.attachments, "office": spec.office,
        "file_reference": spec.file_reference,
    }  # fmt: skip
    if template.pk and all(getattr(template, field) == value for field, value in wanted.items()):
        return template  # a restart of the demo: no save, so no empty "geändert" entry
    for field, value in wanted.items():
        setattr(template, field, value)
    return services.template_save(template)


@transaction.atomic
def papers_for_year(template: PaperTemplate, year: int) -> int:
    """One paper per member of the year, each with meeting dates; returns how many are new.

    Papers of an earlier demo database without meeting dates get them, as long as they can
    still be changed (year open, no decision)."""
    budget_year = costsharing_selectors.year_get(year)
    if budget_year is not None and not budget_year.is_draft:
        return 0
    if not selectors.year_members(year):
        return 0
    committees = beratungsfolge(year)
    created = services.papers_generate(
        template=template, year=year, paper_date=date(year - 1, 11, 14), committees=committees
    )
    undated = Paper.objects.filter(
        year=year, decided_on__isnull=True, consultations__meeting_date__isnull=True
    ).distinct()
    for paper in undated:
        services.consultations_replace(paper=paper, committees=committees)
    return len(created)


def papers_demo_load(years: tuple[int, ...] | None = None) -> str:
    template = template_ensure()
    if years is None:
        years = tuple(sorted(budget_year.year for budget_year in costsharing_selectors.years()))
    made = {year: papers_for_year(template, year) for year in years}
    if not any(selectors.year_members(year) for year in years):
        return f"Vorlage „{TEMPLATE_NAME}“ bereit; keine Mitglieder: keine Vorlagen erzeugt."
    counts = ", ".join(f"{year}: {count} neu" for year, count in made.items())
    return f"Vorlage „{TEMPLATE_NAME}“ bereit; Beschlussvorlagen mit Sitzungsterminen ({counts})."


def _person(role: str) -> User | None:
    return User.objects.filter(kreis_roles__role=role).order_by("pk").first()


def papers_render_now(papers: list[Paper], user: User | None) -> int:
    """Render the papers' PDFs in this process; returns how many were rendered.

    The request is committed first (as the web request would), then the same function a
    worker runs renders it; a worker that got the message too finds the job taken."""
    rendered = 0
    for paper in papers:
        with transaction.atomic():
            document = services.paper_render(paper=paper, user=user)
        document_render(document.pk)
        _wait_done(document.pk)
        rendered += 1
    return rendered


def _wait_done(document_id: int, timeout: float = 300) -> None:
    """A running worker may have claimed the job first; then wait for its result."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Document.objects.filter(pk=document_id).values_list("status", flat=True).first()
        if status in (Document.Status.DONE, Document.Status.FAILED, None):
            return
        time.sleep(0.5)


def _has_pdf(paper: Paper) -> bool:
    return Document.objects.filter(
        kind=services.KIND, params__paper_id=paper.pk, status=Document.Status.DONE
    ).exists()


def cycle_demo_finish(year: int) -> str:
    """Render, decide and freeze `year`: the finished year of the default demo."""
    budget_year = costsharing_selectors.year_get(year)
    if budget_year is None:
        return f"Kein Haushaltsjahr {year}: nichts abzuschließen."
    if not budget_year.is_draft:
        return f"{year} ist schon festgeschrieben."
    coordinator = _person(KreisRole.Role.COORDINATOR)
    treasurer = _person(KreisRole.Role.CENTRE_TREASURER)
    if coordinator is None or treasurer is None:
        return "Keine Demokonten für Koordination und Kämmerei: nichts abzuschließen."
    papers = list(selectors.papers_of_year(year))
    rendered = papers_render_now([p for p in papers if not _has_pdf(p)], coordinator)
    for paper in papers:
        if paper.decided_on is None:
            deciding = paper.consultations.filter(role=DECIDING).first()
            services.decision_record(
                paper=paper,
                decided_on=(deciding.meeting_date if deciding else None) or paper.date,
                result=Paper.Result.ACCEPTED,
                note="",
                user=coordinator,
            )
    costsharing_services.allocation_freeze(budget_year=budget_year, user=treasurer)
    return (
        f"{year} abgeschlossen: {rendered} PDFs erstellt, {len(papers)} Beschlüsse, "
        "Kostenverteilung festgeschrieben."
    )
