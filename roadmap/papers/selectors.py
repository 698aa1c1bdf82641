"""Reads of the decision papers, and the figures they take from cost sharing, maturity and the
roadmap.

Offered to other packages:

* `decisions_for_year(year)`: every member of the year with its paper and council decision;
* `year_decided(year)`: whether every member's council has decided (the condition for the
  centre treasurer to freeze the year).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet

from costsharing import selectors as costsharing_selectors
from costsharing.allocation import AllocationError
from costsharing.models import MemberProfile
from costsharing.notices import notice_context
from roadmap.papers.models import Consultation, NumberingScheme, Paper, PaperTemplate
from tenants.models import Municipality

ZERO = Decimal("0.00")


class FiguresMissing(ValueError):
    """No figures for a member and year; the message is German and names both."""


# --------------------------------------------------------------------------- papers


def template_list() -> QuerySet[PaperTemplate]:
    return PaperTemplate.objects.order_by("name")


def numbering_schemes() -> list[NumberingScheme]:
    return list(NumberingScheme.objects.all())


def consultations_of(paper: Paper) -> list[Consultation]:
    return list(paper.consultations.select_related("committee"))


def consultation_of(paper: Paper, consultation_id: int) -> Consultation | None:
    return paper.consultations.filter(pk=consultation_id).first()


def template_get(template_id: int) -> PaperTemplate | None:
    return PaperTemplate.objects.filter(pk=template_id).first()


def papers_of_year(year: int) -> QuerySet[Paper]:
    return (
        Paper.objects.filter(year=year)
        .select_related("municipality", "template", "document")
        .order_by("municipality__name")
    )


def papers_missing_dates(year: int) -> list[Paper]:
    """The year's undecided papers with a committee of the Beratungsfolge not yet dated."""
    undated = Consultation.objects.filter(paper=OuterRef("pk"), meeting_date__isnull=True)
    return list(
        Paper.objects.filter(year=year)
        .exclude(result__in=Paper.FINAL_RESULTS)
        .filter(Exists(undated))
        .select_related("municipality")
        .order_by("municipality__name")
    )


def paper_get(paper_id: int) -> Paper | None:
    return (
        Paper.objects.filter(pk=paper_id)
        .select_related("municipality", "template", "document")
        .first()
    )


def paper_of_municipality(paper_id: int, municipality: Municipality) -> Paper | None:
    """The paper, only if it belongs to this municipality."""
    return (
        Paper.objects.filter(pk=paper_id, municipality=municipality)
        .select_related("municipality", "template", "document")
        .first()
    )


def papers_of_municipality(municipality: Municipality) -> QuerySet[Paper]:
    return (
        Paper.objects.filter(municipality=municipality)
        .select_related("document", "template")
        .order_by("-year", "-date")
    )


def paper_years() -> list[int]:
    return sorted(set(Paper.objects.values_list("year", flat=True)), reverse=True)


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class ChargeLine:
    label: str
    year: int
    amount: Decimal


@dataclass(frozen=True)
class ShareRow:
    municipality_id: int
    name: str
    ags: str
    months: int
    population: int
    total: Decimal
    grant_credit: Decimal
    payable: Decimal


@dataclass(frozen=True)
class MemberFigures:
    """What a paper needs from cost sharing for one member and year."""

    municipality_id: int
    name: str
    year: int
    current: Decimal
    back_charges: list[ChargeLine]
    following: Decimal | None
    budget_line: str
    net_cost: Decimal
    provisional: bool
    shares: list[ShareRow] = field(default_factory=list)

    @property
    def back_charge_total(self) -> Decimal:
        return sum((line.amount for line in self.back_charges), ZERO)

    @property
    def first_year_total(self) -> Decimal:
        return self.current + self.back_charge_total

    @property
    def shares_total(self) -> Decimal:
        return sum((row.total for row in self.shares), ZERO)

    @property
    def payable_total(self) -> Decimal:
        return sum((row.payable for row in self.shares), ZERO)

    @property
    def has_grant_credits(self) -> bool:
        return any(row.grant_credit for row in self.shares)


def missing_figures(municipality: Municipality, year: int, reason: str = "") -> FiguresMissing:
    message = f"Für {municipality.name} liegen für {year} keine Zahlen vor."
    return FiguresMissing(f"{message} {reason}".strip())


def _current_line(notice: dict[str, object]) -> Decimal | None:
    lines = notice["lines"]
    assert isinstance(lines, list)
    for line in lines:
        if line["kind"] == "current":
            return Decimal(line["amount"])
    return None


