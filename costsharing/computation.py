"""From a year's budget, grants, key and members to every member's share (no database).

The selectors gather plain inputs in a few queries and call `compute()`; a frozen version is
turned into the same `YearAllocation`, so pages, notices and exports treat both alike.

The money flow of a year:

    gross cost (staff + material + services + overheads)
  - the share the Kreis carries itself (percent of the gross cost)
  - grants passed on by the key (the part the Kreis does not keep)
  = net cost, split by the key (`costsharing.allocation.allocate`)
    each member: key share - its part of the grants passed on in a fixed split = payable

The part of a grant the Kreis keeps lowers the Kreis' own share, never a member's.

Long because it turns a year's inputs into the allocation and explains every member's share in
German sentences; the engine is pure (allocation.py), and the explanations move out with the typed
year figures planned in issue 14.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import NamedTuple

from costsharing.allocation import (
    COMPONENT_LABELS,
    AllocationError,
    KeyComponents,
    MemberColumns,
    ModuleInput,
    allocate_cents,
    euros,
    format_eur,
    format_percent,
    largest_remainder,
    module_part_maps,
)
from izd import formats

CENT = Decimal("0.01")
BY_KEY = "by_key"  # Grant.PassOn.BY_KEY
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def months_in_year(joined_on: date, left_on: date | None, year: int) -> int:
    """Months of membership in `year`: from the month of joining to the month of leaving."""
    start = max(joined_on, date(year, 1, 1))
    end = min(left_on or date(year, 12, 31), date(year, 12, 31))
    if start > end:
        return 0
    return end.month - start.month + 1


# --------------------------------------------------------------------------- budget


@dataclass(frozen=True)
class StaffInput:
    role: str
    fte: Decimal
    cost_per_fte: Decimal

    @property
    def amount(self) -> Decimal:
        return cents(self.fte * self.cost_per_fte)


@dataclass(frozen=True)
class CostInput:
    kind: str  # material, service, overhead
    label: str
    amount: Decimal


@dataclass(frozen=True)
class GrantInput:
    source: str
    amount: Decimal
    pass_on: str  # "by_key" or "fixed"
    kreis_percent: Decimal

    @property
    def kreis_part(self) -> Decimal:
        return cents(self.amount * self.kreis_percent / 100)

    @property
    def passed_on(self) -> Decimal:
        return self.amount - self.kreis_part


@dataclass(frozen=True)
class BudgetFigures:
    staff: Decimal
    material: Decimal
    service: Decimal
    overhead: Decimal
    gross_cost: Decimal
    kreis_share_percent: Decimal
    kreis_share: Decimal
    grants_total: Decimal
    grants_kreis: Decimal
    grants_by_key: Decimal
    grants_fixed: Decimal
    net_cost: Decimal  # split by the key

    @property
    def members_total(self) -> Decimal:
        """What the members pay together, after the grants passed on in a fixed split."""
        return self.net_cost - self.grants_fixed

    @property
    def kreis_net(self) -> Decimal:
        return self.kreis_share - self.grants_kreis


def _check_money(value: Decimal, what: str) -> None:
    if not value.is_finite() or value < 0:
        raise AllocationError(f"{what} darf nicht negativ sein ({format_eur(value)}).")


def budget_figures(
    *,
    staff: Sequence[StaffInput],
    costs: Sequence[CostInput],
    grants: Sequence[GrantInput],
    kreis_share_percent: Decimal,
) -> BudgetFigures:
    for line in staff:
        _check_money(line.fte, f"Die Stellenanteile „{line.role}“")
        _check_money(line.cost_per_fte, f"Die Kosten je Stelle „{line.role}“")
    for cost in costs:
        _check_money(cost.amount, f"Der Betrag „{cost.label}“")
    for grant in grants:
        _check_money(grant.amount, f"Die Fördermittel „{grant.source}“")
        if not 0 <= grant.kreis_percent <= 100:
            raise AllocationError(
                f"Der Anteil des Kreises an „{grant.source}“ muss zwischen 0 und 100 % liegen."
            )
    if not 0 <= kreis_share_percent <= 100:
        raise AllocationError("Der Anteil des Kreises muss zwischen 0 und 100 % liegen.")
    by_kind = {"material": ZERO, "service": ZERO, "overhead": ZERO}
    for cost in costs:
        by_kind[cost.kind] += cost.amount
    staff_total = sum((line.amount for line in staff), ZERO)
    gross = staff_total + sum(by_kind.values(), ZERO)
    kreis_share = cents(gross * kreis_share_percent / 100)
    grants_total = sum((grant.amount for grant in grants), ZERO)
    grants_kreis = sum((grant.kreis_part for grant in grants), ZERO)
    by_key = sum((g.passed_on for g in grants if g.pass_on == BY_KEY), ZERO)
    fixed = sum((g.passed_on for g in grants if g.pass_on != BY_KEY), ZERO)
    net = gross - kreis_share - by_key
    if net < 0:
        raise AllocationError(
            f"Die nach dem Schlüssel weitergegebenen Fördermittel ({format_eur(by_key)}) "
            f"übersteigen die Kosten der Kommunen ({format_eur(gross - kreis_share)})."
        )
    return BudgetFigures(
        staff=staff_total,
        material=by_kind["material"],
        service=by_kind["service"],
        overhead=by_kind["overhead"],
        gross_cost=gross,
        kreis_share_percent=kreis_share_percent,
        kreis_share=kreis_share,
        grants_total=grants_total,
        grants_kreis=grants_kreis,
        grants_by_key=by_key,
        grants_fixed=fixed,
        net_cost=net,
    )


# --------------------------------------------------------------------------- members


@dataclass(frozen=True)
class KeyInfo:
    name: str
    components: KeyComponents
    population_date: date


@dataclass(frozen=True)
class ModuleInfo:
    key: str
    name: str
    weight: Decimal
    pot: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class YearMembers(MemberColumns):
    """The members of a year as the selectors read them: the engine's columns (the keys are
    the AGS) with, in the same order, the municipality each member stands for and the date
    of the population figure used. Columns rather than an object per member: the query's
    rows are transposed in one step, and `compute()` hands them to the engine as they are."""

    municipality_ids: Sequence[int]
    population_dates: Sequence[date | None]
    # The usage units times 10 ** places as integers, when the query has them (exact: the
    # column has that many places); spares converting 11,000 Decimals for the engine.
    usage_scaled: Sequence[int] | None = None

    def usage_weights(self) -> Sequence[int]:
        if self.usage_scaled is not None:
            return self.usage_scaled
        return MemberColumns.usage_weights(self)


class MemberRow(NamedTuple):
    """A member's share. A named tuple rather than a frozen dataclass: just as immutable, and
    11,000 of them are made in 3 ms instead of 20 (a frozen dataclass sets each field through
    `object.__setattr__`)."""

    municipality_id: int
    name: str
    ags: str
    months: int
    population: int
    usage_units: Decimal
    module_keys: tuple[str, ...]
    base: Decimal
    population_amount: Decimal
    usage: Decimal
    modules: Decimal
    module_parts: Mapping[str, Decimal]
    total: Decimal
    grant_credit: Decimal
    payable: Decimal
    population_date: date | None = None  # of the figure used; unknown in old frozen versions


@dataclass(frozen=True)
class YearAllocation:
    year: int
    key: KeyInfo
    budget: BudgetFigures
    modules: tuple[ModuleInfo, ...]
    rows: tuple[MemberRow, ...]  # sorted by AGS
    version: int | None = None  # None: a live calculation, not frozen
    frozen_at: datetime | None = None
    frozen_by: str = ""
    settle_in_year: int | None = None
    reason: str = ""
    _index: dict[int, MemberRow] = field(default_factory=dict, compare=False, repr=False)

    def row_for(self, municipality_id: int) -> MemberRow | None:
        if not self._index:
            self._index.update({row.municipality_id: row for row in self.rows})
        return self._index.get(municipality_id)

    @property
    def payable_total(self) -> Decimal:
        return sum((row.payable for row in self.rows), ZERO)

    @property
    def population_total(self) -> int:
        return sum(row.population for row in self.rows)

    @property
    def usage_total(self) -> Decimal:
        return sum((row.usage_units for row in self.rows), Decimal(0))

    def participants(self, module_key: str) -> int:
        return sum(1 for row in self.rows if module_key in row.module_keys)


def compute(
    *,
    year: int,
    key: KeyInfo,
    budget: BudgetFigures,
    members: YearMembers,
    modules: Sequence[ModuleInfo],
) -> YearAllocation:
    """Split the year's net cost among the members; raises AllocationError (German)."""
    if not members.keys:
        raise AllocationError(f"Für {year} sind keine Mitglieder erfasst.")
    # Whole cents as columns in AGS order; each row is made once, straight from the columns
    # (no share object per member in between).
    cents = allocate_cents(
        net_cost=budget.net_cost,
        components=key.components,
        members=members,
        modules=[ModuleInput(m.key, m.name, m.weight) for m in modules],
    )
    in_order = cents.in_key_order
    count = len(cents.order)
    ags, months, names = in_order(members.keys), in_order(members.months), in_order(members.names)
    totals = euros(cents.total)
    credits = _fixed_credits(budget.grants_fixed, ags, months)
    if credits:
        credit_column = [credits.get(code, ZERO) for code in ags]
        for name, credit, total in zip(names, credit_column, totals, strict=True):
            if credit > total:
                raise AllocationError(
                    f"Die fest aufgeteilten Fördermittel ({format_eur(credit)}) übersteigen "
                    f"den Anteil von {name} ({format_eur(total)})."
                )
        payable = [
            total - credit if credit else total
            for total, credit in zip(totals, credit_column, strict=True)
        ]
    else:
        credit_column, payable = [ZERO] * count, totals
    taken = in_order(members.modules)
    sorted_keys = {combination: tuple(sorted(combination)) for combination in set(taken)}
    rows = tuple(
        map(
            _new_row,
            zip(
                in_order(members.municipality_ids), names, ags, months,
                in_order(members.populations), in_order(members.usage_units),
                [sorted_keys[combination] for combination in taken],
                euros(cents.base), euros(cents.population), euros(cents.usage),
                euros(cents.modules), module_part_maps(cents, count), totals, credit_column,
                payable, in_order(members.population_dates),
                strict=True,
            ),
        )
    )  # fmt: skip
    module_pots = dict(zip(cents.module_pots, euros(cents.module_pots.values()), strict=True))
    module_infos = tuple(
        ModuleInfo(m.key, m.name, m.weight, module_pots.get(m.key, ZERO))
        for m in sorted(modules, key=lambda item: item.key)
    )
    return YearAllocation(year=year, key=key, budget=budget, modules=module_infos, rows=rows)


