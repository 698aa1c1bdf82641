"""Creating, generating and editing the papers themselves."""

from __future__ import annotations

from datetime import date
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction

from izd.audit import recording as audit
from izd.errors import validation_message
from roadmap.papers import selectors
from roadmap.papers.models import Paper, PaperTemplate
from roadmap.papers.services.common import (
    _PAPER_FIELDS,
    PaperError,
    _ensure_editable,
    _record_paper,
    _validate_texts,
)
from roadmap.papers.services.consultations import (
    CommitteeSpec,
    _consultations_apply,
    _specs_text,
    _touch_paper,
    check_committees,
)
from roadmap.papers.services.numbering import reference_next
from tenants.models import Municipality


@transaction.atomic
def paper_create(
    *,
    template: PaperTemplate,
    municipality: Municipality,
    year: int,
    paper_date: date,
    committees: list[CommitteeSpec],
    is_public: bool = True,
    office: str = "",
    file_reference: str = "",
    reference: str = "",
) -> Paper:
    if municipality.is_kreis:
        raise PaperError("Beschlussvorlagen gibt es nur für Kommunen, nicht für den Kreis.")
    if Paper.objects.filter(municipality=municipality, year=year).exists():
        raise PaperError(f"Für {municipality.name} gibt es für {year} schon eine Vorlage.")
    check_committees(committees, need_dates=False)
    paper = Paper(
        template=template,
        municipality=municipality,
        year=year,
        reference=reference or reference_next(municipality, paper_date.year),
        date=paper_date,
        is_public=is_public,
        office=office or template.office,
        file_reference=file_reference or template.file_reference,
    )
    try:
        paper.full_clean()
    except ValidationError as error:
        raise PaperError(validation_message(error)) from None
    paper.save()
    _consultations_apply(paper, committees)
    _record_paper(
        "paper_create",
        paper,
        "Beschlussvorlage angelegt",
        [
            *audit.diff({}, audit.snapshot(paper, *_PAPER_FIELDS), model=Paper),
            *audit.diff({}, {"c": _specs_text(committees)}, labels={"c": "Beratungsfolge"}),
        ],
    )
    return paper


class PaperOptions(TypedDict, total=False):
    """What `papers_generate` passes on to every `paper_create` (its defaults where left out)."""

    is_public: bool
    office: str
    file_reference: str


@transaction.atomic
def papers_generate(
    *,
    template: PaperTemplate,
    year: int,
    paper_date: date,
    committees: list[CommitteeSpec],
    **options: Unpack[PaperOptions],
) -> list[Paper]:
    """A paper for every member of the year that has none yet; existing ones stay."""
    check_committees(committees, need_dates=False)
    members = selectors.year_members(year)
    if not members:
        raise PaperError(f"Für {year} sind keine Mitglieder des Zentrums erfasst.")
    existing = set(Paper.objects.filter(year=year).values_list("municipality_id", flat=True))
    return [
        paper_create(
            template=template,
            municipality=municipality,
            year=year,
            paper_date=paper_date,
            committees=committees,
            **options,
        )
        for municipality in members
        if municipality.pk not in existing
    ]


@transaction.atomic
def paper_save(paper: Paper) -> Paper:
    stored = Paper.objects.select_for_update().get(pk=paper.pk)
    _ensure_editable(stored)
    before = audit.snapshot(stored, *_PAPER_FIELDS)
    _validate_texts(
        subject_override=paper.subject_override,
        facts_override=paper.facts_override,
        resolution_override=paper.resolution_override,
    )
    paper.full_clean()
    paper.save()
    _touch_paper(paper)
    _record_paper(
        "paper_save",
        paper,
        "Beschlussvorlage geändert",
        audit.diff(before, audit.snapshot(paper, *_PAPER_FIELDS), model=Paper),
    )
    return paper
