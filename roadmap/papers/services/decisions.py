"""Council decisions on a paper."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from izd.audit import recording as audit
from izd.models import Document
from roadmap.papers.models import Paper
from roadmap.papers.services.common import (
    _DECISION_FIELDS,
    KIND,
    PaperError,
    _ensure_year_open,
    _record_paper,
    format_date,
)
from roadmap.papers.services.consultations import _touch_paper
from tenants.models import User


def _has_pdf(paper: Paper) -> bool:
    return Document.objects.filter(
        kind=KIND, params__paper_id=paper.pk, status=Document.Status.DONE
    ).exists()


@transaction.atomic
def decision_record(*, paper: Paper, decided_on: date, result: str, note: str, user: User) -> Paper:
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    _ensure_year_open(paper.year)
    if not _has_pdf(paper):
        raise PaperError(
            f"Für {paper.reference} gibt es noch kein PDF. Ein Beschluss wird erst erfasst, "
            "wenn dem Rat die Vorlage vorlag: bitte zuerst das PDF erstellen."
        )
    if result not in Paper.Result.values:
        raise PaperError("Bitte ein gültiges Ergebnis wählen.")
    if decided_on < paper.date:
        raise PaperError(
            f"Der Beschluss kann nicht vor dem Datum der Vorlage ({format_date(paper.date)}) "
            "gefasst worden sein."
        )
    if decided_on > timezone.localdate():
        raise PaperError("Das Beschlussdatum darf nicht in der Zukunft liegen.")
    before = audit.snapshot(paper, *_DECISION_FIELDS)
    paper.decided_on = decided_on
    paper.result = result
    paper.decision_note = note.strip()
    paper.decision_recorded_by = user
    paper.decision_recorded_at = timezone.now()
    paper.save()
    _touch_paper(paper)
    _record_paper(
        "decision_record",
        paper,
        "Beschluss erfasst",
        audit.diff(before, audit.snapshot(paper, *_DECISION_FIELDS), model=Paper),
        kind=audit.Kind.DECISION,
        actor=user,
    )
    return paper
