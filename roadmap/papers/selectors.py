"""Reads of the decision papers, and the figures they take from cost sharing.

Offered to other packages:

* `decisions_for_year(year)`: every member of the year with its paper and council decision;
* `year_decided(year)`: whether every member's council has decided (the condition for the
  centre treasurer to freeze the year).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from costsharing import selectors as costsharing_selectors
from costsharing.explanations import back_charge_label
from costsharing.figures import ShareRow, YearFigures
from izd.links import path_for_each
from izd.models import Document
from roadmap.papers.models import Consultation, NumberingScheme, Paper, PaperTemplate
from tenants import selectors as tenant_selectors
from tenants.models import Municipality

ZERO = Decimal("0.00")


class FiguresMissing(ValueError):
    """No figures for a member and year; the message is German and names both."""


# --------------------------------------------------------------------------- papers


def template_list() -> QuerySet[PaperTemplate]:
    return PaperTemplate.objects.order_by("name")


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


@dataclass(frozen=True, slots=True)
class PaperRow:
    """A paper as the year's overview lists it."""

    pk: int
    municipality_name: str
    reference: str
    document_status: str  # the state of its PDF, as a label; "" without one
    result: str
    result_label: str  # "" while open
    decided_on: date | None
    url: str

    @property
    def is_decided(self) -> bool:
        return self.result in Paper.FINAL_RESULTS


_PAPER_ROW_FIELDS = (
    "pk", "municipality__name", "reference", "document__status", "result", "decided_on",
)  # fmt: skip


def paper_row_values(year: int | None) -> QuerySet[Paper, tuple[Any, ...]]:
    """The year's papers as the overview's plain values, one tuple a paper (none without a
    year), to be searched, filtered and paged as a QuerySet; `paper_rows` turns the page read
    into rows. No model instances: with their municipality, template and document they were
    most of the overview's time at 420 members."""
    papers = Paper.objects.filter(year=year) if year else Paper.objects.none()
    return papers.order_by("municipality__name").values_list(*_PAPER_ROW_FIELDS)


def paper_rows(values: Iterable[tuple[Any, ...]]) -> list[PaperRow]:
    """Rows of `paper_row_values` (already read, in their order), each with the path of its
    page."""
    results = dict(Paper.Result.choices)
    statuses = dict(Document.Status.choices)
    link = path_for_each("papers:paper")
    return [
        PaperRow(
            pk,
            name,
            reference,
            str(statuses.get(status, status)) if status else "",
            result,
            str(results.get(result, result)) if result else "",
            decided_on,
            link(pk),
        )
        for pk, name, reference, status, result, decided_on in values
    ]


def papers_with_result(papers: QuerySet[Paper], result: str) -> QuerySet[Paper]:
    """`offen`: no result recorded yet; else one of Paper.Result."""
    return papers.filter(result="" if result == "offen" else result)


def papers_with_document_status(papers: QuerySet[Paper], status: str) -> QuerySet[Paper]:
    """`keins`: no PDF asked for yet; else the status of the paper's document."""
    if status == "keins":
        return papers.filter(document__isnull=True)
    return papers.filter(document__status=status)


def open_paper_choices(year: int) -> list[tuple[int, str, str]]:
    """(id, municipality, reference) of the year's undecided papers: the sources a Beratungsfolge
    can be copied from."""
    return list(
        Paper.objects.filter(year=year)
        .exclude(result__in=Paper.FINAL_RESULTS)
        .order_by("municipality__name", "reference", "pk")
        .values_list("pk", "municipality__name", "reference")
    )


def papers_without_dates(papers: QuerySet[Paper], _value: str = "") -> QuerySet[Paper]:
    """Undecided papers with a committee of the Beratungsfolge not yet dated."""
    undated = Consultation.objects.filter(paper=OuterRef("pk"), meeting_date__isnull=True)
    return papers.exclude(result__in=Paper.FINAL_RESULTS).filter(Exists(undated))


