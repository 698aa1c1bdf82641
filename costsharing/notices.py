"""The notice of a member's share (Bescheid über die Kostenbeteiligung): a presenter of the
year's typed figures (costsharing.figures) as the template context.

Lines of the notice for year Y:

* the share for Y: from the latest frozen version of Y that is settled with Y's notice, or
  (while nothing of Y is frozen) from the live calculation, marked as provisional;
* a back charge (periodenfremd) for every version of an earlier year that is settled with Y's
  notice: the member's amount in that version minus its amount in the version before (the
  full amount where it was not yet charged, e.g. a member that joined during that year).

Pages, the PDF, CSV, XLSX and the e-invoice all use this one context, so they never disagree.
Reads only the public schema: it works from a municipality's request and from the Kreis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from costsharing import selectors
from costsharing.allocation import AllocationError
from costsharing.computation import ROUNDING_RULE, YearAllocation
from costsharing.figures import BackCharge, Component, MemberShare, YearFigures
from costsharing.models import AllocationLine
from izd.legal_defaults import NOTICE_LEGAL_NOTE
from tenants.models import Municipality


@dataclass(frozen=True)
class HistoryEntry:
    year: int
    amount: Decimal
    version: int | None
    status: str


def year_current(year: int) -> tuple[YearAllocation | None, str]:
    """The allocation the notices of `year` take their current line from, or a German note."""
    figures = selectors.year_figures(year)
    return figures.current, figures.note


def _components(components: tuple[Component, ...]) -> list[dict[str, Any]]:
    return [{"label": c.label, "amount": c.amount, "text": c.text} for c in components]


def _back_charge_line(charge: BackCharge) -> dict[str, Any]:
    return {
        "label": charge.label,
        "year": charge.for_year,
        "amount": charge.amount,
        "kind": "back_charge",
        "version": charge.version,
        "note": charge.note,
        "components": _components(charge.components),
    }


def notice_number(municipality: Municipality, year: int, versions: list[int]) -> str:
    suffix = "-".join(f"V{n}" for n in versions) if versions else "VORL"
    return f"IZD-{year}-{municipality.ags}-{suffix}"


def notice_context(municipality: Municipality, year: int) -> dict[str, Any]:
    """Everything a notice of `municipality` for `year` shows: the template context of the
    page, the PDF, CSV, XLSX and e-invoice, presented from the year's typed figures."""
    figures = selectors.year_figures(year)
    share = figures.member(municipality.pk)
    return notice_context_of(municipality, figures, share)


def notice_context_of(
    municipality: Municipality, figures: YearFigures, share: MemberShare
) -> dict[str, Any]:
    """The notice of one member, from figures already read (a batch reads them once)."""
    year = figures.year
    lines: list[dict[str, Any]] = [_back_charge_line(c) for c in share.back_charges]
    components: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    allocation = figures.current
    if share.current is not None and allocation is not None:
        components = _components(share.current.components)
        key = allocation.key
        current = {
            "months": share.current.months,
            "population": share.current.population,
            "usage_units": share.current.usage_units,
            "modules": list(share.current.module_names),
            "total": share.current.total,
            "grant_credit": share.current.grant_credit,
            "payable": share.current.payable,
            "key_name": key.name,
            "percents": {
                "base": key.components.base,
                "population": key.components.population,
                "usage": key.components.usage,
                "modules": key.components.modules,
            },
            "population_date": key.population_date,
            "net_cost": allocation.budget.net_cost,
            "gross_cost": allocation.budget.gross_cost,
            "members": len(allocation.rows),
        }
        lines.append(  # chronological: earlier years' back charges first
            {
                "label": f"Kostenanteil {year}",
                "year": year,
                "amount": share.current.payable,
                "kind": "current",
                "version": share.current.version,
                "note": "vorläufige Berechnung" if share.provisional else "",
                "components": components,
            }
        )
    issuer = selectors.issuer()
    issued_on = timezone.localdate()
    billing = share.billing
    return {
        "year": year,
        "number": notice_number(
            municipality, year, list(share.versions) if not share.provisional else []
        ),
        "issued_on": issued_on,
        "due_on": issued_on + timedelta(days=issuer.payment_days if issuer else 30),
        "provisional": share.provisional,
        "note": share.note,
        "municipality": {
            "id": municipality.pk,
            "name": municipality.name,
            "ags": municipality.ags,
            "leitweg_id": municipality.leitweg_id,
            "street": municipality.street,
            "postal_code": municipality.postal_code,
            "city": municipality.city,
        },
        "billing": {
            "budget_line": billing.budget_line,
            "contact_name": billing.contact_name,
            "contact_email": billing.contact_email,
            "contact_phone": billing.contact_phone,
        },
        "issuer": _issuer_dict(issuer),
        "legal_note": legal_note_paragraphs(issuer.legal_note if issuer else ""),
        "current": current,
        "components": components,
        "rounding_rule": ROUNDING_RULE,
        "lines": lines,
        "total": share.total,
        "version": figures.current_version,
    }


def legal_note_paragraphs(text: str) -> list[str]:
    """The notice's legal note: the centre's own text, or the default with its markers."""
    body = text.strip() or NOTICE_LEGAL_NOTE
    return [part.strip() for part in body.replace("\r\n", "\n").split("\n\n") if part.strip()]


def _issuer_dict(issuer: Any) -> dict[str, Any] | None:
    if issuer is None:
        return None
    fields = (
        "name", "street", "postal_code", "city", "contact_name", "contact_phone",
        "contact_email", "iban", "bic", "account_holder", "seller_id", "payment_days",
    )  # fmt: skip
    return {name: getattr(issuer, name) for name in fields}


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
