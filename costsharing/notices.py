"""The notice of a member's share (Bescheid über die Kostenbeteiligung): a presenter of the
year's typed figures (costsharing.figures), itself a typed value.

Lines of the notice for year Y:

* the share for Y: from the latest frozen version of Y that is settled with Y's notice, or
  (while nothing of Y is frozen) from the live calculation, marked as provisional;
* a back charge (periodenfremd) for every version of an earlier year that is settled with Y's
  notice: the member's amount in that version minus its amount in the version before (the
  full amount where it was not yet charged, e.g. a member that joined during that year).

A notice is a typed value (`Notice`, from `notice()`): CSV, XLSX and the e-invoice present it
(`exports.py`, `xrechnung.py`), and `template_context()` turns it into the plain context of the
page and the PDF, so they never disagree. Reads only the public schema: it works from a
municipality's request and from the Kreis.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, TypeVar

from django.utils import timezone

from costsharing import explanations, selectors
from costsharing.allocation import AllocationError, KeyComponents
from costsharing.explanations import ROUNDING_RULE, Component
from costsharing.figures import BackCharge, Billing, MemberShare, YearFigures
from costsharing.models import AllocationLine
from izd.legal_defaults import NOTICE_LEGAL_NOTE
from tenants.models import Municipality

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_Value = TypeVar("_Value", bound="DataclassInstance")


@dataclass(frozen=True)
class HistoryEntry:
    year: int
    amount: Decimal
    version: int | None
    status: str


@dataclass(frozen=True)
class NoticeLine:
    """A position of the notice: an earlier year's back charge, or the share of the year."""

    label: str
    year: int
    amount: Decimal
    kind: Literal["back_charge", "current"]
    version: int | None
    note: str
    components: tuple[Component, ...]


@dataclass(frozen=True)
class Addressee:
    """The member the notice is addressed to (the buyer of the e-invoice)."""

    id: int
    name: str
    ags: str
    leitweg_id: str
    street: str
    postal_code: str
    city: str


@dataclass(frozen=True)
class Issuer:
    """The centre that issues the notice (the seller of the e-invoice)."""

    name: str
    street: str
    postal_code: str
    city: str
    contact_name: str
    contact_phone: str
    contact_email: str
    iban: str
    bic: str
    account_holder: str
    seller_id: str
    payment_days: int


@dataclass(frozen=True)
class CurrentTerms:
    """How the year's own share was split: the key and the net cost among how many members."""

    key_name: str
    percents: KeyComponents
    population_date: date
    net_cost: Decimal
    members: int


@dataclass(frozen=True)
class Notice:
    """Everything a notice of one member for one year shows."""

    year: int
    number: str
    issued_on: date
    due_on: date
    provisional: bool
    note: str
    municipality: Addressee
    billing: Billing
    issuer: Issuer | None
    legal_note: tuple[str, ...]
    current: CurrentTerms | None  # None where the notice has no line of the year itself
    components: tuple[Component, ...]  # of the year's own share
    rounding_rule: str
    lines: tuple[NoticeLine, ...]  # chronological: earlier years' back charges first
    total: Decimal
    version: int | None


def _back_charge_line(charge: BackCharge) -> NoticeLine:
    return NoticeLine(
        label=explanations.back_charge_label(charge),
        year=charge.for_year,
        amount=charge.amount,
        kind="back_charge",
        version=charge.version,
        note=explanations.back_charge_note(charge),
        components=explanations.components(charge.components),
    )


def notice_number(municipality: Municipality, year: int, versions: list[int]) -> str:
    suffix = "-".join(f"V{n}" for n in versions) if versions else "VORL"
    return f"IZD-{year}-{municipality.ags}-{suffix}"


def notice(municipality: Municipality, year: int) -> Notice:
    """The notice of `municipality` for `year`, presented from the year's typed figures."""
    figures = selectors.year_figures(year)
    return notice_of(municipality, figures, figures.member(municipality.pk))


def notice_of(municipality: Municipality, figures: YearFigures, share: MemberShare) -> Notice:
    """The notice of one member, from figures already read (a batch reads them once)."""
    year = figures.year
    lines = [_back_charge_line(c) for c in share.back_charges]
    components: tuple[Component, ...] = ()
    current = None
    allocation = figures.current
    if share.current is not None and allocation is not None:
        components = explanations.components(share.current.components)
        key = allocation.key
        current = CurrentTerms(
            key_name=key.name,
            percents=key.components,
            population_date=key.population_date,
            net_cost=allocation.budget.net_cost,
            members=len(allocation.rows),
        )
        lines.append(
            NoticeLine(
                label=f"Kostenanteil {year}",
                year=year,
                amount=share.current.payable,
                kind="current",
                version=share.current.version,
                note="vorläufige Berechnung" if share.provisional else "",
                components=components,
            )
        )
    profile = selectors.issuer()
    issued_on = timezone.localdate()
    return Notice(
        year=year,
        number=notice_number(
            municipality, year, list(share.versions) if not share.provisional else []
        ),
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=profile.payment_days if profile else 30),
        provisional=share.provisional,
        note=share.note,
        municipality=_copied(Addressee, municipality),
        billing=share.billing,
        issuer=_copied(Issuer, profile) if profile is not None else None,
        legal_note=legal_note_paragraphs(profile.legal_note if profile else ""),
        current=current,
        components=components,
        rounding_rule=ROUNDING_RULE,
        lines=tuple(lines),
        total=share.total,
        version=figures.current_version,
    )


def _copied(kind: type[_Value], source: object) -> _Value:
    """A `kind` with each field read from the attribute of the same name of `source` (a
    model): the dataclass names what the notice takes of it."""
    return kind(**{field.name: getattr(source, field.name) for field in fields(kind)})


def template_context(notice: Notice) -> dict[str, object]:
    """The notice as plain values (dicts, lists, numbers, text, dates) for a template and the
    fingerprint of a rendered PDF: a field renamed on `Notice` is renamed here too."""
    context = _plain(notice)
    assert isinstance(context, dict)
    return context


def _plain(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def legal_note_paragraphs(text: str) -> tuple[str, ...]:
    """The notice's legal note: the centre's own text, or the default with its markers."""
    body = text.strip() or NOTICE_LEGAL_NOTE
    return tuple(part.strip() for part in body.replace("\r\n", "\n").split("\n\n") if part.strip())


def history(municipality: Municipality) -> list[HistoryEntry]:
    """The member's amount per year: the latest frozen version, else the live calculation."""
    entries = []
    for budget_year in selectors.years():
        version = selectors.latest_version(budget_year)
        if version is not None:
            line = AllocationLine.objects.filter(
                version=version, municipality_id=municipality.pk
            ).first()
            if line is not None:
                status = "festgeschrieben" if budget_year.is_frozen else "in Korrektur"
                entries.append(HistoryEntry(budget_year.year, line.payable, version.number, status))
            continue
        try:
            allocation = selectors.allocation_live(budget_year)
        except AllocationError:
            continue
        row = allocation.row_for(municipality.pk)
        if row is not None:
            entries.append(HistoryEntry(budget_year.year, row.payable, None, "vorläufig"))
    return entries


def default_year() -> int:
    """The year a treasurer sees first: the latest budget year, else the current year."""
    latest = selectors.years().first()
    return latest.year if latest else date.today().year
