"""The notice of a member's share (Bescheid über die Kostenbeteiligung) as a plain context.

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
from costsharing.allocation import AllocationError, format_eur
from costsharing.computation import ROUNDING_RULE, ZERO, YearAllocation, explain
from costsharing.models import AllocationLine, AllocationVersion
from izd.legal_defaults import NOTICE_LEGAL_NOTE
from tenants.models import Municipality


@dataclass(frozen=True)
class HistoryEntry:
    year: int
    amount: Decimal
    version: int | None
    status: str


def _component_table(allocation: YearAllocation, municipality_id: int) -> list[dict[str, Any]]:
    row = allocation.row_for(municipality_id)
    return explain(allocation, row) if row is not None else []


def _current(
    municipality_id: int, year: int
) -> tuple[YearAllocation | None, bool, str, AllocationVersion | None]:
    """The allocation whose share is the current line, whether it is provisional, a note."""
    budget_year = selectors.year_get(year)
    if budget_year is None:
        return None, False, f"Für {year} ist noch kein Haushalt des Zentrums angelegt.", None
    versions = list(selectors.versions_of(budget_year).order_by("number"))
    settled_here = [v for v in versions if v.settle_in_year == year]
    if settled_here:
        version = settled_here[-1]
        return selectors.allocation_of_version(version), False, "", version
    if versions:
        later = versions[-1].settle_in_year
        return (
            None,
            False,
            f"Der Anteil für {year} wird mit dem Bescheid für {later} abgerechnet.",
            None,
        )
    try:
        return selectors.allocation_live(budget_year), True, "", None
    except AllocationError as error:
        return None, True, f"Der Anteil für {year} kann noch nicht berechnet werden: {error}", None


def year_current(year: int) -> tuple[YearAllocation | None, str]:
    """The allocation the notices of `year` take their current line from, or a German note."""
    allocation, _provisional, note, _version = _current(0, year)
    return allocation, note


def _back_charges(municipality_id: int, year: int) -> list[dict[str, Any]]:
    charges = []
    versions = (
        AllocationVersion.objects.filter(settle_in_year=year, budget_year__year__lt=year)
        .select_related("budget_year", "frozen_by")
        .order_by("budget_year__year", "number")
    )
    for version in versions:
        line = AllocationLine.objects.filter(
            version=version, municipality_id=municipality_id
        ).first()
        previous = (
            AllocationVersion.objects.filter(
                budget_year_id=version.budget_year_id, number__lt=version.number
            )
            .order_by("-number")
            .first()
        )
        before = ZERO
        if previous is not None:
            earlier = AllocationLine.objects.filter(
                version=previous, municipality_id=municipality_id
            ).first()
            before = earlier.payable if earlier else ZERO
        amount = (line.payable if line else ZERO) - before
        if not amount:
            continue
        for_year = version.budget_year.year
        if previous is None:
            label = f"Kostenanteil {for_year} (Nachberechnung, periodenfremd)"
            note = f"Anteil für {for_year} laut Verteilung Version {version.number}."
        else:
            kind = "Nachberechnung" if amount > 0 else "Erstattung"
            label = f"{kind} {for_year} (Korrektur, periodenfremd)"
            note = (
                f"Unterschied zwischen Version {version.number} und Version "
                f"{previous.number} der Verteilung {for_year}: {format_eur(before)} → "
                f"{format_eur(line.payable if line else ZERO)}."
            )
        components = (
            _component_table(selectors.allocation_of_version(version), municipality_id)
            if previous is None and line is not None
            else []
        )
        charges.append(
            {
                "label": label,
                "year": for_year,
                "amount": amount,
                "kind": "back_charge",
                "version": version.number,
                "note": note,
                "components": components,
            }
        )
    return charges


def notice_number(municipality: Municipality, year: int, versions: list[int]) -> str:
    suffix = "-".join(f"V{n}" for n in versions) if versions else "VORL"
    return f"IZD-{year}-{municipality.ags}-{suffix}"


def notice_context(municipality: Municipality, year: int) -> dict[str, Any]:
    """Everything a notice of `municipality` for `year` shows, as plain values."""
    allocation, provisional, note, version = _current(municipality.pk, year)
    lines: list[dict[str, Any]] = []
    components: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    row = allocation.row_for(municipality.pk) if allocation else None
    if allocation is not None and row is None:
        note = f"Ihre Kommune ist {year} nicht an der Kostenverteilung beteiligt."
    if allocation is not None and row is not None:
        components = explain(allocation, row)
        key = allocation.key
        current = {
            "months": row.months,
            "population": row.population,
            "usage_units": row.usage_units,
            "modules": [m.name for m in allocation.modules if m.key in row.module_keys],
            "total": row.total,
            "grant_credit": row.grant_credit,
            "payable": row.payable,
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
        lines.append(
            {
                "label": f"Kostenanteil {year}",
                "year": year,
                "amount": row.payable,
                "kind": "current",
                "version": allocation.version,
                "note": "vorläufige Berechnung" if provisional else "",
                "components": components,
            }
        )
    lines = _back_charges(municipality.pk, year) + lines  # chronological: earlier years first
    versions = [line["version"] for line in lines if line["version"]]
    issuer = selectors.issuer()
    profile = selectors.profile_of(municipality.pk)
    issued_on = timezone.localdate()
    return {
        "year": year,
        "number": notice_number(municipality, year, versions if not provisional else []),
        "issued_on": issued_on,
        "due_on": issued_on + timedelta(days=issuer.payment_days if issuer else 30),
        "provisional": provisional,
        "note": note,
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
            "budget_line": profile.budget_line if profile else "",
            "contact_name": profile.contact_name if profile else "",
            "contact_email": profile.contact_email if profile else "",
            "contact_phone": profile.contact_phone if profile else "",
        },
        "issuer": _issuer_dict(issuer),
        "legal_note": legal_note_paragraphs(issuer.legal_note if issuer else ""),
        "current": current,
        "components": components,
        "rounding_rule": ROUNDING_RULE,
        "lines": lines,
        "total": sum((line["amount"] for line in lines), ZERO),
        "version": version.number if version else None,
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