def papers_missing_dates(year: int) -> list[Paper]:
    """The year's undecided papers with a committee of the Beratungsfolge not yet dated (only
    what the list shows is read: the paper's reference and the municipality's name)."""
    undated = Consultation.objects.filter(paper=OuterRef("pk"), meeting_date__isnull=True)
    return list(
        Paper.objects.filter(year=year)
        .exclude(result__in=Paper.FINAL_RESULTS)
        .filter(Exists(undated))
        .select_related("municipality")
        .only("reference", "municipality__name")
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


def numbering_schemes_of(municipality_ids: list[int]) -> dict[int, NumberingScheme]:
    """The numbering schemes of these municipalities, by municipality."""
    rows = NumberingScheme.objects.filter(municipality_id__in=municipality_ids)
    return {scheme.municipality_id: scheme for scheme in rows}


def paper_years() -> list[int]:
    return list(Paper.objects.order_by("-year").values_list("year", flat=True).distinct())


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class ChargeLine:
    label: str
    year: int
    amount: Decimal


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
    shares: Sequence[ShareRow] = ()  # the year's rows, the same object for every member

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


def member_figures(municipality: Municipality, year: int) -> MemberFigures:
    """The member's share for `year` with back charges on their own lines, the share of the
    following year (None where it is not yet known), its budget line and every member's share
    (the attachment Kostenbeteiligung). Raises FiguresMissing."""
    figures = costsharing_selectors.year_figures(year)
    following = costsharing_selectors.year_figures(year + 1)
    return member_figures_of(municipality, figures, following if following.budget_exists else None)


def member_figures_of(
    municipality: Municipality, figures: YearFigures, following: YearFigures | None
) -> MemberFigures:
    """The paper's figures from the year's (and the following year's) figures read before."""
    year = figures.year
    share = figures.member(municipality.pk, explained=False)
    if share.current is None:
        raise missing_figures(municipality, year, share.note)
    if figures.standing is None:
        raise missing_figures(municipality, year, figures.standing_error)
    next_share = following.member(municipality.pk, explained=False) if following else None
    return MemberFigures(
        municipality_id=municipality.pk,
        name=municipality.name,
        year=year,
        current=share.current.payable,
        back_charges=[
            ChargeLine(back_charge_label(charge), charge.for_year, charge.amount)
            for charge in share.back_charges
        ],
        following=(
            next_share.current.payable
            if next_share is not None and next_share.current is not None
            else None
        ),
        budget_line=share.billing.budget_line,
        net_cost=figures.standing.budget.net_cost,
        provisional=share.provisional,
        shares=figures.shares,
    )


def year_members(year: int) -> list[Municipality]:
    """The municipalities that take part in cost sharing in `year` (by their membership)."""
    return tenant_selectors.members_with_ids(costsharing_selectors.member_ids_of_year(year))


def year_member_names(year: int) -> list[tuple[int, str]]:
    """`year_members` as (id, name) pairs."""
    return tenant_selectors.member_names_with_ids(costsharing_selectors.member_ids_of_year(year))


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
    its council's decision. Two queries, whatever the number of members; plain values, no
    model instances (at 420 members, making the papers and municipalities as objects cost
    more than everything else on the pages that show this)."""
    papers = {
        row[1]: row
        for row in Paper.objects.filter(year=year).values_list(
            "pk", "municipality_id", "municipality__name", "reference", "result", "decided_on"
        )
    }
    names = dict(year_member_names(year))
    names.update({municipality_id: row[2] for municipality_id, row in papers.items()})
    labels = dict(Paper.Result.choices)
    rows = []
    for municipality_id, name in sorted(names.items(), key=itemgetter(1)):
        paper = papers.get(municipality_id)
        if paper is None:
            rows.append(DecisionRow(municipality_id, name, None, "", "", "keine Vorlage", None))
            continue
        paper_id, _, _, reference, result, decided_on = paper
        label = str(labels.get(result, result)) if result else "offen"
        rows.append(
            DecisionRow(municipality_id, name, paper_id, reference, result, label, decided_on)
        )
    return rows


def decision_rows_search(rows: list[DecisionRow], text: str) -> list[DecisionRow]:
    wanted = text.casefold()
    return [
        row
        for row in rows
        if wanted in row.municipality_name.casefold() or wanted in row.reference.casefold()
    ]


def decision_rows_with_result(rows: list[DecisionRow], result: str) -> list[DecisionRow]:
    """`keine`: no paper; `offen`: a paper without a result; else one of Paper.Result."""
    if result == "keine":
        return [row for row in rows if row.paper_id is None]
    if result == "offen":
        return [row for row in rows if row.paper_id is not None and not row.result]
    return [row for row in rows if row.result == result]


def year_decided(year: int, rows: list[DecisionRow] | None = None) -> bool:
    """True when the year has members and every member's council has decided on its paper
    (angenommen, geändert angenommen or abgelehnt; vertagt is not a decision). `rows`: the
    year's `decisions_for_year`, when the caller has them already."""
    rows = decisions_for_year(year) if rows is None else rows
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
