"""Allocation engine: splits a year's net cost among the member municipalities.

Pure Python on purpose (no Django import): the same function serves the live preview, the
frozen allocation of a year, the decision papers and the benchmark, and it can be tested
without a database.

Why the computation is done the way it is:

* Exact first, round once. Every raw share is a rational number; we compute it exactly with
  integers (weights scaled to a common denominator) and round only at the end. Floats would
  make the result depend on summation order and lose cents at 11,000 members; ``Fraction``
  objects would be exact too, but far slower than plain ``int`` arithmetic at 11,000
  members.

* Rounding is two-stage Hare-Niemeyer (largest remainder) over whole cents. First the net cost
  is split into the component pots (Sockelbetrag, Einwohner, Nutzung, Module) and the module
  pot into one pot per module; then each pot is split among its members. A member's total is
  the sum of its components. This is the only order that keeps every published figure
  consistent: each column of the Kostenbeteiligung table adds up exactly to its pot, the pots
  add up exactly to the net cost, and each row adds up exactly to the member's total, so a
  treasurer can re-add any line or column of a notice and get the printed number. The price
  is that a member's total is not necessarily the Hare-Niemeyer rounding of its exact total:
  it can differ from its exact share by less than one cent per column it takes part in,
  instead of less than one cent overall. Rounding the totals alone would give rows whose
  components do not add up, which is worse for a public decision paper than a cent.

* Ties (equal remainders) are frequent here, because the Sockelbetrag and the module shares
  are equal per member. Breaking every tie by the member key alone would hand the spare cent
  of every such column to the same members (those with the smallest keys). So a tie goes
  first to the member that has been rounded up in fewer of the earlier columns, and only
  then to the smaller key. That rule is cheap, spreads the spare cents, and can be stated in
  one sentence on a notice. Both criteria depend on the data only, never on the input order,
  so the same input always gives the same result. Within a column the largest remainder still
  decides first, which keeps each column monotone (more population never yields a smaller
  population share).

* Pro rata: a member that belongs only some months has every weight multiplied by
  months/12; the 1/12 cancels in every ratio, so the integer weight is simply ``weight *
  months``, and the other members carry the remainder.

Long because the engine is one pure unit: exact rational arithmetic, rounding once by largest
remainder and the checks of its inputs belong together, import no Django and are tested as one (the
reasons are in the list above).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import MAX_PREC, Context, Decimal, Inexact, Rounded
from fractions import Fraction
from functools import partial
from operator import add, attrgetter, itemgetter, mul
from typing import TypeVar

from izd import formats
from izd.exceptions import PortalError

__all__ = [
    "AllocationError",
    "AllocationResult",
    "CentShares",
    "ComponentAmounts",
    "KeyComponents",
    "MemberColumns",
    "MemberInput",
    "MemberShare",
    "ModuleInput",
    "allocate",
    "allocate_cents",
    "euros",
    "largest_remainder",
    "module_part_maps",
    "validate_components",
]

COMPONENT_NAMES = ("base", "population", "usage", "modules")
COMPONENT_LABELS = {
    "base": "Sockelbetrag",
    "population": "Einwohner",
    "usage": "Nutzung",
    "modules": "Module",
}


class AllocationError(PortalError):
    """The input cannot be allocated; the message is German and meant for the user."""


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True, slots=True)
class KeyComponents:
    """The allocation key: each component in percent of the net cost, together 100."""

    base: Decimal
    population: Decimal
    usage: Decimal
    modules: Decimal

    def as_dict(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in COMPONENT_NAMES}


@dataclass(frozen=True, slots=True)
class ModuleInput:
    key: str
    name: str
    weight: Decimal  # share of the module pot relative to the other modules, e.g. its cost


@dataclass(frozen=True, slots=True)
class MemberInput:
    key: str  # stable id (e.g. AGS); decides ties, so it must be unique
    name: str
    population: int  # Einwohner at the key's reference date
    months: int = 12  # months of membership in the year, 1..12
    usage_units: Decimal = Decimal(0)
    modules: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ComponentAmounts:
    """Amounts in EUR per key component (the pots, or one member's components)."""

    base: Decimal
    population: Decimal
    usage: Decimal
    modules: Decimal

    @property
    def total(self) -> Decimal:
        return self.base + self.population + self.usage + self.modules


@dataclass(frozen=True, slots=True)
class MemberShare:
    key: str
    name: str
    base: Decimal
    population: Decimal
    usage: Decimal
    modules: Decimal
    module_parts: Mapping[str, Decimal]  # per module the member takes part in; sums to modules
    total: Decimal
    months: int


@dataclass(frozen=True, slots=True)
class AllocationResult:
    net_cost: Decimal
    components: KeyComponents
    pots: ComponentAmounts
    module_pots: Mapping[str, Decimal]  # per module key; sums to pots.modules
    shares: tuple[MemberShare, ...]  # sorted by member key

    def by_key(self) -> dict[str, MemberShare]:
        return {share.key: share for share in self.shares}


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class MemberColumns:
    """The members as columns: one sequence per field of `MemberInput`, all in one order.

    What a query over the read model hands over without making an object per member (for
    11,000 members, making the objects costs about as much as the allocation itself).
    """

    keys: Sequence[str]
    names: Sequence[str]
    populations: Sequence[int]
    months: Sequence[int]
    usage_units: Sequence[Decimal]
    modules: Sequence[frozenset[str]]

    @staticmethod
    def of(members: Sequence[MemberInput]) -> MemberColumns:
        # comprehensions: attribute reads on slots are specialised by the interpreter
        return MemberColumns(
            [member.key for member in members],
            [member.name for member in members],
            [member.population for member in members],
            [member.months for member in members],
            [member.usage_units for member in members],
            [member.modules for member in members],
        )

    def member(self, index: int) -> MemberInput:
        """One member as an object (for a message about it)."""
        return MemberInput(
            self.keys[index],
            self.names[index],
            self.populations[index],
            self.months[index],
            self.usage_units[index],
            self.modules[index],
        )


@dataclass(frozen=True, slots=True)
class CentShares:
    """An allocation in whole cents, as columns in the members' key order."""

    order: list[int]  # the members' positions in the input, in key order
    net_cents: int
    pots: dict[str, int]  # by component name
    module_pots: dict[str, int]  # by module key, in key order
    base: list[int]
    population: list[int]
    usage: list[int]
    modules: list[int]  # per member, the sum of its module parts
    total: list[int]
    # per module key (in key order): the participants' positions in key order, their parts
    module_parts: dict[str, tuple[Sequence[int], list[int]]]

    def in_key_order(self, column: Sequence[_T]) -> list[_T]:
        """An input column (in the members' input order) rearranged into key order."""
        return list(map(column.__getitem__, self.order))


# --------------------------------------------------------------------------- rounding core


def _to_integers(values: Sequence[Fraction | Decimal | int]) -> list[int]:
    """Scale exact rationals to integers with the same ratios (common denominator)."""
    if any(isinstance(value, float) for value in values):
        # a float has already lost the cents it was meant to carry
        raise TypeError("Beträge und Gewichte müssen Decimal sein, nicht float.")
    ratios = [value.as_integer_ratio() for value in values]
    common = math.lcm(*{denominator for _, denominator in ratios}) if ratios else 1
    if common == 1:
        return [numerator for numerator, _ in ratios]
    return [numerator * (common // denominator) for numerator, denominator in ratios]


def _ratio(value: Fraction | Decimal | int) -> tuple[int, int]:
    if isinstance(value, float):
        raise TypeError("Beträge und Gewichte müssen Decimal sein, nicht float.")
    return value.as_integer_ratio()


def _apportion(
    total: int, weights: Sequence[int], priority: Callable[[], Sequence[int]] | None = None
) -> tuple[list[int], list[int]]:
    """Hare-Niemeyer over integer weights; returns the amounts and the rounded-up indices.

    A tie of equal remainders goes to the lower ``priority()[index]``, then to the lower
    index. ``priority`` is called only if a tie has to be broken.
    """
    weight_sum = sum(weights)
    if total == 0 or weight_sum == 0:
        return [0] * len(weights), []
    distinct = set(weights)
    if len(distinct) * 4 <= len(weights):
        # Equal weights are the rule in most columns (Sockelbetrag, modules: weight = months):
        # divide once per distinct weight instead of once per member, and find the cut among
        # the few distinct remainders instead of sorting one per member.
        split = {weight: divmod(total * weight, weight_sum) for weight in distinct}
        amounts = [split[weight][0] for weight in weights]
        left = total - sum(amounts)
        if not left:
            return amounts, []
        by_weight = {weight: remainder for weight, (_, remainder) in split.items()}
        remainders = [by_weight[weight] for weight in weights]
        cut = _cut_of_few(remainders, left)
    else:
        amounts = [total * weight // weight_sum for weight in weights]
        left = total - sum(amounts)
        if not left:
            return amounts, []
        # Two plain int lists rather than 11,000 (quotient, remainder) tuples: less allocation.
        remainders = [
            total * weight - amount * weight_sum
            for weight, amount in zip(weights, amounts, strict=True)
        ]
        cut = sorted(remainders, reverse=True)[left - 1]
    winners = _winners(remainders, cut, left, priority)
    for index in winners:
        amounts[index] += 1
    return amounts, winners


def _cut_of_few(remainders: list[int], count: int) -> int:
    """The ``count``-th largest of ``remainders`` when they take few distinct values."""
    frequency = Counter(remainders)
    for remainder in sorted(frequency, reverse=True):
        count -= frequency[remainder]
        if count <= 0:
            return remainder
    raise AssertionError("fewer remainders than cents left")  # pragma: no cover


def _winners(
    remainders: list[int], cut: int, count: int, priority: Callable[[], Sequence[int]] | None
) -> list[int]:
    """Indices of the ``count`` largest remainders (``cut``: the ``count``-th largest, > 0
    because fewer cents are left than there are remainders); only the tie at the cut is
    sorted."""
    winners = [index for index, remainder in enumerate(remainders) if remainder > cut]
    tied = [index for index, remainder in enumerate(remainders) if remainder == cut]
    needed = count - len(winners)
    if priority is not None and len(tied) > needed:
        tied.sort(key=priority().__getitem__)  # stable: equal priority keeps index order
    return winners + tied[:needed]


def largest_remainder(
    total_cents: int, weights: Sequence[tuple[str, Fraction | Decimal | int]]
) -> dict[str, int]:
    """Split ``total_cents`` by ``weights`` (Hare-Niemeyer), ties to the smaller key.

    The result does not depend on the order of ``weights``; the values add up to
    ``total_cents`` exactly.
    """
    if total_cents < 0:
        raise AllocationError("Der zu verteilende Betrag darf nicht negativ sein.")
    ordered = sorted(weights, key=itemgetter(0))
    keys = [key for key, _ in ordered]
    if len(set(keys)) != len(keys):
        raise AllocationError("Jede Kennung darf nur einmal vorkommen.")
    scaled = _to_integers([weight for _, weight in ordered])
    if scaled and min(scaled) < 0:
        raise AllocationError("Die Gewichte dürfen nicht negativ sein.")
    if total_cents and not any(scaled):
        raise AllocationError("Die Gewichte ergeben zusammen null; nichts kann verteilt werden.")
    amounts, _ = _apportion(total_cents, scaled)
    return dict(zip(keys, amounts, strict=True))


# --------------------------------------------------------------------------- validation


def _check_finite(value: Decimal | int, what: str) -> None:
    if isinstance(value, float):
        raise TypeError(f"{what}: Decimal erwartet, nicht float.")
    if isinstance(value, Decimal) and not value.is_finite():
        raise AllocationError(f"{what} muss eine endliche Zahl sein.")


# The messages keep every place of a wrong figure (an amount below whole cents, a key that
# misses 100 % by 0.001): rounding it away would hide what is wrong.
_money = partial(formats.money, exact_places=True)
_percent = partial(formats.percent, min_places=2)


def validate_components(components: KeyComponents) -> None:
    """Raise AllocationError unless the percents are non-negative and add up to 100."""
    for name, percent in components.as_dict().items():
        label = COMPONENT_LABELS[name]
        _check_finite(percent, f"Der Anteil „{label}“")
        if percent < 0:
            raise AllocationError(
                f"Der Anteil „{label}“ darf nicht negativ sein ({_percent(percent)})."
            )
    total = sum((Fraction(p) for p in components.as_dict().values()), Fraction(0))
    if total != 100:
        shown = sum(components.as_dict().values(), Decimal(0))
        raise AllocationError(f"Die Anteile des Schlüssels ergeben {_percent(shown)} statt 100 %.")


def _net_cost_cents(net_cost: Decimal) -> int:
    _check_finite(net_cost, "Die Nettokosten")
    if net_cost < 0:
        raise AllocationError(f"Die Nettokosten dürfen nicht negativ sein ({_money(net_cost)}).")
    numerator, denominator = _ratio(net_cost)
    cents, rest = divmod(numerator * 100, denominator)
    if rest:
        raise AllocationError(f"Die Nettokosten müssen auf volle Cent lauten ({_money(net_cost)}).")
    return cents


def _label(member: MemberInput) -> str:
    return f"{member.name} ({member.key})"


def _validate_members(members: MemberColumns, components: KeyComponents) -> None:
    if not members.keys:
        raise AllocationError("Für das Jahr sind keine Mitglieder erfasst.")
    if len(set(members.keys)) != len(members.keys):
        seen: set[str] = set()
        for key in members.keys:
            if key in seen:
                raise AllocationError(f"Die Kennung „{key}“ ist mehrfach vergeben.")
            seen.add(key)
    if not _members_look_valid(members, components):
        for index in range(len(members.keys)):  # slow path: the first culprit for the message
            _validate_member(members.member(index), components)


def _members_look_valid(members: MemberColumns, components: KeyComponents) -> bool:
    """Bulk check (fast for 11,000 members); False means: look at each member."""
    months, usage = members.months, members.usage_units
    lowest_population = 1 if components.population > 0 else 0
    return (
        set(map(type, months)) == {int}  # a bool is no month count
        and min(months) >= 1
        and max(months) <= 12
        and min(members.populations) >= lowest_population
        and set(map(type, usage)) == {Decimal}
        and all(map(Decimal.is_finite, usage))
        and min(usage) >= 0
    )


def _validate_member(member: MemberInput, components: KeyComponents) -> None:
    if isinstance(member.months, bool) or not 1 <= member.months <= 12:
        raise AllocationError(
            f"Die Monate der Mitgliedschaft von {_label(member)} müssen zwischen 1 und 12 "
            f"liegen (angegeben: {member.months})."
        )
    if member.population < 0:
        raise AllocationError(
            f"Die Einwohnerzahl von {_label(member)} darf nicht negativ sein ({member.population})."
        )
    if member.population == 0 and components.population > 0:
        raise AllocationError(f"{_label(member)} hat keine Einwohnerzahl.")
    _check_finite(member.usage_units, f"Die Leistungseinheiten von {_label(member)}")
    if member.usage_units < 0:
        raise AllocationError(
            f"Die Leistungseinheiten von {_label(member)} dürfen nicht negativ sein "
            f"({formats.exact(member.usage_units, 2)})."
        )


def _validate_modules(
    modules: Sequence[ModuleInput], members: MemberColumns, components: KeyComponents
) -> None:
    keys: set[str] = set()
    for module in modules:
        if module.key in keys:
            raise AllocationError(f"Die Modulkennung „{module.key}“ ist mehrfach vergeben.")
        keys.add(module.key)
        _check_finite(module.weight, f"Das Gewicht des Moduls „{module.name}“")
        if module.weight < 0:
            raise AllocationError(
                f"Das Gewicht des Moduls „{module.name}“ darf nicht negativ sein "
                f"({formats.exact(module.weight, 2)})."
            )
    if not keys.issuperset(frozenset().union(*members.modules)):
        for index, taken in enumerate(members.modules):
            unknown = sorted(taken - keys)
            if unknown:
                raise AllocationError(
                    f"{_label(members.member(index))} nimmt am unbekannten Modul "
                    f"„{unknown[0]}“ teil."
                )
    if components.modules > 0 and not any(module.weight > 0 for module in modules):
        raise AllocationError(
            "Für den Anteil nach Modulen sind keine Module mit einem Gewicht erfasst."
        )


# --------------------------------------------------------------------------- allocation


@dataclass(slots=True)
class _Column:
    """One pot split among some members (``members``: indices into the sorted members)."""

    pot: int
    members: list[int] | range
    weights: list[int]
    amounts: list[int] | None = None


def allocate(
    *,
    net_cost: Decimal,
    components: KeyComponents,
    members: Sequence[MemberInput],
    modules: Sequence[ModuleInput] = (),
) -> AllocationResult:
    """Split ``net_cost`` among ``members`` by the key ``components``; see the module doc."""
    columns = MemberColumns.of(members)
    cents = allocate_cents(
        net_cost=net_cost, components=components, members=columns, modules=modules
    )
    in_order = cents.in_key_order
    shares = tuple(
        map(
            MemberShare,
            in_order(columns.keys),
            in_order(columns.names),
            euros(cents.base),
            euros(cents.population),
            euros(cents.usage),
            euros(cents.modules),
            module_part_maps(cents, len(columns.keys)),
            euros(cents.total),
            in_order(columns.months),
        )
    )
    return AllocationResult(
        net_cost=_to_euro(cents.net_cents),
        components=components,
        pots=ComponentAmounts(*euros(cents.pots[name] for name in COMPONENT_NAMES)),
        module_pots=dict(zip(cents.module_pots, euros(cents.module_pots.values()), strict=True)),
        shares=shares,
    )


def allocate_cents(
    *,
    net_cost: Decimal,
    components: KeyComponents,
    members: MemberColumns,
    modules: Sequence[ModuleInput] = (),
) -> CentShares:
    """``allocate()`` on columns, in whole cents: the same validation and the same result.

    For callers that read the members as columns (a query over 11,000 members) and build
    their own rows; ``allocate()`` is this plus the conversion to EUR and one share object
    per member.
    """
    net_cents = _net_cost_cents(net_cost)
    validate_components(components)
    _validate_members(members, components)
    _validate_modules(modules, members, components)
    keys = members.keys
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ordered_modules = sorted(modules, key=attrgetter("key"))

    def in_order(column: Sequence[_T]) -> list[_T]:
        return [column[index] for index in order]

    months = in_order(members.months)
    pots = _component_pots(net_cents, components)
    columns = _member_columns(
        months, in_order(members.populations), in_order(members.usage_units), components, pots
    )
    module_columns, module_pots = _module_columns(
        months,
        in_order(members.modules),
        ordered_modules,
        pots["modules"],
        active=components.modules > 0,
    )
    count = len(order)
    _round_columns([*columns.values(), *module_columns.values()], count)
    base, population, usage = (
        _column_values(columns.get(name), count) for name in COMPONENT_NAMES[:3]
    )
    module_sums = [0] * count
    for column in module_columns.values():
        _add_at(module_sums, column.members, column.amounts or [])
    return CentShares(
        order=order,
        net_cents=net_cents,
        pots=pots,
        module_pots=module_pots,
        base=base,
        population=population,
        usage=usage,
        modules=module_sums,
        total=list(map(add, map(add, base, population), map(add, usage, module_sums))),
        module_parts={
            key: (column.members, column.amounts or []) for key, column in module_columns.items()
        },
    )


def _add_at(values: list[int], indices: Sequence[int], amounts: Sequence[int]) -> None:
    """``values[index] += amount`` for each pair."""
    for index, amount in zip(indices, amounts, strict=True):
        values[index] += amount


def _component_pots(net_cents: int, components: KeyComponents) -> dict[str, int]:
    """The net cost split over the components; ties go to the earlier component."""
    amounts, _ = _apportion(net_cents, _to_integers(list(components.as_dict().values())))
    return dict(zip(COMPONENT_NAMES, amounts, strict=True))


def _member_columns(
    months: list[int],
    populations: list[int],
    usage_units: list[Decimal],
    components: KeyComponents,
    pots: Mapping[str, int],
) -> dict[str, _Column]:
    everyone = range(len(months))
    weights = {
        "base": months,
        "population": list(map(mul, populations, months)),
        "usage": list(map(mul, _to_integers(usage_units), months)),
    }
    columns: dict[str, _Column] = {}
    for name, column_weights in weights.items():
        if getattr(components, name) == 0:
            continue  # a component without a share is skipped, even if it has no weights
        if not any(column_weights):
            raise AllocationError(_EMPTY_COMPONENT[name])
        columns[name] = _Column(pots[name], everyone, column_weights)
    return columns


_EMPTY_COMPONENT = {
    "base": "Für den Sockelbetrag sind keine Mitglieder erfasst.",
    "population": "Für den Anteil nach Einwohnern sind keine Einwohnerzahlen erfasst.",
    "usage": "Für den Anteil nach Nutzung sind keine Leistungseinheiten erfasst.",
}


def _module_columns(
    months: list[int],
    taken: list[frozenset[str]],
    modules: Sequence[ModuleInput],
    pot: int,
    active: bool,
) -> tuple[dict[str, _Column], dict[str, int]]:
    """One column per module: its part of the module pot, equal per participant (pro rata)."""
    if not modules:
        return {}, {}
    amounts, _ = _apportion(pot, _to_integers([module.weight for module in modules]))
    module_pots = dict(zip((module.key for module in modules), amounts, strict=True))
    participants: dict[str, list[int]] = {module.key: [] for module in modules}
    for index, keys in enumerate(taken):
        for key in keys:
            participants[key].append(index)  # indices ascend, so each list stays key-sorted
    columns: dict[str, _Column] = {}
    for module in modules:
        indices = participants[module.key]
        if not indices and active and module.weight > 0:
            raise AllocationError(f"Das Modul „{module.name}“ hat keine Teilnehmenden.")
        weights = [months[index] for index in indices]
        columns[module.key] = _Column(module_pots[module.key], indices, weights)
    return columns, module_pots


def _round_columns(columns: Sequence[_Column], member_count: int) -> None:
    """Round each column by Hare-Niemeyer; a tie goes to the member rounded up least so far.

    Counting round-ups (rather than tracking each member's exact rounding error) is cheap
    and easy to explain in a notice, and it spreads the spare cents of the equal columns.
    """
    rounded_up = [0] * member_count
    for column in columns:
        priority = _priority(rounded_up, column.members) if any(rounded_up) else None
        amounts, winners = _apportion(column.pot, column.weights, priority)
        column.amounts = amounts
        members = column.members
        for position in winners:
            rounded_up[members[position]] += 1


def _priority(rounded_up: list[int], members: Sequence[int]) -> Callable[[], list[int]]:
    """Round-ups so far of the column's members, by position in the column."""
    return lambda: list(map(rounded_up.__getitem__, members))


def _column_values(column: _Column | None, count: int) -> list[int]:
    if column is None or column.amounts is None:
        return [0] * count
    if len(column.members) == count:  # everyone takes part: already in member order
        return column.amounts
    values = [0] * count
    _add_at(values, column.members, column.amounts)
    return values


# --------------------------------------------------------------------------- to EUR

# Converting cents to EUR must be exact whatever decimal context the caller has set.
_EXACT = Context(prec=MAX_PREC, traps=[Inexact, Rounded])
_to_euro = partial(_EXACT.multiply, Decimal("0.01"))


def euros(cents: Iterable[int]) -> list[Decimal]:
    """Whole cents as EUR amounts (exact)."""
    values = list(cents)
    distinct = set(values)
    if len(distinct) * 4 <= len(values):  # equal shares: convert each amount once
        converted = {value: _to_euro(value) for value in distinct}
        return list(map(converted.__getitem__, values))
    return list(map(_to_euro, values))


def module_part_maps(cents: CentShares, count: int) -> list[dict[str, Decimal]]:
    """Per member in key order: its part of each module it takes part in, in EUR, by module
    key (in module key order)."""
    parts: list[dict[str, Decimal]] = [{} for _ in range(count)]
    for key, (indices, amounts) in cents.module_parts.items():  # in module key order
        for part, value in zip(map(parts.__getitem__, indices), euros(amounts), strict=True):
            part[key] = value
    return parts
