"""The fast engine against a plain reference written with `Fraction` (no database, no Django).

The reference states the rule of `costsharing/allocation.py`'s module doc as directly as it can:
every exact share as a fraction, a full sort per column by (largest remainder, fewest round-ups
so far, smaller key), no shortcuts for equal weights, no integer scaling and no columns. The
engine must give the same cent in every field, or fail with an `AllocationError` where the
reference finds nothing to split.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from costsharing import allocation
from costsharing.allocation import (
    AllocationError,
    KeyComponents,
    MemberColumns,
    MemberInput,
    ModuleInput,
)

D = Decimal
MODULE_KEYS = ("dms", "geo", "isms", "ozg")


def _hare(
    total: int, weights: list[Fraction], rounded_up: list[int] | None = None
) -> tuple[list[int], list[int]]:
    """Largest remainder over exact fractions; ties to fewer round-ups, then to the lower index."""
    weight_sum = sum(weights, Fraction(0))
    if total == 0 or weight_sum == 0:
        return [0] * len(weights), []
    exact = [total * weight / weight_sum for weight in weights]
    amounts = [math.floor(share) for share in exact]
    left = total - sum(amounts)
    priority = rounded_up or [0] * len(weights)
    ranking = sorted(range(len(weights)), key=lambda i: (-(exact[i] - amounts[i]), priority[i], i))
    winners = ranking[:left]
    for index in winners:
        amounts[index] += 1
    return amounts, winners


def reference(
    net_cost: Decimal,
    components: KeyComponents,
    members: list[MemberInput],
    modules: list[ModuleInput],
) -> dict[str, Any]:
    """Cents per member key and column; raises AllocationError where nothing can be split."""
    members = sorted(members, key=lambda m: m.key)
    modules = sorted(modules, key=lambda m: m.key)
    net_cents = Fraction(net_cost) * 100
    assert net_cents.denominator == 1
    percents = [components.base, components.population, components.usage, components.modules]
    pots, _ = _hare(int(net_cents), [Fraction(p) for p in percents])
    count = len(members)
    rounded_up = [0] * count
    columns: dict[str, list[int]] = {}
    weights = {
        "base": [Fraction(m.months) for m in members],
        "population": [Fraction(m.population * m.months) for m in members],
        "usage": [Fraction(m.usage_units) * m.months for m in members],
    }
    for pot, percent, (name, column) in zip(pots, percents, weights.items(), strict=False):
        if percent == 0:
            columns[name] = [0] * count
            continue
        if not any(column):
            raise AllocationError(f"no weights for {name}")
        amounts, winners = _hare(pot, column, rounded_up)
        for index in winners:
            rounded_up[index] += 1
        columns[name] = amounts
    if components.modules > 0 and not any(module.weight > 0 for module in modules):
        raise AllocationError("no module with a weight")
    module_pots, _ = _hare(pots[3], [Fraction(module.weight) for module in modules])
    parts: dict[str, dict[str, int]] = {}
    for module, pot in zip(modules, module_pots, strict=True):
        taking = [i for i, m in enumerate(members) if module.key in m.modules]
        if not taking and components.modules > 0 and module.weight > 0:
            raise AllocationError(f"no participants in {module.key}")
        own_priority = [rounded_up[i] for i in taking]
        amounts, winners = _hare(pot, [Fraction(members[i].months) for i in taking], own_priority)
        for position in winners:
            rounded_up[taking[position]] += 1
        parts[module.key] = {members[i].key: a for i, a in zip(taking, amounts, strict=True)}
    module_sums = [sum(parts[module.key].get(m.key, 0) for module in modules) for m in members]
    return {
        "keys": [m.key for m in members],
        "pots": pots,
        "module_pots": module_pots,
        "base": columns["base"],
        "population": columns["population"],
        "usage": columns["usage"],
        "modules": module_sums,
        "total": [
            sum(values)
            for values in zip(
                columns["base"], columns["population"], columns["usage"], module_sums, strict=True
            )
        ],
        "parts": parts,
    }


def engine(
    net_cost: Decimal,
    components: KeyComponents,
    members: list[MemberInput],
    modules: list[ModuleInput],
) -> dict[str, Any]:
    """The same figures from `allocate_cents` (columns) and `allocate` (EUR, per member)."""
    columns = MemberColumns.of(members)
    found = allocation.allocate_cents(
        net_cost=net_cost, components=components, members=columns, modules=modules
    )
    keys = found.in_key_order(columns.keys)
    result: dict[str, Any] = {
        "keys": keys,
        "pots": [found.pots[name] for name in ("base", "population", "usage", "modules")],
        "module_pots": list(found.module_pots.values()),
        "base": found.base,
        "population": found.population,
        "usage": found.usage,
        "modules": found.modules,
        "total": found.total,
        "parts": {
            key: {keys[i]: amount for i, amount in zip(indices, amounts, strict=True)}
            for key, (indices, amounts) in found.module_parts.items()
        },
    }
    shares = allocation.allocate(
        net_cost=net_cost, components=components, members=members, modules=modules
    )
    in_euros = {
        "base": [int(s.base * 100) for s in shares.shares],
        "population": [int(s.population * 100) for s in shares.shares],
        "usage": [int(s.usage * 100) for s in shares.shares],
        "modules": [int(s.modules * 100) for s in shares.shares],
        "total": [int(s.total * 100) for s in shares.shares],
    }
    assert {name: result[name] for name in in_euros} == in_euros
    assert [s.key for s in shares.shares] == keys
    for share in shares.shares:
        assert {k: int(v * 100) for k, v in share.module_parts.items()} == {
            k: found_parts[share.key]
            for k, found_parts in result["parts"].items()
            if share.key in found_parts
        }
    return result


@contextmanager
def numpy_from(length: int) -> Iterator[None]:
    """Round columns from `length` members on with numpy (0: all, huge: none)."""
    before = allocation.NUMPY_FROM
    allocation.NUMPY_FROM = length
    try:
        yield
    finally:
        allocation.NUMPY_FROM = before


def assert_same(inputs: dict[str, Any]) -> None:
    """Both roundings (plain Python integers and numpy int64) give the reference's cents."""
    try:
        expected = reference(**inputs)
    except AllocationError:
        expected = None
    for length in (0, 10**9):
        with numpy_from(length):
            if expected is None:
                with pytest.raises(AllocationError):
                    engine(**inputs)
            else:
                assert engine(**inputs) == expected