# `MemberRow._make` without its Python-level length check: the rows come from a strict zip
# of exactly the row's fields.
_new_row = partial(tuple.__new__, MemberRow)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a computation over many members.

    Computing the shares of 11,000 members makes some 100,000 small objects, none of them in
    a reference cycle. Each allocation burst lets the collector run, and a full collection
    walks every object of the Django process (some 150,000): a third of the time of a year's
    allocation went there. Reference counting still frees everything at once; the collector
    resumes afterwards (only where it was on: nested or concurrent pauses stay correct).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _fixed_credits(
    amount: Decimal, ags: Sequence[str], months: Sequence[int]
) -> dict[str, Decimal]:
    if amount <= 0:
        return {}
    split = largest_remainder(int(amount * 100), list(zip(ags, months, strict=True)))
    return {code: Decimal(value).scaleb(-2) for code, value in split.items()}


# --------------------------------------------------------------------------- explanations


ROUNDING_RULE = (
    "Gerundet wird jede Spalte für sich auf volle Cent nach dem Verfahren der größten Reste "
    "(Hare-Niemeyer): Jede Kommune erhält zunächst ihren auf den Cent abgerundeten genauen "
    "Betrag; die übrigen Cent der Spalte gehen einzeln an die Kommunen mit den größten "
    "abgeschnittenen Resten. Bei gleich großem Rest erhält den Cent zuerst die Kommune, die in "
    "den vorherigen Spalten (Sockelbetrag, Einwohner, Nutzung, Module) seltener aufgerundet "
    "wurde, danach die mit dem kleineren Gemeindeschlüssel. So ergibt jede Spalte genau ihren "
    "Topf und jede Zeile genau die Summe ihrer Bestandteile."
)


