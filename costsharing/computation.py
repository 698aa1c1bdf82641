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

Long because it turns a year's inputs into the allocation, makes the members' rows from its
columns when they are asked for (`MemberRows`), and gathers, per member, the figures that
explain each part of its share (`explain()`, numbers only; the German sentences are made in
`costsharing.explanations`); the engine itself is pure (allocation.py).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from operator import index as as_index
from typing import NamedTuple, TypeAlias, overload

from costsharing.allocation import (
    AllocationError,
    CentShares,
    IntegerArrays,
    KeyComponents,
    MemberColumns,
    ModuleInput,
    allocate_cents,
    euros,
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


# every place of a wrong figure: rounding it away would hide what is wrong
_money = partial(formats.money, exact_places=True)


def _check_money(value: Decimal, what: str, show: Callable[[Decimal], str] = _money) -> None:
    if not value.is_finite() or value < 0:
        raise AllocationError(f"{what} darf nicht negativ sein ({show(value)}).")


def budget_figures(
    *,
    staff: Sequence[StaffInput],
    costs: Sequence[CostInput],
    grants: Sequence[GrantInput],
    kreis_share_percent: Decimal,
) -> BudgetFigures:
    for line in staff:
        _check_money(line.fte, f"Die Stellenanteile „{line.role}“", formats.exact)
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
            f"Die nach dem Schlüssel weitergegebenen Fördermittel ({_money(by_key)}) "
            f"übersteigen die Kosten der Kommunen ({_money(gross - kreis_share)})."
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
    # The months, populations and scaled usage as the query's int64 arrays, which the engine
    # checks and weighs in numpy (11,000 members: about 5 ms less than over the lists); the
    # same figures as the lists, so they take no part in comparing two reads.
    arrays: IntegerArrays | None = field(default=None, compare=False, repr=False)

    def usage_weights(self) -> Sequence[int]:
        if self.usage_scaled is not None:
            return self.usage_scaled
        return MemberColumns.usage_weights(self)

    def usage_looks_valid(self) -> bool:
        # The units are made from these integers (exact Decimals): checking the integers
        # spares three passes over 11,000 Decimals.
        if self.arrays is not None and self.arrays.usage is not None:
            return bool(self.arrays.usage.min() >= 0)
        if self.usage_scaled is not None:
            return min(self.usage_scaled) >= 0
        return MemberColumns.usage_looks_valid(self)

    def integer_arrays(self) -> IntegerArrays | None:
        return self.arrays


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


@dataclass(frozen=True, slots=True)
class _RowColumns:
    """What a live allocation's rows are made of, in key order: the members' columns as
    the selectors read them and their shares in whole cents."""

    municipality_ids: list[int]
    names: list[str]
    ags: list[str]
    months: list[int]
    populations: list[int]
    usage_units: list[Decimal]
    module_keys: list[tuple[str, ...]]
    population_dates: list[date | None]
    cents: CentShares
    credits: list[int] | None  # the grants passed on in a fixed split, in cents; None: none


# Python 3.11's slice cannot be subscripted at run time; typeshed's default is `Any`.
_Slice: TypeAlias = "slice[int | None, int | None, int | None]"


class MemberRows(Sequence[MemberRow]):
    """The members' rows of a live allocation, each made from the columns when first asked
    for; behaves as the tuple of all rows it stands for.

    Every member's share is computed (in whole cents) before the rows are asked for; what
    waits is turning them into rows of EUR amounts: some 40,000 Decimals and 11,000 rows for
    11,000 members, about as long as computing the shares. A page shows 50 members, a
    notice one: they make only those (a slice, `row_for`), and the sums come from the cents.
    Whoever iterates gets every row, made once and kept.
    """

    __slots__ = ("_columns", "_module_parts", "_positions", "_rows")

    def __init__(self, columns: _RowColumns) -> None:
        self._columns = columns
        self._rows: tuple[MemberRow, ...] | None = None
        self._module_parts: list[dict[str, Decimal]] | None = None
        self._positions: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self._columns.ags)

    @overload
    def __getitem__(self, index: int) -> MemberRow: ...

    @overload
    def __getitem__(self, index: _Slice) -> tuple[MemberRow, ...]: ...

    def __getitem__(self, index: int | _Slice) -> MemberRow | tuple[MemberRow, ...]:
        if self._rows is not None:
            return self._rows[index]
        if isinstance(index, slice):
            return self._made(index)
        position = as_index(index)
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError("member row index out of range")
        return self._made(slice(position, position + 1))[0]

    def __iter__(self) -> Iterator[MemberRow]:
        return iter(self.all())

    def __reversed__(self) -> Iterator[MemberRow]:
        return reversed(self.all())

    def __contains__(self, value: object) -> bool:
        return value in self.all()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MemberRows | tuple):
            return self.all() == tuple(other)
        return NotImplemented

    def __repr__(self) -> str:
        # the tuple's: a year's fingerprint (costsharing.figures) is the repr of its allocation
        return repr(self.all())

    def all(self) -> tuple[MemberRow, ...]:
        """Every row, in key order (made on the first call)."""
        if self._rows is None:
            self._rows = self._made(slice(None))
        return self._rows

    def row_for(self, municipality_id: int) -> MemberRow | None:
        if self._positions is None:
            ids = self._columns.municipality_ids
            self._positions = dict(zip(ids, range(len(ids)), strict=True))
        position = self._positions.get(municipality_id)
        return None if position is None else self[position]

    def payable_total(self) -> Decimal:
        columns = self._columns
        total = sum(columns.cents.total) - sum(columns.credits or ())
        return euros([total])[0]

    def population_total(self) -> int:
        return sum(self._columns.populations)

    def usage_total(self) -> Decimal:
        return sum(self._columns.usage_units, Decimal(0))

    def participants(self, module_key: str) -> int:
        return sum(module_key in keys for keys in self._columns.module_keys)

    def year_totals(self) -> _YearTotals:
        """`_year_totals` from the columns: the same sums, without making the rows."""
        columns = self._columns
        cents = columns.cents
        base, population, usage = euros([sum(cents.base), sum(cents.population), sum(cents.usage)])
        return _totals_of(
            {"base": base, "population": population, "usage": usage},
            columns.months,
            columns.populations,
            columns.usage_units,
            columns.module_keys,
        )

    def _made(self, part: _Slice) -> tuple[MemberRow, ...]:
        # every row at once is as many objects as the computation made (see collector_paused)
        with collector_paused():
            return self._made_now(part)

    def _made_now(self, part: _Slice) -> tuple[MemberRow, ...]:
        columns = self._columns
        cents = columns.cents
        total_cents = cents.total[part]
        totals = euros(total_cents)
        if columns.credits is None:
            credits, payable = [ZERO] * len(totals), totals
        else:
            credit_cents = columns.credits[part]
            credits = euros(credit_cents)
            payable = euros(map(int.__sub__, total_cents, credit_cents))
        if self._module_parts is None:
            self._module_parts = module_part_maps(cents, len(self))
        return tuple(
            map(
                _new_row,
                zip(
                    columns.municipality_ids[part], columns.names[part], columns.ags[part],
                    columns.months[part], columns.populations[part], columns.usage_units[part],
                    columns.module_keys[part], euros(cents.base[part]),
                    euros(cents.population[part]), euros(cents.usage[part]),
                    euros(cents.modules[part]), self._module_parts[part], totals, credits,
                    payable, columns.population_dates[part],
                    strict=True,
                ),
            )
        )  # fmt: skip