def member_figures(municipality: Municipality, year: int) -> MemberFigures:
    """The member's share for `year` with back charges on their own lines, the share of the
    following year (None where it is not yet known), its budget line and every member's share
    (the attachment Kostenbeteiligung). Raises FiguresMissing."""
    notice = notice_context(municipality, year)
    current = _current_line(notice)
    if current is None:
        raise missing_figures(municipality, year, str(notice.get("note") or ""))
    budget_year = costsharing_selectors.year_get(year)
    if budget_year is None:  # notice_context would not have found a line
        raise missing_figures(municipality, year)
    try:
        allocation = costsharing_selectors.allocation_current(budget_year)
    except AllocationError as error:
        raise missing_figures(municipality, year, str(error)) from None
    following: Decimal | None = None
    if costsharing_selectors.year_get(year + 1) is not None:
        following = _current_line(notice_context(municipality, year + 1))
    back_charges = [
        ChargeLine(str(line["label"]), int(line["year"]), Decimal(line["amount"]))
        for line in notice["lines"]
        if line["kind"] == "back_charge"
    ]
    billing = notice.get("billing") or {}
    assert isinstance(billing, dict)
    return MemberFigures(
        municipality_id=municipality.pk,
        name=municipality.name,
        year=year,
        current=current,
        back_charges=back_charges,
        following=following,
        budget_line=str(billing.get("budget_line") or ""),
        net_cost=allocation.budget.net_cost,
        provisional=bool(notice.get("provisional")),
        shares=[
            ShareRow(
                municipality_id=row.municipality_id,
                name=row.name,
                ags=row.ags,
                months=row.months,
                population=row.population,
                total=row.total,
                grant_credit=row.grant_credit,
                payable=row.payable,
            )
            for row in sorted(allocation.rows, key=lambda r: r.name)
        ],
    )


def year_members(year: int) -> list[Municipality]:
    """The municipalities that take part in cost sharing in `year` (by their membership)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    ids = (
        MemberProfile.objects.filter(joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .values_list("municipality_id", flat=True)
    )
    return list(Municipality.objects.members().filter(pk__in=list(ids)).order_by("name"))


# --------------------------------------------------------------------------- attachments


def maturity_summary(municipality: Municipality, year: int) -> dict[str, object] | None:
    """The municipality's latest maturity results per dimension, or None without any."""
    from maturity.models import Participation
    from roadmap import selectors as roadmap_selectors

    gaps = roadmap_selectors.municipality_gaps(municipality, year)
    if gaps.campaign is None:
        return None
    participation = Participation.objects.filter(
        municipality=municipality, campaign=gaps.campaign
    ).first()
    index = participation.overall_index if participation else None
    return {
        "campaign": gaps.campaign.name,
        "overall_index": _decimal_de(index),
        "rows": [
            {
                "title": row.dimension.title,
                "score": _decimal_de(row.score),
                "level": "–" if row.level is None else str(row.level),
                "target": _decimal_de(row.target),
            }
            for row in gaps.rows
        ],
    }


def roadmap_excerpt(municipality: Municipality) -> list[dict[str, str]]:
    """The measures the municipality takes part in (or the whole county does)."""
    from roadmap import selectors as roadmap_selectors
    from roadmap.timeline import quarter_label

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


def _decimal_de(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",")


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class DecisionRow:
    municipality_id: int
    municipality_name: str
    paper_id: int | None
    reference: str
    result: str
    result_label: str
    decided_on: date | None

    @property
    def is_decided(self) -> bool:
        return self.result in Paper.FINAL_RESULTS


def decisions_for_year(year: int) -> list[DecisionRow]:
    """Every member of the year (and every municipality with a paper for it) with the state of
    its council's decision. Two queries, whatever the number of members."""
    papers = {
        paper.municipality_id: paper
        for paper in Paper.objects.filter(year=year).select_related("municipality")
    }
    municipalities = {m.pk: m for m in year_members(year)}
    municipalities.update({pk: paper.municipality for pk, paper in papers.items()})
    rows = []
    for municipality in sorted(municipalities.values(), key=lambda m: m.name):
        paper = papers.get(municipality.pk)
        rows.append(
            DecisionRow(
                municipality_id=municipality.pk,
                municipality_name=municipality.name,
                paper_id=paper.pk if paper else None,
                reference=paper.reference if paper else "",
                result=paper.result if paper else "",
                result_label=(
                    paper.get_result_display()
                    if paper and paper.result
                    else ("keine Vorlage" if paper is None else "offen")
                ),
                decided_on=paper.decided_on if paper else None,
            )
        )
    return rows


def year_decided(year: int) -> bool:
    """True when the year has members and every member's council has decided on its paper
    (angenommen, geändert angenommen or abgelehnt; vertagt is not a decision)."""
    rows = decisions_for_year(year)
    return bool(rows) and all(row.is_decided for row in rows)


def freeze_blocker(year: int) -> str | None:
    """Why the centre treasurer may not freeze the year yet: a member's council has not decided
    (no paper, no decision recorded, or only postponed). The treasurer may still freeze with a
    stated reason, which cost sharing keeps with the version."""
    waiting = [row.municipality_name for row in decisions_for_year(year) if not row.is_decided]
    if not waiting:
        return None
    names = ", ".join(waiting[:5]) + (
        f" und {len(waiting) - 5} weitere" if len(waiting) > 5 else ""
    )
    return (
        f"Für {year} ist nicht für jedes Mitglied ein Ratsbeschluss erfasst. Noch offen: {names}."
    )
