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
from decimal import MAX_PREC, Context, Decimal, Inexact, Rounded, localcontext
from fractions import Fraction
from functools import partial
from itertools import compress, islice, repeat
from operator import attrgetter, eq, floordiv, itemgetter, lt, methodcaller, mod, mul
from typing import TypeVar

import numpy as np

from izd import formats
from izd.exceptions import PortalError

__all__ = [
    "AllocationError",
    "AllocationResult",
    "CentShares",
    "ComponentAmounts",
    "IntegerArrays",
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
# A column's member positions and amounts: Python lists, or int64 arrays where numpy rounded
# a long module column (they stay arrays from the rounding to the module parts).
Indices = list[int] | np.ndarray
Amounts = list[int] | np.ndarray


@dataclass(frozen=True, slots=True, eq=False)  # arrays compare element by element
class IntegerArrays:
    """A reader's integer columns of the members as int64 arrays, in the members' order:
    what the engine checks and weighs in numpy instead of a Python pass over 11,000 members
    per column (an int64 array holds integers only, so no bool or float can hide in it)."""

    months: np.ndarray
    populations: np.ndarray
    usage: np.ndarray | None  # the usage weights (`usage_weights`); None: not as an array


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

    def usage_weights(self) -> Sequence[int]:
        """The usage units as integers in one common scale (only their ratios count)."""
        return _to_integers(self.usage_units)

    def usage_looks_valid(self) -> bool:
        """Bulk check: every usage figure is a finite Decimal, none negative."""
        usage = self.usage_units
        return (
            set(map(type, usage)) == {Decimal}
            and all(map(Decimal.is_finite, usage))
            and min(usage) >= 0
        )

    def integer_arrays(self) -> IntegerArrays | None:
        """The integer columns as int64 arrays, where the reader has them; None: the engine
        works on the lists, whose items it checks one by one."""
        return None

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

    order: Sequence[int]  # the members' positions in the input, in key order
    net_cents: int
    pots: dict[str, int]  # by component name
    module_pots: dict[str, int]  # by module key, in key order
    base: list[int]
    population: list[int]
    usage: list[int]
    modules: list[int]  # per member, the sum of its module parts
    total: list[int]
    # per module key (in key order): the participants' positions in key order, their parts
    # (int64 arrays where the engine rounded the module with numpy)
    module_parts: dict[str, tuple[Indices | range, Amounts]]

    def in_key_order(self, column: Sequence[_T]) -> list[_T]:
        """An input column (in the members' input order) rearranged into key order."""
        return _rearranged(column, self.order)


def _key_order(keys: Sequence[str]) -> Sequence[int]:
    """The positions of ``keys`` in key order; ``range`` when they are in key order already
    (the selectors read them sorted, so nothing needs rearranging)."""
    if all(map(lt, keys, islice(keys, 1, None))):
        return range(len(keys))
    return sorted(range(len(keys)), key=keys.__getitem__)


def _rearranged(column: Sequence[_T], order: Sequence[int]) -> list[_T]:
    if _unchanged(order):
        return list(column)
    return list(map(column.__getitem__, order))


def _unchanged(order: Sequence[int]) -> bool:
    """Whether ``order`` (from `_key_order`) leaves the members where they are."""
    return isinstance(order, range) and order.start == 0 and order.step == 1


# --------------------------------------------------------------------------- rounding core


def _to_integers(values: Sequence[Fraction | Decimal | int]) -> list[int]:
    """Scale exact rationals to integers with the same ratios (common denominator)."""
    if float in set(map(type, values)):
        # a float has already lost the cents it was meant to carry
        raise TypeError("Beträge und Gewichte müssen Decimal sein, nicht float.")
    # map() over C-level callables: no Python frame per value (11,000 usage figures)
    ratios = list(map(_AS_RATIO, values))
    numerators = list(map(_FIRST, ratios))
    denominators = list(map(_SECOND, ratios))
    common = math.lcm(*set(denominators)) if ratios else 1
    if common == 1:
        return numerators
    return list(map(mul, numerators, map(floordiv, repeat(common), denominators)))


_AS_RATIO = methodcaller("as_integer_ratio")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _ratio(value: Fraction | Decimal | int) -> tuple[int, int]:
    if isinstance(value, float):
        raise TypeError("Beträge und Gewichte müssen Decimal sein, nicht float.")
    return value.as_integer_ratio()


def _apportion(
    total: int, weights: Sequence[int], priority: Callable[[], np.ndarray] | None = None
) -> tuple[list[int], list[int]]:
    """Hare-Niemeyer over integer weights; returns the amounts and the rounded-up indices.

    A tie of equal remainders goes to the lower ``priority()[index]``, then to the lower
    index. ``priority`` is called only if a tie has to be broken.

    Each pass over the weights is a ``map()`` over C-level callables (no Python frame or
    bytecode per member): at 11,000 members that is what makes a column cost well under a
    millisecond instead of several.
    """
    weight_sum = sum(weights)
    count = len(weights)
    if total == 0 or weight_sum == 0:
        return [0] * count, []
    if count >= NUMPY_FROM:
        found = _apportion_int64(total, weights, weight_sum, priority)
        if found is not None:
            return found[0].tolist(), found[1].tolist()
    frequency = Counter(weights)
    if len(frequency) * 4 <= count:
        # Equal weights are the rule in most columns (Sockelbetrag, modules: weight = months):
        # divide once per distinct weight instead of once per member, and find the cut among
        # the few distinct remainders instead of sorting one per member.
        split = {weight: divmod(total * weight, weight_sum) for weight in frequency}
        left = total - sum(quotient * frequency[w] for w, (quotient, _) in split.items())
        amounts = list(
            map({w: quotient for w, (quotient, _) in split.items()}.__getitem__, weights)
        )
        if not left:
            return amounts, []
        by_remainder: Counter[int] = Counter()
        for weight, (_, remainder) in split.items():
            by_remainder[remainder] += frequency[weight]
        cut = _cut_of_few(by_remainder, left)
        above = {w for w, (_, remainder) in split.items() if remainder > cut}
        at_cut = {w for w, (_, remainder) in split.items() if remainder == cut}
        winners = list(compress(range(count), map(above.__contains__, weights)))
        tied = list(compress(range(count), map(at_cut.__contains__, weights)))
    else:
        products = list(map(mul, repeat(total), weights))
        amounts = list(map(floordiv, products, repeat(weight_sum)))
        left = total - sum(amounts)
        if not left:
            return amounts, []
        remainders = list(map(mod, products, repeat(weight_sum)))
        # the left-th largest remainder; > 0, because fewer cents are left than there are
        # positive remainders
        cut = sorted(remainders)[count - left]
        winners = list(compress(range(count), map(lt, repeat(cut), remainders)))
        tied = list(compress(range(count), map(eq, repeat(cut), remainders)))
    needed = left - len(winners)
    if priority is not None and len(tied) > needed:
        ranks = np.asarray(priority()).tolist()
        tied.sort(key=ranks.__getitem__)  # stable: equal priority keeps index order
    winners += tied[:needed]
    _increment(amounts, winners)
    return amounts, winners


# Columns from this length on are rounded with numpy (int64 arrays), shorter ones in plain
# Python, which is faster for them. A test sets it to 0 to run every case through numpy.
NUMPY_FROM = 200
_INT64_MAX = 2**63 - 1


def _apportion_int64(
    total: int,
    weights: Sequence[int] | np.ndarray,
    weight_sum: int,
    priority: Callable[[], np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """`_apportion` on int64 arrays, the same result; None if a figure could leave int64.

    Every intermediate value is bounded by ``total * max(weights)`` (the products) or
    ``weight_sum``; both are checked against 2**63 - 1 first, so nothing can wrap around.
    Beyond that (a net cost of billions of euros times an unusually fine usage unit) the
    caller falls back to Python's unbounded integers.
    """
    if total > _INT64_MAX or weight_sum > _INT64_MAX:
        return None
    try:
        array = np.asarray(weights, dtype=np.int64)
    except OverflowError:
        return None
    if total * int(array.max()) > _INT64_MAX or int(array.min()) < 0:
        return None
    products = array * total
    amounts = products // weight_sum
    remainders = products - amounts * weight_sum
    left = total - int(amounts.sum())
    if not left:
        return amounts, np.empty(0, dtype=np.intp)
    count = len(array)
    cut = np.partition(remainders, count - left)[count - left]  # the left-th largest
    winners = np.flatnonzero(remainders > cut)
    tied = np.flatnonzero(remainders == cut)
    needed = left - len(winners)
    if priority is not None and len(tied) > needed:
        ranks = np.asarray(priority())[tied]
        tied = tied[np.argsort(ranks, kind="stable")]  # equal priority keeps index order
    chosen = np.concatenate((winners, tied[:needed]))
    amounts[chosen] += 1
    return amounts, chosen


def _cut_of_few(frequency: Counter[int], count: int) -> int:
    """The ``count``-th largest remainder, given how often each remainder occurs."""
    for remainder in sorted(frequency, reverse=True):
        count -= frequency[remainder]
        if count <= 0:
            return remainder
    raise AssertionError("fewer remainders than cents left")  # pragma: no cover


def _add_at(values: list[int], indices: Iterable[int], amounts: Iterable[int]) -> None:
    """``values[index] += amount`` for each pair."""
    for index, amount in zip(indices, amounts, strict=True):
        values[index] += amount


def _increment(values: list[int], indices: Iterable[int]) -> None:
    for index in indices:
        values[index] += 1


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
    months = members.months
    lowest_population = 1 if components.population > 0 else 0
    arrays = members.integer_arrays()
    if arrays is not None:
        if not len(arrays.months) == len(arrays.populations) == len(members.keys):
            raise ValueError("The members' integer arrays and columns differ in length.")
        return bool(
            arrays.months.min() >= 1
            and arrays.months.max() <= _MONTHS
            and arrays.populations.min() >= lowest_population
            and members.usage_looks_valid()
        )
    return (
        set(map(type, months)) == {int}  # a bool is no month count
        and min(months) >= 1
        and max(months) <= 12
        and min(members.populations) >= lowest_population
        and members.usage_looks_valid()
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
    members: Indices | range
    weights: list[int] | np.ndarray
    amounts: Amounts | None = None


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
    order = _key_order(keys)
    ordered_modules = sorted(modules, key=attrgetter("key"))

    def in_order(column: Sequence[_T]) -> list[_T]:
        return _rearranged(column, order)

    count = len(order)
    months, populations, usage = _integer_columns(members, order)
    pots = _component_pots(net_cents, components)
    columns = _member_columns(months, populations, usage, components, pots)
    module_columns, module_pots = _module_columns(
        months,
        in_order(members.modules),
        ordered_modules,
        pots["modules"],
        active=components.modules > 0,
    )
    _round_columns([*columns.values(), *module_columns.values()], count)
    base, population, usage_cents = (
        _column_values(columns.get(name), count) for name in COMPONENT_NAMES[:3]
    )
    module_sums = _sums_at(module_columns.values(), count, bound=net_cents)
    return CentShares(
        order=order,
        net_cents=net_cents,
        pots=pots,
        module_pots=module_pots,
        base=base,
        population=population,
        usage=usage_cents,
        modules=module_sums,
        total=_sums_at([*columns.values(), *module_columns.values()], count, bound=net_cents),
        module_parts={
            key: (column.members, [] if column.amounts is None else column.amounts)
            for key, column in module_columns.items()
        },
    )


_Integers = Callable[[], Sequence[int] | np.ndarray]


def _integer_columns(
    members: MemberColumns, order: Sequence[int]
) -> tuple[list[int] | np.ndarray, _Integers, _Integers]:
    """The months in key order, and how to read the populations and the usage weights in
    it: from the reader's int64 arrays where it has them and the members are many enough for
    numpy (`NUMPY_FROM`), else from the lists."""
    arrays = members.integer_arrays() if len(order) >= NUMPY_FROM else None
    usage: _Integers = partial(_usage_in_order, members, order)
    if arrays is None:
        populations = partial(_rearranged, members.populations, order)
        return _rearranged(members.months, order), populations, usage
    if arrays.usage is not None:
        usage = partial(_arranged, arrays.usage, order)
    return _arranged(arrays.months, order), partial(_arranged, arrays.populations, order), usage


def _usage_in_order(members: MemberColumns, order: Sequence[int]) -> list[int]:
    return _rearranged(members.usage_weights(), order)


def _component_pots(net_cents: int, components: KeyComponents) -> dict[str, int]:
    """The net cost split over the components; ties go to the earlier component."""
    amounts, _ = _apportion(net_cents, _to_integers(list(components.as_dict().values())))
    return dict(zip(COMPONENT_NAMES, amounts, strict=True))


def _member_columns(
    months: list[int] | np.ndarray,
    populations: Callable[[], Sequence[int] | np.ndarray],
    usage: Callable[[], Sequence[int] | np.ndarray],
    components: KeyComponents,
    pots: Mapping[str, int],
) -> dict[str, _Column]:
    """The member columns with a share; ``populations`` and ``usage`` (integers in any one
    scale) are read only for a component that has one. With the months as an int64 array
    (the reader's `IntegerArrays`), a column's weights stay an array where they fit."""
    everyone = range(len(months))
    weights = {
        "base": lambda: months,
        "population": lambda: _times_months(populations(), months),
        "usage": lambda: _times_months(usage(), months),
    }
    columns: dict[str, _Column] = {}
    for name, weigh in weights.items():
        if getattr(components, name) == 0:
            continue  # a component without a share is skipped, even if it has no weights
        column_weights = weigh()
        if not _any_weight(column_weights):
            raise AllocationError(_EMPTY_COMPONENT[name])
        columns[name] = _Column(pots[name], everyone, column_weights)
    return columns


def _times_months(
    values: Sequence[int] | np.ndarray, months: list[int] | np.ndarray
) -> list[int] | np.ndarray:
    """Each member's weight times its months: int64 where both are arrays and every product
    fits, else Python integers (never numpy's, which are no Decimal operands)."""
    if (
        isinstance(values, np.ndarray)
        and isinstance(months, np.ndarray)
        and len(values) > 0
        and int(values.max()) <= _INT64_MAX // _MONTHS
    ):
        return values * months
    return list(map(mul, _ints(values), _ints(months)))


def _any_weight(weights: Sequence[int] | np.ndarray) -> bool:
    return bool(weights.any()) if isinstance(weights, np.ndarray) else any(weights)


def _arranged(values: np.ndarray, order: Sequence[int]) -> np.ndarray:
    """An array in the members' input order rearranged into key order."""
    if _unchanged(order):
        return values
    return values[np.asarray(order, dtype=np.intp)]


_EMPTY_COMPONENT = {
    "base": "Für den Sockelbetrag sind keine Mitglieder erfasst.",
    "population": "Für den Anteil nach Einwohnern sind keine Einwohnerzahlen erfasst.",
    "usage": "Für den Anteil nach Nutzung sind keine Leistungseinheiten erfasst.",
}


def _module_columns(
    months: list[int] | np.ndarray,
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
    # Few members differ in their modules: number the distinct combinations, then each
    # module's participants are one lookup per combination and one numpy pass per module.
    combinations = list(dict.fromkeys(taken))
    numbered = {combination: number for number, combination in enumerate(combinations)}
    combination_of = np.fromiter(map(numbered.__getitem__, taken), np.intp, len(taken))
    month_array = np.asarray(months, dtype=np.int64)
    columns: dict[str, _Column] = {}
    for module in modules:
        takes_part = np.array([module.key in combination for combination in combinations])
        # the indices ascend, so each column stays key-sorted
        indices = np.flatnonzero(takes_part[combination_of])
        if not len(indices) and active and module.weight > 0:
            raise AllocationError(f"Das Modul „{module.name}“ hat keine Teilnehmenden.")
        module_pot = module_pots[module.key]
        if len(indices) >= NUMPY_FROM and module_pot * _MONTHS <= _INT64_MAX:
            # stays an int64 array through rounding and summing: the weights are months,
            # so no product of the pot and a weight leaves int64
            columns[module.key] = _Column(module_pot, indices, month_array[indices])
        else:
            columns[module.key] = _Column(
                module_pot, indices.tolist(), month_array[indices].tolist()
            )
    return columns, module_pots


_MONTHS = 12  # the largest weight of a module column (validated members have 1 to 12)


def _sums_at(columns: Iterable[_Column], count: int, bound: int) -> list[int]:
    """Per member, the sum of its amounts in ``columns`` (a member is at most once in a
    column); ``bound`` is at least every sum. On an int64 array where the sums fit, else
    with Python's unbounded integers."""
    if bound > _INT64_MAX:
        values = [0] * count
        for column in columns:
            if column.amounts is not None:
                _add_at(values, _ints(column.members), _ints(column.amounts))
        return values
    sums = np.zeros(count, dtype=np.int64)
    for column in columns:
        if column.amounts is None or not len(column.amounts):
            continue
        if isinstance(column.members, range):  # everyone (a member column)
            sums += column.amounts
        else:
            sums[np.asarray(column.members, dtype=np.intp)] += column.amounts
    return list(sums.tolist())


def _ints(values: Sequence[int] | np.ndarray) -> Sequence[int]:
    """Python integers (numpy's are no Decimal operands and may wrap around)."""
    return values.tolist() if isinstance(values, np.ndarray) else values


def _round_columns(columns: Sequence[_Column], member_count: int) -> None:
    """Round each column by Hare-Niemeyer; a tie goes to the member rounded up least so far.

    Counting round-ups (rather than tracking each member's exact rounding error) is cheap
    and easy to explain in a notice, and it spreads the spare cents of the equal columns.
    """
    rounded_up = np.zeros(member_count, dtype=np.int64)  # a count per member: no overflow
    any_rounded_up = False
    for column in columns:
        members = (
            np.arange(len(column.members))
            if isinstance(column.members, range)
            else np.asarray(column.members, dtype=np.intp)
        )
        priority = _priority(rounded_up, members) if any_rounded_up else None
        amounts, winners = (
            _apportion_array(column.pot, column.weights, priority)
            if isinstance(column.weights, np.ndarray)
            else _apportion(column.pot, column.weights, priority)
        )
        column.amounts = amounts
        if len(winners):
            any_rounded_up = True
            rounded_up[members[winners]] += 1  # a member wins at most once per column


def _apportion_array(
    total: int, weights: np.ndarray, priority: Callable[[], np.ndarray] | None
) -> tuple[Amounts, Indices]:
    """`_apportion` of an int64 array of weights: the same result, as arrays where the
    products of ``total`` and the weights fit int64 (always for a module's months, see
    `_module_columns`), else as lists from Python's unbounded integers."""
    weight_sum = int(weights.sum())
    if total == 0 or weight_sum == 0:
        return np.zeros(len(weights), dtype=np.int64), np.empty(0, dtype=np.intp)
    found = _apportion_int64(total, weights, weight_sum, priority)
    if found is None:
        return _apportion(total, weights.tolist(), priority)
    return found


def _priority(rounded_up: np.ndarray, members: np.ndarray) -> Callable[[], np.ndarray]:
    """Round-ups so far of the column's members, by position in the column."""
    return lambda: rounded_up[members]


def _column_values(column: _Column | None, count: int) -> list[int]:
    """A member column's amounts in member order (a member column holds lists)."""
    if column is None or column.amounts is None:
        return [0] * count
    amounts = column.amounts if isinstance(column.amounts, list) else column.amounts.tolist()
    if len(column.members) == count:  # everyone takes part: already in member order
        return amounts
    values = [0] * count
    _add_at(values, _ints(column.members), amounts)
    return values


# --------------------------------------------------------------------------- to EUR

# Converting cents to EUR must be exact whatever decimal context the caller has set.
_EXACT = Context(prec=MAX_PREC, traps=[Inexact, Rounded])
_CENT = Decimal("0.01")
_to_euro = partial(_EXACT.multiply, _CENT)


def euros(cents: Iterable[int] | np.ndarray) -> list[Decimal]:
    """Whole cents as EUR amounts (exact)."""
    values = cents.tolist() if isinstance(cents, np.ndarray) else list(cents)
    # `_CENT.__mul__` in the exact context: the same product as `_to_euro`, at half the cost
    # per amount (no keyword binding, no conversion of the context's arguments)
    with localcontext(_EXACT):
        # Equal shares (the Sockelbetrag, the modules): convert each amount once. Whether a
        # column has few amounts shows in its first ones; a column of distinct amounts (the
        # population, the totals) is converted without building a set of 11,000 first.
        if len(set(values[:_SAMPLE])) * 2 <= _SAMPLE or len(values) <= _SAMPLE:
            distinct = set(values)
            if len(distinct) * 4 <= len(values):
                converted = dict(zip(distinct, map(_CENT.__mul__, distinct), strict=True))
                return list(map(converted.__getitem__, values))
        return list(map(_CENT.__mul__, values))


_SAMPLE = 64


def module_part_maps(cents: CentShares, count: int) -> list[dict[str, Decimal]]:
    """Per member in key order: its part of each module it takes part in, in EUR, by module
    key (in module key order).

    Members with the same parts get the same dict (read-only: a row's `module_parts` is a
    `Mapping`). A module pot is split by months, so a module has a handful of distinct parts,
    and 11,000 members have a few hundred distinct combinations: each member's combination
    is one number (a digit per module: which of its parts, 0 for none), numpy finds the
    distinct numbers, and one dict is made per number instead of one per member (a third of
    the time of a year's rows went into 11,000 dicts).
    """
    codes = np.zeros(count, dtype=np.int64)
    radix = 1
    digits: list[tuple[str, int, int, list[Decimal]]] = []
    for key, (indices, amounts) in cents.module_parts.items():  # in module key order
        try:
            distinct, digit = np.unique(np.asarray(amounts, dtype=np.int64), return_inverse=True)
        except OverflowError:  # parts beyond int64 (see _sums_at): a dict each
            return _module_part_maps_each(cents, count)
        size = len(distinct) + 1
        if radix * size > _INT64_MAX:  # too many combinations for one number: a dict each
            return _module_part_maps_each(cents, count)
        column = np.zeros(count, dtype=np.int64)
        column[np.asarray(indices, dtype=np.intp)] = digit + 1
        codes += column * radix
        digits.append((key, radix, size, euros(distinct.tolist())))
        radix *= size
    found, which = np.unique(codes, return_inverse=True)
    maps = []
    for code in found.tolist():
        parts = {}
        for key, place, size, values in digits:
            digit = code // place % size
            if digit:
                parts[key] = values[digit - 1]
        maps.append(parts)
    return list(map(maps.__getitem__, which.tolist()))


def _module_part_maps_each(cents: CentShares, count: int) -> list[dict[str, Decimal]]:
    parts: list[dict[str, Decimal]] = [{} for _ in range(count)]
    for key, (indices, amounts) in cents.module_parts.items():  # in module key order
        for part, value in zip(map(parts.__getitem__, _ints(indices)), euros(amounts), strict=True):
            part[key] = value
    return parts