@dataclass(frozen=True)
class YearAllocation:
    year: int
    key: KeyInfo
    budget: BudgetFigures
    modules: tuple[ModuleInfo, ...]
    # sorted by AGS; a live allocation's are `MemberRows`, a frozen version's a tuple
    rows: Sequence[MemberRow]
    version: int | None = None  # None: a live calculation, not frozen
    frozen_at: datetime | None = None
    frozen_by: str = ""
    settle_in_year: int | None = None
    reason: str = ""
    _index: dict[int, MemberRow] = field(default_factory=dict, compare=False, repr=False)
    _totals: list[_YearTotals] = field(default_factory=list, compare=False, repr=False)

    def totals(self) -> _YearTotals:
        """The sums the members' explanations divide by, made once (not once per member)."""
        if not self._totals:
            self._totals.append(_year_totals(self))
        return self._totals[0]

    def row_for(self, municipality_id: int) -> MemberRow | None:
        if isinstance(self.rows, MemberRows):
            return self.rows.row_for(municipality_id)
        if not self._index:
            self._index.update({row.municipality_id: row for row in self.rows})
        return self._index.get(municipality_id)

    @property
    def payable_total(self) -> Decimal:
        if isinstance(self.rows, MemberRows):
            return self.rows.payable_total()
        return sum((row.payable for row in self.rows), ZERO)

    @property
    def population_total(self) -> int:
        if isinstance(self.rows, MemberRows):
            return self.rows.population_total()
        return sum(row.population for row in self.rows)

    @property
    def usage_total(self) -> Decimal:
        if isinstance(self.rows, MemberRows):
            return self.rows.usage_total()
        return sum((row.usage_units for row in self.rows), Decimal(0))

    def participants(self, module_key: str) -> int:
        if isinstance(self.rows, MemberRows):
            return self.rows.participants(module_key)
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
    # Whole cents as columns in AGS order; the rows are made from the columns when asked for
    # (`MemberRows`), with no share object per member in between.
    cents = allocate_cents(
        net_cost=budget.net_cost,
        components=key.components,
        members=members,
        modules=[ModuleInput(m.key, m.name, m.weight) for m in modules],
    )
    in_order = cents.in_key_order
    ags, months, names = in_order(members.keys), in_order(members.months), in_order(members.names)
    credits = _fixed_credits(budget.grants_fixed, ags, months)
    if credits is not None:
        _check_credits(credits, cents.total, names)
    taken = in_order(members.modules)
    sorted_keys = {combination: tuple(sorted(combination)) for combination in set(taken)}
    rows = MemberRows(
        _RowColumns(
            municipality_ids=in_order(members.municipality_ids),
            names=names,
            ags=ags,
            months=months,
            populations=in_order(members.populations),
            usage_units=in_order(members.usage_units),
            module_keys=list(map(sorted_keys.__getitem__, taken)),
            population_dates=in_order(members.population_dates),
            cents=cents,
            credits=credits,
        )
    )
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
    """Pause Python's cyclic garbage collector for a computation over many members, and let
    it skip what the computation made.

    Computing the shares of 11,000 members makes some 100,000 small objects, none of them in
    a reference cycle. Each allocation burst lets the collector run, and a full collection
    walks every object of the Django process (some 150,000): a third of the time of a year's
    allocation went there. Reference counting still frees everything at once; the collector
    resumes afterwards (only where it was on: nested or concurrent pauses stay correct).

    On resuming, the young generation holds what the computation made, the 11,000 rows of
    its result among it, and the next allocation would start a young collection that walks
    them all for cycles they cannot have (6 to 9 ms of an allocation of 11,000 members). So
    they are moved to the oldest generation first (`_promote_young_objects`), where reference
    counting frees them long before a full collection comes round.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _promote_young_objects()
            gc.enable()


def _promote_young_objects() -> None:
    """Move the collector's young objects to its oldest generation: `gc.unfreeze()` puts what
    `gc.freeze()` set aside there. A process that froze its objects itself (a Celery pool
    process, see `config.celery`) keeps them frozen: there the young stay young."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def _fixed_credits(amount: Decimal, ags: Sequence[str], months: Sequence[int]) -> list[int] | None:
    """Each member's part of the grants passed on in a fixed split (by months), in cents in
    key order; None when there are none."""
    if amount <= 0:
        return None
    split = largest_remainder(int(amount * 100), list(zip(ags, months, strict=True)))
    return [split.get(code, 0) for code in ags]