# --------------------------------------------------------------------------- strategies


@st.composite
def key_components(draw: st.DrawFn) -> KeyComponents:
    """Four percents that add up to exactly 100, often with zero components."""
    shape = draw(st.sampled_from(["any", "zeros", "one"]))
    if shape == "one":
        parts = [0, 0, 0, 0]
        parts[draw(st.integers(0, 3))] = 10_000
    else:
        cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=3, max_size=3)))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
        if shape == "zeros":
            zeroed = draw(st.integers(0, 3))
            parts[(zeroed + 1) % 4] += parts[zeroed]
            parts[zeroed] = 0
    return KeyComponents(*(D(part).scaleb(-2) for part in parts))


@st.composite
def allocation_inputs(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 40))
    keys = draw(
        st.lists(st.text("0123456789ab", min_size=1, max_size=6), min_size=count,
                 max_size=count, unique=True)
    )  # fmt: skip
    # Few distinct values make ties at the cut frequent; the wide ones make large remainders.
    populations = st.one_of(st.sampled_from([1, 7, 1_000, 1_000]), st.integers(1, 3_700_000))
    units = st.one_of(
        st.just(D(0)),
        st.sampled_from([D("1"), D("2.50"), D("0.001")]),
        st.integers(0, 10**7).map(lambda n: D(n).scaleb(-2)),
    )
    months = st.one_of(st.just(12), st.integers(1, 12))  # part years: joined or left mid-year
    module_keys = sorted(draw(st.sets(st.sampled_from(MODULE_KEYS))))
    modules = [
        ModuleInput(k, k.upper(), D(draw(st.sampled_from([0, 1, 3, 45_000, 123_457]))))
        for k in module_keys
    ]
    members = [
        MemberInput(
            key=k,
            name=f"Gemeinde {k}",
            population=draw(populations),
            months=draw(months),
            usage_units=draw(units),
            modules=frozenset(draw(st.sets(st.sampled_from(module_keys))))
            if module_keys
            else frozenset(),
        )
        for k in keys
    ]
    net_cost = draw(
        st.one_of(
            st.sampled_from([D(0), D("0.01"), D("100.00"), D("0.03")]),
            st.integers(0, 10**11).map(lambda n: D(n).scaleb(-2)),
        )
    )
    return {
        "net_cost": net_cost,
        "components": draw(key_components()),
        "members": members,
        "modules": modules,
    }


