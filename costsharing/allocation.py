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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import MAX_PREC, Context, Decimal, Inexact, Rounded
from fractions import Fraction
from functools import partial

from izd.exceptions import PortalError

__all__ = [
    "AllocationError",
    "AllocationResult",
    "ComponentAmounts",
    "KeyComponents",
    "MemberInput",
    "MemberShare",
    "ModuleInput",
    "allocate",
    "format_eur",
    "format_percent",
    "largest_remainder",
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


# --------------------------------------------------------------------------- formatting


def _format_de(value: Decimal, min_places: int = 2) -> str:
    """German number format: thousands '.', decimal ','; never hides significant digits."""
    exponent = value.as_tuple().exponent
    places = max(min_places, -exponent) if isinstance(exponent, int) else min_places
    text = f"{value:,.{places}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_eur(value: Decimal) -> str:
    return f"{_format_de(value)} EUR"


def format_percent(value: Decimal) -> str:
    return f"{_format_de(value)} %"


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
        # divide once per distinct weight instead of once per member.
        quotients = {weight: total * weight // weight_sum for weight in distinct}
        amounts = [quotients[weight] for weight in weights]
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
    winners = _winners(remainders, left, priority)
    for index in winners:
        amounts[index] += 1
    return amounts, winners


def _winners(
    remainders: list[int], count: int, priority: Callable[[], Sequence[int]] | None
) -> list[int]:
    """Indices of the ``count`` largest remainders; only the tie at the cut is sorted."""
    cut = sorted(remainders, reverse=True)[count - 1]  # > 0: fewer cents left than remainders
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
    ordered = sorted(weights, key=lambda item: item[0])
    keys = [key for key, _ in ordered]
    if len(set(keys)) != len(keys):
        raise AllocationError("Jede Kennung darf nur einmal vorkommen.")
    scaled = _to_integers([weight for _, weight in ordered])
    if any(weight < 0 for weight in scaled):
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


def validate_components(components: KeyComponents) -> None:
    """Raise AllocationError unless the percents are non-negative and add up to 100."""
    for name, percent in components.as_dict().items():
        label = COMPONENT_LABELS[name]
        _check_finite(percent, f"Der Anteil „{label}“")
        if percent < 0:
            raise AllocationError(
                f"Der Anteil „{label}“ darf nicht negativ sein ({format_percent(percent)})."
            )
    total = sum((Fraction(p) for p in components.as_dict().values()), Fraction(0))
    if total != 100:
        shown = sum(components.as_dict().values(), Decimal(0))
        raise AllocationError(
            f"Die Anteile des Schlüssels ergeben {format_percent(shown)} statt 100 %."
        )


def _net_cost_cents(net_cost: Decimal) -> int:
    _check_finite(net_cost, "Die Nettokosten")
    if net_cost < 0:
        raise AllocationError(
            f"Die Nettokosten dürfen nicht negativ sein ({format_eur(net_cost)})."
        )
    numerator, denominator = _ratio(net_cost)
    cents, rest = divmod(numerator * 100, denominator)
    if rest:
        raise AllocationError(
            f"Die Nettokosten müssen auf volle Cent lauten ({_format_de(net_cost)} EUR)."
        )
    return cents


def _label(member: MemberInput) -> str:
    return f"{member.name} ({member.key})"


def _validate_members(members: Sequence[MemberInput], components: KeyComponents) -> None:
    if not members:
        raise AllocationError("Für das Jahr sind keine Mitglieder erfasst.")
    if len({member.key for member in members}) != len(members):
        seen: set[str] = set()
        for member in members:
            if member.key in seen:
                raise AllocationError(f"Die Kennung „{member.key}“ ist mehrfach vergeben.")
            seen.add(member.key)
    if not _members_look_valid(members, components):
        for member in members:  # slow path: find the first culprit for the message
            _validate_member(member, components)


def _members_look_valid(members: Sequence[MemberInput], components: KeyComponents) -> bool:
    """Bulk check (fast for 11,000 members); False means: look at each member."""
    months = [member.months for member in members]
    populations = [member.population for member in members]
    usage = [member.usage_units for member in members]
    lowest_population = 1 if components.population > 0 else 0
    return (
        all(type(month) is int for month in months)  # a bool is no month count
        and min(months) >= 1
        and max(months) <= 12
        and min(populations) >= lowest_population
        and all(isinstance(units, Decimal) and units.is_finite() for units in usage)
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
            f"({_format_de(member.usage_units)})."
        )


def _validate_modules(
    modules: Sequence[ModuleInput], members: Sequence[MemberInput], components: KeyComponents
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
                f"({_format_de(module.weight)})."
            )
    if not keys.issuperset(frozenset().union(*(member.modules for member in members))):
        for member in members:
            unknown = sorted(member.modules - keys)
            if unknown:
                raise AllocationError(
                    f"{_label(member)} nimmt am unbekannten Modul „{unknown[0]}“ teil."
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
    members: list[int]
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
    net_cents = _net_cost_cents(net_cost)
    validate_components(components)
    _validate_members(members, components)
    _validate_modules(modules, members, components)
    ordered = sorted(members, key=lambda member: member.key)
    ordered_modules = sorted(modules, key=lambda module: module.key)

    pots = _component_pots(net_cents, components)
    columns = _member_columns(ordered, components, pots)
    module_columns, module_pots = _module_columns(
        ordered, ordered_modules, pots["modules"], active=components.modules > 0
    )
    _round_columns([*columns.values(), *module_columns.values()], len(ordered))
    return _result(net_cents, components, pots, module_pots, ordered, columns, module_columns)


def _component_pots(net_cents: int, components: KeyComponents) -> dict[str, int]:
    """The net cost split over the components; ties go to the earlier component."""
    amounts, _ = _apportion(net_cents, _to_integers(list(components.as_dict().values())))
    return dict(zip(COMPONENT_NAMES, amounts, strict=True))


def _member_columns(
    members: Sequence[MemberInput], components: KeyComponents, pots: Mapping[str, int]
) -> dict[str, _Column]:
    everyone = list(range(len(members)))
    months = [member.months for member in members]
    usage = _to_integers([member.usage_units for member in members])
    weights = {
        "base": months,
        "population": [m.population * m.months for m in members],
        "usage": [units * month for units, month in zip(usage, months, strict=True)],
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
    members: Sequence[MemberInput], modules: Sequence[ModuleInput], pot: int, active: bool
) -> tuple[dict[str, _Column], dict[str, int]]:
    """One column per module: its part of the module pot, equal per participant (pro rata)."""
    if not modules:
        return {}, {}
    amounts, _ = _apportion(pot, _to_integers([module.weight for module in modules]))
    module_pots = dict(zip((module.key for module in modules), amounts, strict=True))
    participants: dict[str, list[int]] = {module.key: [] for module in modules}
    for index, member in enumerate(members):
        for key in member.modules:
            participants[key].append(index)  # indices ascend, so each list stays key-sorted
    columns: dict[str, _Column] = {}
    for module in modules:
        indices = participants[module.key]
        if not indices and active and module.weight > 0:
            raise AllocationError(f"Das Modul „{module.name}“ hat keine Teilnehmenden.")
        weights = [members[index].months for index in indices]
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
        for position in winners:
            rounded_up[column.members[position]] += 1


def _priority(rounded_up: list[int], members: list[int]) -> Callable[[], list[int]]:
    """Round-ups so far of the column's members, by position in the column."""
    return lambda: list(map(rounded_up.__getitem__, members))


# Converting cents to EUR must be exact whatever decimal context the caller has set.
_EXACT = Context(prec=MAX_PREC, traps=[Inexact, Rounded])
_to_euro = partial(_EXACT.multiply, Decimal("0.01"))


def _euros(cents: Iterable[int]) -> list[Decimal]:
    values = list(cents)
    distinct = set(values)
    if len(distinct) * 4 <= len(values):  # equal shares: convert each amount once
        euros = {value: _to_euro(value) for value in distinct}
        return [euros[value] for value in values]
    return list(map(_to_euro, values))


def _result(
    net_cents: int,
    components: KeyComponents,
    pots: Mapping[str, int],
    module_pots: Mapping[str, int],
    members: Sequence[MemberInput],
    columns: Mapping[str, _Column],
    module_columns: Mapping[str, _Column],
) -> AllocationResult:
    count = len(members)
    base, population, usage = (
        _column_values(columns.get(name), count) for name in COMPONENT_NAMES[:3]
    )
    module_sums, parts = _module_parts(module_columns, count)
    totals = [sum(row) for row in zip(base, population, usage, module_sums, strict=True)]
    shares = tuple(
        map(
            MemberShare,
            [member.key for member in members],
            [member.name for member in members],
            _euros(base),
            _euros(population),
            _euros(usage),
            _euros(module_sums),
            parts,
            _euros(totals),
            [member.months for member in members],
        )
    )
    return AllocationResult(
        net_cost=_to_euro(net_cents),
        components=components,
        pots=ComponentAmounts(*_euros(pots[name] for name in COMPONENT_NAMES)),
        module_pots=dict(zip(module_pots, _euros(module_pots.values()), strict=True)),
        shares=shares,
    )


def _module_parts(
    module_columns: Mapping[str, _Column], count: int
) -> tuple[list[int], list[dict[str, Decimal]]]:
    """Per member: the sum of its module parts in cents, and the parts in EUR by module key."""
    sums = [0] * count
    parts: list[dict[str, Decimal]] = [{} for _ in range(count)]
    for key, column in module_columns.items():  # in module key order, so parts stay sorted
        amounts = column.amounts or []
        for part, euros in zip(
            map(parts.__getitem__, column.members), _euros(amounts), strict=True
        ):
            part[key] = euros
        for index, amount in zip(column.members, amounts, strict=True):
            sums[index] += amount
    return sums, parts


def _column_values(column: _Column | None, count: int) -> list[int]:
    if column is None or column.amounts is None:
        return [0] * count
    if len(column.members) == count:  # everyone takes part: already in member order
        return column.amounts
    values = [0] * count
    for index, amount in zip(column.members, column.amounts, strict=True):
        values[index] = amount
    return values