def _check_credits(credits: Sequence[int], totals: Sequence[int], names: Sequence[str]) -> None:
    for name, credit, total in zip(names, credits, totals, strict=True):
        if credit > total:
            credit_euros, total_euros = euros([credit, total])
            raise AllocationError(
                f"Die fest aufgeteilten Fördermittel ({_money(credit_euros)}) übersteigen "
                f"den Anteil von {name} ({_money(total_euros)})."
            )


# --------------------------------------------------------------------------- explanations
#
# What a member needs to recompute each part of its share by hand, as numbers; the German
# sentences are made from these by `costsharing.explanations`.


@dataclass(frozen=True, slots=True)
class Split:
    """A pot split by weight: exactly `pot × weight / total`, rounded to `amount` (whole
    cents; the rounding rule is the engine's)."""

    pot: Decimal
    weight: Decimal  # the member's: its months, population × months, units × months
    total: Decimal  # every member's weights together
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ModulePart:
    """The member's part of one module it takes part in (equal per participant's month)."""

    name: str
    participants: int
    split: Split  # weight: the member's months; total: the participants' months


@dataclass(frozen=True, slots=True)
class Explanation:
    """One component of a member's share with every figure that makes it.

    `component` is a key component ("base", "population", "usage", "modules") or
    "grant_credit" (grants passed on in a fixed split, a negative amount)."""

    component: str
    amount: Decimal  # signed as it counts towards the payable amount
    percent: Decimal  # of the key (0 for the grant credit)
    net_cost: Decimal
    months: int  # the member's months of membership in the year
    members: int
    split: Split | None  # None for the modules: one split per module below
    population: int = 0
    usage_units: Decimal = Decimal(0)
    figure_date: date | None = None  # of the population figure used; None: unknown (old)
    key_date: date | None = None  # the key's reference date of the population figures
    modules: tuple[ModulePart, ...] = ()


