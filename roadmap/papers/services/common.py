"""What every write of the papers shares: the document kind, the error type, German
formats, the audit entry of a paper and the checks that a paper may still change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from costsharing.selectors import year_is_frozen
from izd import formats
from izd.audit import recording as audit
from izd.exceptions import PortalError
from roadmap.papers import placeholders
from roadmap.papers.models import Paper

KIND = "papers.beschlussvorlage"
TEMPLATE_NAME = "papers/pdf/beschlussvorlage.html"


class PaperError(PortalError):
    """A paper cannot be made or changed as asked; the message is shown to the user."""


# --------------------------------------------------------------------------- formatting


def format_money(value: Decimal) -> str:
    """German format with thousands separator and two decimals: 21.695,55 €."""
    return formats.money(value)


def format_date(value: date | None) -> str:
    return formats.day(value)


def _validate_texts(**texts: str) -> None:
    errors: dict[str, list[str]] = {}
    for name, text in texts.items():
        try:
            placeholders.validate(text)
        except ValidationError as error:
            errors[name] = list(error.messages)
    if errors:
        raise ValidationError(errors)


_PAPER_FIELDS = (
    "year", "reference", "date", "is_public", "office", "file_reference", "budget_line",
    "funds_budgeted", "include_maturity", "include_roadmap", "subject_override",
    "facts_override", "resolution_override",
)  # fmt: skip
_DECISION_FIELDS = ("decided_on", "result", "decision_note")


def _record_paper(
    action: str,
    paper: Paper,
    summary: str,
    changes: list[dict[str, str]],
    *,
    kind: str = audit.Kind.PAPER,
    actor: object = audit.UNSET,
) -> None:
    """A paper's entries belong to its municipality: its officers see them too."""
    audit.record(
        action=action, kind=kind,
        summary=f"{summary}: {paper.reference}, {paper.municipality.name}", target=paper,
        object_label=f"{paper.reference} ({paper.municipality.name}, {paper.year})",
        changes=changes, municipality=paper.municipality, actor=actor,
    )  # fmt: skip


def _ensure_year_open(year: int) -> None:
    """A frozen year's papers and decisions are part of the record: a change needs the centre
    treasurer's correction, which opens the year again and ends as a new version."""
    if year_is_frozen(year):
        raise PaperError(
            f"Die Kostenverteilung {year} ist festgeschrieben; Vorlagen und Beschlüsse dieses "
            "Jahres lassen sich nicht mehr ändern. Für eine Änderung beginnt die Kämmerei des "
            "Zentrums eine Korrektur (neue Version)."
        )


def _ensure_editable(paper: Paper) -> None:
    _ensure_year_open(paper.year)
    if paper.is_decided:
        raise PaperError(
            f"Über {paper.reference} hat der Rat schon entschieden; die Vorlage lässt sich nicht "
            "mehr ändern."
        )
