"""A live allocation's rows are made when asked for (`MemberRows`): whatever is asked, a
slice, one row, a member's row or a sum, it is what the tuple of every row would give.

No database: the year is computed from plain inputs as the selectors would hand them over,
and checked against the engine's own shares (`allocate`).
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from decimal import Decimal

import pytest

from costsharing.allocation import KeyComponents, MemberInput, ModuleInput, allocate
from costsharing.computation import (
    CostInput,
    GrantInput,
    KeyInfo,
    MemberRow,
    MemberRows,
    ModuleInfo,
    YearAllocation,
    YearMembers,
    budget_figures,
    compute,
)

D = Decimal
KEY = KeyComponents(D(25), D(40), D(15), D(20))
MODULES = [ModuleInfo("ozg", "OZG", D(120000)), ModuleInfo("isms", "ISMS", D(85000))]
NET_COST = D("1234567.89")
FIXED_GRANT = D("10000.01")


def members(count: int, seed: int = 7) -> YearMembers:
    """`count` members in no particular order, some for part of the year, some in modules."""
    rng = random.Random(seed)
    codes = [f"06{n:06d}" for n in rng.sample(range(1, 999_999), count)]
    return YearMembers(
        keys=codes,
        names=[f"Gemeinde {code}" for code in codes],
        populations=[rng.randint(300, 90_000) for _ in codes],
        months=[12 if rng.random() < 0.8 else rng.randint(1, 11) for _ in codes],
        usage_units=[D(rng.randint(0, 20_000)).scaleb(-1) for _ in codes],
        modules=[frozenset(m.key for m in MODULES if rng.random() < 0.5) for _ in codes],
        municipality_ids=rng.sample(range(1, 10 * count), count),
        population_dates=[date(2029, 6, 30) if rng.random() < 0.5 else None for _ in codes],
    )


def year(columns: YearMembers, *, fixed_grant: Decimal = FIXED_GRANT) -> YearAllocation:
    grants = [GrantInput("Land", fixed_grant, "fixed", D(0))] if fixed_grant else []
    budget = budget_figures(
        staff=[],
        costs=[CostInput("material", "Betrieb", NET_COST + fixed_grant)],
        grants=grants,
        kreis_share_percent=D(0),
    )
    return compute(
        year=2030,
        key=KeyInfo("K", KEY, date(2029, 12, 31)),
        budget=budget,
        members=columns,
        modules=MODULES,
    )


def as_tuple(allocation: YearAllocation) -> YearAllocation:
    """The same allocation with its rows as a plain tuple, as a frozen version keeps them."""
    return dataclasses.replace(allocation, rows=tuple(allocation.rows), _index={}, _totals=[])


def exactly(value: object) -> object:
    """Amounts with their places: 12.50 and 12.5 are equal Decimals but not the same text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: exactly(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(exactly(item) for item in value)
    return value


@pytest.mark.parametrize("fixed_grant", [FIXED_GRANT, D(0)], ids=["fixed grant", "none"])
def test_every_row_carries_the_engines_share_and_its_part_of_the_fixed_grant(fixed_grant):
    columns = members(300)
    allocation = year(columns, fixed_grant=fixed_grant)
    engine = allocate(
        net_cost=allocation.budget.net_cost,  # the fixed grant is credited after the key
        components=KEY,
        members=[
            MemberInput(code, name, population, months, units, taken)
            for code, name, population, months, units, taken in zip(
                columns.keys, columns.names, columns.populations, columns.months,
                columns.usage_units, columns.modules, strict=True,
            )
        ],
        modules=[ModuleInput(m.key, m.name, m.weight) for m in MODULES],
    )  # fmt: skip
    assert isinstance(allocation.rows, MemberRows)
    assert [row.ags for row in allocation.rows] == sorted(columns.keys)
    for row, share in zip(allocation.rows, engine.shares, strict=True):
        assert row.ags == share.key
        assert exactly((row.base, row.population_amount, row.usage, row.modules)) == exactly(
            (share.base, share.population, share.usage, share.modules)
        )
        assert exactly(row.module_parts) == exactly(dict(share.module_parts))
        assert exactly(row.total) == exactly(share.total)
        assert row.payable == row.total - row.grant_credit
        assert row.payable.as_tuple().exponent == -2
    assert sum(row.grant_credit for row in allocation.rows) == fixed_grant
    assert sum(row.payable for row in allocation.rows) == NET_COST


def test_a_slice_or_a_row_asked_for_first_is_the_row_of_the_whole_tuple():
    columns = members(300)
    whole = year(columns).rows
    assert isinstance(whole, MemberRows)
    every_row = tuple(whole)
    for part in (slice(0, 50), slice(250, 400), slice(-7, None), slice(None, None, 13)):
        fresh = year(columns).rows
        assert exactly(fresh[part]) == exactly(every_row[part])
    for position in (0, 1, 149, 299, -1, -300):
        assert exactly(year(columns).rows[position]) == exactly(every_row[position])


def test_a_row_beyond_the_members_is_an_index_error():
    rows = year(members(20)).rows
    for position in (20, -21):
        with pytest.raises(IndexError):
            rows[position]
    assert rows[20:40] == ()


def test_a_members_row_is_found_by_its_municipality_without_the_others():
    columns = members(300)
    allocation = year(columns)
    plain = as_tuple(year(columns))
    for municipality_id in columns.municipality_ids[::17]:
        assert exactly(allocation.row_for(municipality_id)) == exactly(
            plain.row_for(municipality_id)
        )
    assert allocation.row_for(0) is None


def test_the_sums_from_the_columns_are_the_sums_over_the_rows():
    columns = members(300)
    allocation = year(columns)
    plain = as_tuple(year(columns))
    assert exactly(allocation.payable_total) == exactly(plain.payable_total)
    assert allocation.population_total == plain.population_total
    assert exactly(allocation.usage_total) == exactly(plain.usage_total)
    for module in MODULES:
        assert allocation.participants(module.key) == plain.participants(module.key)
    made, summed = allocation.totals(), plain.totals()
    assert exactly(made.pots) == exactly(summed.pots)
    assert (made.months, made.population_months) == (summed.months, summed.population_months)
    assert exactly(made.usage_months) == exactly(summed.usage_months)
    assert (made.module_months, made.participants) == (
        summed.module_months,
        summed.participants,
    )


def test_the_rows_compare_and_behave_as_the_tuple_of_every_row():
    columns = members(40)
    rows, every_row = year(columns).rows, tuple(year(columns).rows)
    assert rows == every_row
    assert every_row == rows
    assert rows == year(columns).rows
    assert year(columns) == as_tuple(year(columns))
    assert rows != every_row[:-1]
    assert len(rows) == 40
    assert every_row[3] in rows
    assert list(reversed(rows)) == list(reversed(every_row))
    assert all(isinstance(row, MemberRow) for row in rows)
    # a year's fingerprint is the repr of its allocation: it must show every row
    assert repr(year(columns).rows) == repr(every_row)
    assert repr(year(columns)) == repr(as_tuple(year(columns)))
    with pytest.raises(TypeError):
        hash(rows)