@dataclass(frozen=True, slots=True)
class _YearTotals:
    """The sums every member's explanation divides by, made once per allocation."""

    pots: dict[str, Decimal]
    months: int
    population_months: int
    usage_months: Decimal
    module_months: dict[str, int]
    participants: dict[str, int]


def _year_totals(allocation: YearAllocation) -> _YearTotals:
    rows = allocation.rows
    if isinstance(rows, MemberRows):
        return rows.year_totals()
    pots = {
        "base": sum((r.base for r in rows), ZERO),
        "population": sum((r.population_amount for r in rows), ZERO),
        "usage": sum((r.usage for r in rows), ZERO),
    }
    return _totals_of(
        pots,
        [r.months for r in rows],
        [r.population for r in rows],
        [r.usage_units for r in rows],
        [r.module_keys for r in rows],
    )


def _totals_of(
    pots: dict[str, Decimal],
    months: Sequence[int],
    populations: Sequence[int],
    usage_units: Sequence[Decimal],
    module_keys: Sequence[tuple[str, ...]],
) -> _YearTotals:
    """The sums over the members' columns (in the same order) that explanations divide by."""
    module_months: dict[str, int] = {}
    participants: dict[str, int] = {}
    for keys, member_months in zip(module_keys, months, strict=True):
        for key in keys:
            module_months[key] = module_months.get(key, 0) + member_months
            participants[key] = participants.get(key, 0) + 1
    return _YearTotals(
        pots=pots,
        months=sum(months),
        population_months=sum(map(int.__mul__, populations, months)),
        usage_months=sum(map(Decimal.__mul__, usage_units, months), Decimal(0)),
        module_months=module_months,
        participants=participants,
    )


def explain(allocation: YearAllocation, row: MemberRow) -> tuple[Explanation, ...]:
    """Each component of a member's share with the figures needed to recompute it by hand:
    the component's pot, the member's weight, the sum of all members' weights and the result.

    Every weight is multiplied by the months of membership in the year (the engine's pro-rata
    rule), so the divisors are member months and population months, never the plain sums.
    """
    components = allocation.key.components
    totals = allocation.totals()
    net_cost, months, members = allocation.budget.net_cost, row.months, len(allocation.rows)
    items: list[Explanation] = []
    if components.base:
        split = Split(totals.pots["base"], Decimal(months), Decimal(totals.months), row.base)
        items.append(
            Explanation("base", row.base, components.base, net_cost, months, members, split)
        )
    if components.population:
        weight = Decimal(row.population * months)
        pot = totals.pots["population"]
        split = Split(pot, weight, Decimal(totals.population_months), row.population_amount)
        items.append(
            Explanation(
                "population",
                row.population_amount,
                components.population,
                net_cost,
                months,
                members,
                split,
                population=row.population,
                figure_date=row.population_date,
                key_date=allocation.key.population_date,
            )
        )
    if components.usage:
        weight_units = row.usage_units * months
        split = Split(totals.pots["usage"], weight_units, totals.usage_months, row.usage)
        items.append(
            Explanation(
                "usage",
                row.usage,
                components.usage,
                net_cost,
                months,
                members,
                split,
                usage_units=row.usage_units,
            )
        )
    if components.modules:
        items.append(
            Explanation(
                "modules",
                row.modules,
                components.modules,
                net_cost,
                months,
                members,
                None,
                modules=_module_parts(allocation, row, totals),
            )
        )
    if row.grant_credit:
        pot = allocation.budget.grants_fixed
        split = Split(pot, Decimal(months), Decimal(totals.months), row.grant_credit)
        items.append(
            Explanation("grant_credit", -row.grant_credit, ZERO, net_cost, months, members, split)
        )
    return tuple(items)


def _module_parts(
    allocation: YearAllocation, row: MemberRow, totals: _YearTotals
) -> tuple[ModulePart, ...]:
    modules = {module.key: module for module in allocation.modules}
    return tuple(
        ModulePart(
            name=modules[key].name,
            participants=totals.participants[key],
            split=Split(
                modules[key].pot,
                Decimal(row.months),
                Decimal(totals.module_months[key]),
                row.module_parts.get(key, ZERO),
            ),
        )
        for key in row.module_keys
        if key in modules
    )