def explain(allocation: YearAllocation, row: MemberRow) -> list[dict[str, object]]:
    """Each component of a member's share, with a German sentence that names every figure
    needed to recompute it by hand: the component's pot, the member's weight, the sum of all
    members' weights, and the exact result before rounding.

    Every weight is multiplied by the months of membership in the year (the engine's pro-rata
    rule), so the divisors are "Mitgliedsmonate" and "Einwohnermonate", never the plain sums.
    """
    components = allocation.key.components
    budget = allocation.budget
    rows = allocation.rows
    net = _eur(budget.net_cost)
    items: list[dict[str, object]] = []
    if components.base:
        pot = sum((r.base for r in rows), ZERO)
        total_months = sum(r.months for r in rows)
        items.append(
            _item(
                "base",
                row.base,
                f"{_percent(components.base)} der Nettokosten von {net} ergeben den "
                f"Sockelbetrag-Topf von {_eur(pot)}. Er wird zu gleichen Teilen je "
                f"Mitgliedsmonat verteilt: Ihre Kommune hat {row.months} von 12 Monaten, alle "
                f"{len(rows)} Mitglieder zusammen {_integer(total_months)} Mitgliedsmonate. "
                + _share_sentence(pot, Decimal(row.months), Decimal(total_months), row.base),
            )
        )
    if components.population:
        pot = sum((r.population_amount for r in rows), ZERO)
        weight = row.population * row.months
        total = sum(r.population * r.months for r in rows)
        items.append(
            _item(
                "population",
                row.population_amount,
                f"{_percent(components.population)} der Nettokosten von {net} ergeben den "
                f"Einwohner-Topf von {_eur(pot)}. Er wird nach Einwohnermonaten "
                f"(Einwohner × Mitgliedsmonate) verteilt: Ihre Kommune "
                f"{_integer(row.population)} Einwohner{_figure_date(row, allocation)} × "
                f"{row.months} Monate = {_integer(weight)}, alle Mitglieder zusammen "
                f"{_integer(total)} Einwohnermonate. "
                + _share_sentence(pot, Decimal(weight), Decimal(total), row.population_amount),
            )
        )
    if components.usage:
        pot = sum((r.usage for r in rows), ZERO)
        weight_units = row.usage_units * row.months
        total_units = sum((r.usage_units * r.months for r in rows), Decimal(0))
        items.append(
            _item(
                "usage",
                row.usage,
                f"{_percent(components.usage)} der Nettokosten von {net} ergeben den "
                f"Nutzungs-Topf von {_eur(pot)}. Er wird nach Leistungseinheiten × "
                f"Mitgliedsmonate verteilt: Ihre Kommune {_number(row.usage_units)} Einheiten × "
                f"{row.months} Monate = {_number(weight_units)}, alle Mitglieder zusammen "
                f"{_number(total_units)}. "
                + _share_sentence(pot, weight_units, total_units, row.usage),
            )
        )
    if components.modules:
        items.append(_modules_item(allocation, row))
    if row.grant_credit:
        items.append(
            {
                "label": "Fördermittel (feste Aufteilung)",
                "amount": -row.grant_credit,
                "text": (
                    f"Fördermittel von {_eur(budget.grants_fixed)} werden zu gleichen "
                    f"Teilen je Mitgliedsmonat gutgeschrieben: {row.months} von "
                    f"{_integer(sum(r.months for r in rows))} Mitgliedsmonaten."
                ),
            }
        )
    return items