# --------------------------------------------------------------------------- tests


@settings(max_examples=400, deadline=None)
@given(allocation_inputs())
@example(  # one member takes everything
    {
        "net_cost": D("1234.57"),
        "components": KeyComponents(D(25), D(25), D(25), D(25)),
        "members": [MemberInput("a", "A", 5, 7, D("1.5"), frozenset({"ozg"}))],
        "modules": [ModuleInput("ozg", "OZG", D(1))],
    }
)
@example(  # a module with a weight but no participants while modules carry no share
    {
        "net_cost": D("100.00"),
        "components": KeyComponents(D(50), D(50), D(0), D(0)),
        "members": [MemberInput(k, k, 10, 12, D(0), frozenset()) for k in "abc"],
        "modules": [ModuleInput("ozg", "OZG", D(7))],
    }
)
@example(  # zero usage everywhere with a usage share: refused
    {
        "net_cost": D("100.00"),
        "components": KeyComponents(D(50), D(0), D(50), D(0)),
        "members": [MemberInput(k, k, 10, 12, D(0), frozenset()) for k in "ab"],
        "modules": [],
    }
)
def test_property_engine_gives_the_cents_of_the_fraction_reference(
    inputs: dict[str, Any],
) -> None:
    assert_same(inputs)


def test_ties_in_every_column_of_many_equal_members_match_the_reference() -> None:
    members = [
        MemberInput(f"{i:03d}", f"G{i}", 1_000, 12 if i % 5 else 6, D("2.50"),
                    frozenset({"ozg", "geo"} if i % 3 else {"ozg"}))
        for i in range(97)
    ]  # fmt: skip
    assert_same(
        {
            "net_cost": D("100000.07"),
            "components": KeyComponents(D("22.5"), D("41.25"), D("16.25"), D(20)),
            "members": members,
            "modules": [ModuleInput("ozg", "OZG", D(3)), ModuleInput("geo", "GEO", D(1))],
        }
    )


def test_huge_amounts_and_weights_match_the_reference() -> None:
    """Beyond 64-bit products (net cost x weight): numpy steps aside, the result stays exact."""
    members = [
        MemberInput(f"{i:02d}", f"G{i}", 3_700_000 - i, 12 - i % 12,
                    D(10**10 - i).scaleb(-3), frozenset({"ozg"}))
        for i in range(30)
    ]  # fmt: skip
    assert_same(
        {
            "net_cost": D(10**15 + 7).scaleb(-2),
            "components": KeyComponents(D("33.33"), D("33.33"), D("33.34"), D(0)),
            "members": members,
            "modules": [ModuleInput("ozg", "OZG", D(10**9))],
        }
    )


def test_a_net_cost_beyond_64_bits_with_a_small_module_pot_matches_the_reference() -> None:
    """The module pot fits int64 (its column is rounded as an array) while the members' sums
    do not (they are added up with Python's integers): both meet in the same cents."""
    members = [
        MemberInput(f"{i:02d}", f"G{i}", 1_000 + 7 * i, 12 - i % 5, D(i).scaleb(-1),
                    frozenset({"ozg", "geo"} if i % 3 else {"geo"}))
        for i in range(40)
    ]  # fmt: skip
    assert_same(
        {
            "net_cost": D(2**64 + 12_345).scaleb(-2),
            "components": KeyComponents(D(49), D(30), D(20), D(1)),
            "members": members,
            "modules": [ModuleInput("ozg", "OZG", D(3)), ModuleInput("geo", "GEO", D(1))],
        }
    )
