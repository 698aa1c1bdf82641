"""What a batch of papers reads once for all of them: the year's figures, every paper's
Beratungsfolge and the fingerprints that let unchanged papers reuse their PDF."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from costsharing import selectors as costsharing_selectors
from costsharing.figures import YearFigures
from izd.pdf import templates_fingerprint
from roadmap.papers import selectors
from roadmap.papers.models import Consultation, Paper
from roadmap.papers.services.common import TEMPLATE_NAME, PaperError
from roadmap.papers.services.consultations import CommitteeSpec, check_committees

FINGERPRINT_VERSION = "1"  # raise when the paper context changes in a way rows do not show
_TEMPLATE_FILES = (TEMPLATE_NAME, "papers/_paper_body.html", "izd/pdf_base.html")


def _templates_hash() -> str:
    """The PDF templates' sources: a deploy that changes them renders every paper again."""
    return templates_fingerprint(FINGERPRINT_VERSION, *_TEMPLATE_FILES)


@dataclass(frozen=True)
class BatchState:
    """What a batch reads once for all its papers."""

    year: int
    figures: YearFigures
    following: YearFigures | None  # None where the following year has no budget
    consultations: dict[int, list[dict[str, Any]]]
    year_hash: str


def batch_state(year: int, papers: list[Paper]) -> BatchState:
    """The year's figures and the rows of `papers` (every paper of the year), in a fixed
    number of queries."""
    figures = costsharing_selectors.year_figures(year)
    following: YearFigures | None = costsharing_selectors.year_figures(year + 1)
    if following is not None and not following.budget_exists:
        following = None
    year_hash = hashlib.sha256(
        repr(
            (
                figures.fingerprint,
                following.fingerprint if following else None,
                settings.KREIS_NAME,
                _templates_hash(),
                # each template once (420 papers share one or two)
                sorted(
                    repr(_row_values(t))
                    for t in {p.template_id: p.template for p in papers}.values()
                ),
            )
        ).encode()
    ).hexdigest()
    consultations: dict[int, list[dict[str, Any]]] = {p.pk: [] for p in papers}
    rows = (
        # every paper of the year is in the batch: the year, not 420 ids, selects them
        Consultation.objects.filter(paper__year=year)
        .order_by("paper_id", "position", "pk")
        .values(
            "paper_id",
            "pk",
            "position",
            "role",
            "meeting_date",
            "meeting_id",
            "updated_at",
            "committee__name",
        )
    )
    for row in rows:
        own = consultations.get(row["paper_id"])
        if own is not None:  # a paper added since `papers` were read is not in this batch
            own.append(dict(row))
    return BatchState(
        year=year,
        figures=figures,
        following=following,
        consultations=consultations,
        year_hash=year_hash,
    )


def batch_problem(paper: Paper, state: BatchState) -> str:
    """Why the paper cannot be made, as far as the batch's rows show it ("" where it can)."""
    specs = [
        CommitteeSpec(row["committee__name"], row["role"], row["meeting_date"])
        for row in state.consultations[paper.pk]
    ]
    try:
        check_committees(specs, need_dates=True)
    except PaperError as error:
        return f"Drucksache {paper.reference} ({paper.municipality.name}): {error}"
    municipality = paper.municipality
    figures = state.figures
    if not figures.takes_part(municipality.pk):
        reason = figures.note or (
            f"Ihre Kommune ist {paper.year} nicht an der Kostenverteilung beteiligt."
        )
        return str(selectors.missing_figures(municipality, paper.year, reason))
    if figures.standing is None:
        return str(selectors.missing_figures(municipality, paper.year, figures.standing_error))
    texts = (
        paper.subject_override or paper.template.subject,
        paper.facts_override or paper.template.facts,
        paper.resolution_override or paper.template.resolution,
        paper.template.attachments,
    )
    if any("anteil_folgejahre" in text for text in texts) and (
        state.following is None or not state.following.takes_part(municipality.pk)
    ):
        return (
            f"Für {municipality.name} liegen für {paper.year + 1} keine Zahlen vor "
            "(Platzhalter [[anteil_folgejahre]])."
        )
    return ""


def _row_values(instance: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    fields = instance._meta.concrete_fields
    return {f.attname: getattr(instance, f.attname) for f in fields if f.attname not in leave_out}


def paper_fingerprint(paper: Paper, state: BatchState) -> str:
    """A hash of every row the paper's PDF is made from; "" where attachments from maturity or
    the roadmap come in (those papers are always built)."""
    if paper.include_maturity or paper.include_roadmap:
        return ""
    municipality = paper.municipality
    payload = (
        state.year_hash,
        _row_values(paper, leave_out=("document_id",)),  # the last PDF is an output
        paper.template_id,  # the template's rows are part of year_hash
        _row_values(municipality),
        state.consultations[paper.pk],  # the member's billing data are in the year's figures
    )
    return hashlib.sha256(repr(payload).encode()).hexdigest()
