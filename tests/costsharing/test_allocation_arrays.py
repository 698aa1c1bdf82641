"""The engine on a reader's int64 arrays gives the cents it gives on the lists."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from costsharing import allocation
from costsharing.allocation import (
    AllocationError,
    CentShares,
    IntegerArrays,
    KeyComponents,
    ModuleInput,
    allocate_cents,
)
from costsharing.computation import YearMembers

D = Decimal
KEY = KeyComponents(D(25), D(40), D(15), D(20))
MODULES = [ModuleInput("geo", "Geodaten", D(2)), ModuleInput("ozg", "OZG", D(3))]


def _members(
    count: int,
    *,
    seed: int = 7,
    population_scale: int = 1,
    usage_scale: int = 1,
    with_arrays: bool = True,
    months_of: dict[int, int] | None = None,
) -> YearMembers:
    """`count` members in a shuffled key order (the engine sorts them), with int64 arrays of
    their months, populations and usage weights when `with_arrays`."""
    rng = random.Random(seed)
    keys = [f"{n:08d}" for n in range(count)]
    rng.shuffle(keys)
    months = [12 if rng.random() < 0.8 else rng.randint(1, 12) for _ in keys]
    for index, value in (months_of or {}).items():
        months[index] = value
    populations = [rng.randint(1, 100_000) * population_scale for _ in keys]
    usage = [rng.randint(0, 20_000) * usage_scale for _ in keys]
    taken = [frozenset(k for k in ("geo", "ozg") if rng.random() < 0.5) for _ in keys]
    arrays = None
    if with_arrays:
        arrays = IntegerArrays(
            np.array(months, dtype=np.int64),
            np.array(populations, dtype=np.int64),
            np.array(usage, dtype=np.int64) if max(usage) <= 2**63 - 1 else None,
        )
    return YearMembers(
        keys,
        [f"Gemeinde {key}" for key in keys],
        populations,
        months,
        [D(value).scaleb(-2) for value in usage],
        taken,
        list(range(count)),
        [None] * count,
        usage,
        arrays,
    )


def _cents(shares: CentShares) -> dict[str, Any]:
    """Every figure of an allocation as plain Python values (module parts may be arrays)."""
    return {
        "order": list(shares.order),
        "pots": shares.pots,
        "module_pots": shares.module_pots,
        "columns": [shares.base, shares.population, shares.usage, shares.modules, shares.total],
        "types": {type(value) for value in [*shares.population, *shares.total]},
        "parts": {
            key: (np.asarray(members).tolist(), np.asarray(amounts).tolist())
            for key, (members, amounts) in shares.module_parts.items()
        },
    }


def _both(net_cost: Decimal, **members: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    with_arrays = allocate_cents(
        net_cost=net_cost, components=KEY, members=_members(**members), modules=MODULES
    )
    on_lists = allocate_cents(
        net_cost=net_cost,
        components=KEY,
        members=_members(**members, with_arrays=False),
        modules=MODULES,
    )
    return _cents(with_arrays), _cents(on_lists)


def test_the_arrays_give_the_cents_of_the_lists() -> None:
    arrays, lists = _both(D("1234567.89"), count=1_000)
    assert arrays == lists
    assert arrays["types"] == {int}


def test_products_beyond_int64_fall_back_to_pythons_integers() -> None:
    # a population pot of billions of cents times populations of billions leaves int64
    arrays, lists = _both(D("987654321.09"), count=300, population_scale=20_000)
    assert arrays == lists
    # usage weights whose products with the months would leave int64
    arrays, lists = _both(D("5000.00"), count=300, usage_scale=10**15)
    assert arrays == lists


def test_few_members_are_rounded_on_the_lists_and_many_on_the_arrays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arrays, lists = _both(D("777.77"), count=40)
    assert arrays == lists
    monkeypatch.setattr(allocation, "NUMPY_FROM", 0)
    assert _both(D("777.77"), count=40) == (arrays, lists)


def test_a_month_out_of_range_in_the_arrays_is_refused_with_the_members_name() -> None:
    members = _members(300, months_of={5: 13})
    with pytest.raises(AllocationError, match=r"Gemeinde .* zwischen 1 und 12"):
        allocate_cents(net_cost=D(1000), components=KEY, members=members, modules=MODULES)


def test_arrays_of_another_length_than_the_columns_are_refused() -> None:
    members = _members(300)
    assert members.arrays is not None
    short = IntegerArrays(members.arrays.months[:-1], members.arrays.populations, None)
    broken = dataclasses.replace(members, arrays=short)
    with pytest.raises(ValueError):
        allocate_cents(net_cost=D(1000), components=KEY, members=broken, modules=MODULES)
