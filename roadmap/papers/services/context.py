"""The paper context: everything a paper shows, as plain values, for the PDF and the preview.

Raises PaperError where a paper cannot be made."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from izd import formats
from izd.errors import validation_message
from roadmap import selectors as roadmap_selectors
from roadmap.papers import placeholders, selectors
from roadmap.papers.annex import annex_text
from roadmap.papers.models import Paper
from roadmap.papers.services.common import PaperError, format_date, format_money
from roadmap.papers.services.consultations import CommitteeSpec, check_committees
from roadmap.timeline import quarter_label
from tenants.models import Municipality


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _consultation_rows(paper: Paper) -> list[dict[str, Any]]:
    consultations = list(paper.consultations.select_related("committee"))
    specs = [CommitteeSpec(c.committee.name, c.role, c.meeting_date) for c in consultations]
    try:
        check_committees(specs, need_dates=True)
    except PaperError as error:
        raise PaperError(
            f"Drucksache {paper.reference} ({paper.municipality.name}): {error}"
        ) from None
    return [
        {
            "id": c.pk,
            "committee": c.committee.name,
            "date": format_date(c.meeting_date),
            "iso_date": c.meeting_date.isoformat() if c.meeting_date else "",
            "role": c.get_role_display(),
            "authoritative": c.authoritative,
        }
        for c in consultations
    ]


def placeholder_values(paper: Paper, figures: selectors.MemberFigures) -> dict[str, str | None]:
    budget_line = paper.budget_line or figures.budget_line
    return {
        "kommune": paper.municipality.name,
        "jahr": str(paper.year),
        "vorjahr": str(paper.year - 1),
        "folgejahr": str(paper.year + 1),
        "anteil_jahr": format_money(figures.first_year_total),
        "anteil_laufend": format_money(figures.current),
        "nachbelastung_vorjahr": format_money(figures.back_charge_total),
        "anteil_zusammensetzung": share_composition(figures),
        "anteil_folgejahre": None if figures.following is None else format_money(figures.following),
        "haushaltsstelle": budget_line or "(noch nicht festgelegt)",
        "nettokosten": format_money(figures.net_cost),
        "mitglieder": str(len(figures.shares)),
        "drucksache": paper.reference,
        "kreis": settings.KREIS_NAME,
    }


def share_composition(figures: selectors.MemberFigures) -> str:
    """How the year's amount is made up, as the clause after "ein Betrag von …;": a back
    charge (or a refund) for earlier years is named only where there is one."""
    back = figures.back_charge_total
    current = format_money(figures.current)
    if back > 0:
        return (
            "darin enthalten ist eine Nachbelastung für frühere Jahre (periodenfremd) von "
            f"{format_money(back)} sowie der laufende Anteil von {current}"
        )
    if back < 0:
        return (
            f"darin sind der laufende Anteil von {current} und eine Erstattung für frühere "
            f"Jahre (periodenfremd) von {format_money(-back)} verrechnet"
        )
    return "eine Nachbelastung für frühere Jahre fällt nicht an"


def _substitute(paper: Paper, field_name: str, text: str, values: dict[str, str | None]) -> str:
    try:
        return placeholders.substitute(text, values)
    except ValidationError as error:
        raise PaperError(
            f"{field_name} von {paper.reference}: {validation_message(error)}"
        ) from None
    except placeholders.MissingValue as missing:
        if missing.args[0] == "anteil_folgejahre":
            raise PaperError(
                f"Für {paper.municipality.name} liegen für {paper.year + 1} keine Zahlen vor "
                f"(Platzhalter [[anteil_folgejahre]] in {field_name})."
            ) from None
        raise PaperError(
            f"Für den Platzhalter [[{missing.args[0]}]] in {field_name} von {paper.reference} "
            "liegt kein Wert vor."
        ) from None


def paper_context(paper: Paper) -> dict[str, Any]:
    """Everything the paper shows, as plain values (strings, lists, dicts).

    Raises PaperError where the paper cannot be made: Beratungsfolge incomplete, no figures,
    an unknown placeholder.
    """
    consultations = _consultation_rows(paper)
    try:
        figures = selectors.member_figures(paper.municipality, paper.year)
    except selectors.FiguresMissing as error:
        raise PaperError(str(error)) from None
    values = placeholder_values(paper, figures)
    template = paper.template
    subject = _substitute(paper, "Bezeichnung", paper.subject_override or template.subject, values)
    facts = _substitute(
        paper, "Sach- und Rechtslage", paper.facts_override or template.facts, values
    )
    resolution = _substitute(
        paper, "Beschlussvorschlag", paper.resolution_override or template.resolution, values
    )
    attachments = _lines(_substitute(paper, "Anlagen", template.attachments, values))
    maturity = roadmap = None
    if paper.include_maturity:
        maturity = _maturity_attachment(paper.municipality, paper.year) or {"empty": True}
        attachments.append("Zusammenfassung Digitaler Reifegrad")
    if paper.include_roadmap:
        roadmap = {"measures": _roadmap_attachment(paper.municipality)}
        attachments.append("Auszug aus der Roadmap")
    # Last: the annex that is the same for every member (a batch typesets it once).
    attachments.append(f"Kostenbeteiligung {paper.year} (alle Mitglieder)")

    finance_lines = [
        {"label": line.label, "amount": format_money(line.amount)} for line in figures.back_charges
    ]
    finance_lines.append(
        {
            "label": f"Kostenanteil {paper.year}"
            + (" (vorläufige Berechnung)" if figures.provisional else ""),
            "amount": format_money(figures.current),
        }
    )
    if figures.shares_total != figures.net_cost:
        raise PaperError(
            f"Die Anteile für {paper.year} ergeben {format_money(figures.shares_total)}, "
            f"nicht die Nettokosten von {format_money(figures.net_cost)}."
        )
    budget_line = paper.budget_line or figures.budget_line
    return {
        "paper": {
            "id": paper.pk,
            "reference": paper.reference,
            "date": format_date(paper.date),
            "year": paper.year,
            "public": "öffentlich" if paper.is_public else "nicht öffentlich",
            "office": paper.office or "–",
            "file_reference": paper.file_reference or "–",
        },
        "municipality": {"name": paper.municipality.name, "ags": paper.municipality.ags},
        "kreis_name": settings.KREIS_NAME,
        "subject": subject,
        "facts": _paragraphs(facts),
        "resolution": _lines(resolution),
        "attachments": attachments,
        "consultations": consultations,
        "finance": {
            "year": paper.year,
            "lines": finance_lines,
            "first_year_total": format_money(figures.first_year_total),
            "has_back_charge": bool(figures.back_charges),
            "following_year": paper.year + 1,
            "following": None if figures.following is None else format_money(figures.following),
            "budget_line": budget_line or "noch nicht festgelegt",
            "funds_budgeted": "Ja" if paper.funds_budgeted else "Nein",
        },
        "shares": _shares(paper, figures),
        "maturity": maturity,
        "roadmap": roadmap,
        "header_left": f"Drucksache {paper.reference}",
        "header_right": paper.municipality.name,
        "footer_left": f"Beschlussvorlage – {paper.municipality.name}",
    }


def _shares(paper: Paper, figures: selectors.MemberFigures) -> dict[str, Any]:
    """The annex's rows with the paper's own one marked (bold in the browser preview)."""
    annex = annex_text(figures)
    rows = list(annex.rows)
    own = annex.position.get(paper.municipality_id)
    if own is not None:
        rows[own] = {**rows[own], "own": True}
    return {"year": paper.year, "rows": rows, **annex.totals}


def _maturity_attachment(municipality: Municipality, year: int) -> dict[str, object] | None:
    """The municipality's latest maturity results per dimension, or None without any."""
    gaps = roadmap_selectors.municipality_gaps(municipality, year)
    if gaps.campaign is None:
        return None
    return {
        "campaign": gaps.campaign.name,
        "overall_index": _score(gaps.overall_index),
        "rows": [
            {
                "title": row.dimension.title,
                "score": _score(row.score),
                "level": "–" if row.level is None else str(row.level),
                "target": _score(row.target),
            }
            for row in gaps.rows
        ],
    }


def _score(value: Decimal | None) -> str:
    return "–" if value is None else formats.number(value, 1)


def _roadmap_attachment(municipality: Municipality) -> list[dict[str, str]]:
    """The measures the municipality takes part in (or the whole county does)."""
    return [
        {
            "title": measure.title,
            "period": " – ".join(
                (quarter_label(measure.start_quarter), quarter_label(measure.end_quarter))
            ),
            "status": measure.get_status_display(),
            "responsible": measure.responsible,
        }
        for measure in roadmap_selectors.measure_list(municipality)
    ]


def paper_title(paper: Paper) -> str:
    return f"Beschlussvorlage {paper.reference} – {paper.municipality.name}"


def paper_filename(paper: Paper) -> str:
    safe = re.sub(r"[^A-Za-z0-9-]+", "-", paper.reference).strip("-")
    return f"Beschlussvorlage-{safe}-{paper.municipality.slug}.pdf"