def _item(component: str, amount: Decimal, text: str) -> dict[str, object]:
    return {"label": COMPONENT_LABELS[component], "amount": amount, "text": text}


def _share_sentence(pot: Decimal, weight: Decimal, total: Decimal, amount: Decimal) -> str:
    """ "Genau: 100.000,00 € × 6.474 / 424.364 ≈ 1.525,5771 €, auf Cent gerundet 1.525,58 €." """
    if not total:
        return f"Ihr Anteil: {_eur(amount)}."
    quotient = pot * weight / total
    exact = quotient.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    equals = "=" if exact == quotient else "≈"
    return (
        f"Genau: {_eur(pot)} × {_number(weight)} / {_number(total)} {equals} "
        f"{formats.number(exact, 4)} €, auf Cent gerundet {_eur(amount)}."
    )


def _eur(value: Decimal) -> str:
    return formats.money(value)


def _figure_date(row: MemberRow, allocation: YearAllocation) -> str:
    """The reference date of the figure used, said plainly when it differs from the key's."""
    used = row.population_date
    if used is None:
        return f" (Stichtag des Schlüssels {allocation.key.population_date:%d.%m.%Y})"
    if used == allocation.key.population_date:
        return f" (Stichtag {used:%d.%m.%Y})"
    return (
        f" (amtliche Zahl zum {used:%d.%m.%Y}, der letzten bis zum Stichtag des Schlüssels "
        f"{allocation.key.population_date:%d.%m.%Y})"
    )


def _modules_item(allocation: YearAllocation, row: MemberRow) -> dict[str, object]:
    components = allocation.key.components
    names = {module.key: module for module in allocation.modules}
    parts = []
    for key in row.module_keys:
        if key not in names:
            continue
        module = names[key]
        months = sum(r.months for r in allocation.rows if key in r.module_keys)
        part = row.module_parts.get(key, ZERO)
        parts.append(
            f"{module.name}: Modulkosten {_eur(module.pot)}, geteilt je Mitgliedsmonat "
            f"der {allocation.participants(key)} Teilnehmenden ({row.months} von "
            f"{_integer(months)} Monaten). "
            + _share_sentence(module.pot, Decimal(row.months), Decimal(months), part)
        )
    detail = " ".join(parts) if parts else "Ihre Kommune nimmt an keinem Modul teil."
    return _item(
        "modules",
        row.modules,
        f"{_percent(components.modules)} der Nettokosten tragen die Teilnehmenden der Module. "
        + detail,
    )


def _percent(value: Decimal) -> str:
    """German percent, two places unless the key has more (40.0000 → "40,00 %")."""
    two = value.quantize(CENT)
    return format_percent(two if two == value else value.normalize())


def _integer(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _number(value: Decimal) -> str:
    text = format_eur(value).removesuffix(" EUR")
    return text.removesuffix(",00")
