"""The members' modules from each module's participants (the one-query read of a year)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.db import connection

from costsharing import allocation, selectors, services
from costsharing.allocation import MemberInput, ModuleInput, allocate
from costsharing.computation import YearMembers, months_in_year
from costsharing.models import (
    BudgetYear,
    MemberProfile,
    Module,
    ModuleMembership,
    PopulationFigure,
    UsageRecord,
)
from tenants.models import Municipality
from tests.conftest import Portal
from tests.costsharing.factories import SeedTowns, budget_year, join, take_modules

D = Decimal


def test_module_sets_leave_out_participants_that_are_no_members_of_the_year() -> None:
    sets = selectors._module_sets([30, 10, 20], {"ozg": [99, 20, 30], "geo": [10, 77]})
    assert sets == [frozenset({"ozg"}), frozenset({"geo"}), frozenset({"ozg"})]


def test_module_sets_hold_more_modules_than_one_bit_mask_has_bits() -> None:
    keys = [f"m{n:03d}" for n in range(150)]
    participants = {key: [1] if n % 2 else [2] for n, key in enumerate(keys)}
    participants["m149"] = [1, 2, 3]
    sets = selectors._module_sets([3, 1, 2], participants)
    assert sets[0] == frozenset({"m149"})
    assert sets[1] == frozenset(keys[1::2])
    assert sets[2] == frozenset([*keys[0::2], "m149"])


def test_module_sets_without_modules_are_empty() -> None:
    assert selectors._module_sets([5, 6], {}) == [frozenset(), frozenset()]


@pytest.mark.parametrize(
    "ids",
    [[30, 10, 20, 7], [30_000_000, 10, 2**40, 7]],
    ids=["dense ids: a table", "sparse ids: a binary search"],
)
def test_finder_gives_the_positions_of_the_ids_found_and_which_were_found(
    ids: list[int],
) -> None:
    find = selectors._finder(ids)
    wanted = np.array([ids[2], 99, ids[0], -5, 2**50, ids[3], ids[2]])
    positions, found = find(wanted)
    assert positions.tolist() == [2, 0, 3, 2]
    assert found.tolist() == [True, False, True, False, False, True, True]


def test_finder_among_no_ids_finds_nothing() -> None:
    positions, found = selectors._finder([])(np.array([1, 2]))
    assert positions.tolist() == []
    assert found.tolist() == [False, False]


def test_population_figures_replace_the_municipalitys_own_only_for_members_with_one() -> None:
    find = selectors._finder([30, 10, 20])
    populations, days = selectors._population_at_date(
        find,
        np.array([300, 100, 200]),
        np.array([3, 1, 2]),
        figure_ids=np.array([99, 20, 30]),  # 99 is no member of the year
        figure_populations=np.array([9, 222, 333]),
        figure_days=np.array([90, 22, 33]),
    )
    assert populations.tolist() == [333, 100, 222]
    assert days.tolist() == [33, 1, 22]


def test_a_members_latest_figure_counts_whatever_order_the_figures_come_in() -> None:
    find = selectors._finder([10, 20])
    populations, days = selectors._population_at_date(
        find,
        np.array([100, 200]),
        np.array([1, 2]),
        figure_ids=np.array([20, 10, 20, 10, 20]),
        figure_populations=np.array([210, 110, 230, 120, 220]),
        figure_days=np.array([5, 7, 9, 8, 6]),
    )
    assert populations.tolist() == [120, 230]
    assert days.tolist() == [8, 9]


def test_members_come_in_the_order_of_the_municipalities_read_by_ags() -> None:
    # the municipalities as the query sorts them (by AGS), the members in any order
    at, order, ags = selectors._members_in_key_order(
        np.array([7, 3, 9, 5]), ["01", "02", "03", "04"], np.array([9, 5, 7])
    )
    assert at.tolist() == [0, 2, 3]
    assert order.tolist() == [2, 0, 1]
    assert ags == ["01", "03", "04"]


def test_a_member_without_its_municipality_in_the_read_is_refused() -> None:
    with pytest.raises(ValueError):
        selectors._members_in_key_order(np.array([1, 2]), ["01", "02"], np.array([2, 3]))


def test_population_figures_of_differing_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        selectors._population_at_date(
            selectors._finder([1]),
            np.array([5]),
            np.array([0]),
            figure_ids=np.array([1, 2]),
            figure_populations=np.array([7]),
            figure_days=np.array([3, 4]),
        )


@pytest.mark.django_db
def test_members_of_year_reads_seventy_modules_of_a_member(portal: Portal) -> None:
    join(portal.a, date(2020, 1, 1))
    join(portal.b, date(2020, 1, 1))
    year = budget_year(2031, modules={f"k{n:02d}": "1" for n in range(70)})
    modules = {m.pk: m.key for m in Module.objects.filter(budget_year=year)}
    ModuleMembership.objects.bulk_create(
        ModuleMembership(municipality=portal.a, module_id=pk) for pk in modules
    )
    members = selectors.members_of_year(2031, date(2030, 12, 31), modules)
    by_id = dict(zip(members.municipality_ids, members.modules, strict=True))
    assert by_id[portal.a.pk] == frozenset(modules.values())
    assert by_id[portal.b.pk] == frozenset()


def _figure_date(municipality_id: int, population_date: date) -> date:
    """The date of the population figure a member's share uses, read plainly."""
    figure = (
        PopulationFigure.objects.filter(
            municipality_id=municipality_id, reference_date__lte=population_date
        )
        .order_by("-reference_date")
        .first()
    )
    if figure is not None:
        return figure.reference_date
    return Municipality.objects.get(pk=municipality_id).population_date


def _engine_inputs(year: int, population_date: date) -> list[MemberInput]:
    """The members of `year` read plainly, one model at a time: what the one query and numpy
    must hand the engine."""
    members = []
    for profile in MemberProfile.objects.select_related("municipality"):
        town = profile.municipality
        months = months_in_year(profile.joined_on, profile.left_on, year)
        if months < 1:
            continue
        figure = (
            PopulationFigure.objects.filter(municipality=town, reference_date__lte=population_date)
            .order_by("-reference_date")
            .first()
        )
        records = list(UsageRecord.objects.filter(municipality=town, year=year))
        members.append(
            MemberInput(
                key=town.ags,
                name=town.name,
                population=figure.population if figure else town.population,
                months=months,
                usage_units=sum((r.units for r in records), D(0)) if records else D(0),
                modules=frozenset(
                    ModuleMembership.objects.filter(
                        municipality=town, module__budget_year__year=year
                    ).values_list("module__key", flat=True)
                ),
            )
        )
    return members


@pytest.mark.django_db
@pytest.mark.parametrize("numpy_from", [allocation.NUMPY_FROM, 0], ids=["lists", "arrays"])
def test_live_allocation_gives_the_engines_cents_for_the_members_read_one_by_one(
    portal: Portal, seed_towns: SeedTowns, numpy_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with NUMPY_FROM at 0 the engine weighs even these few members on the read's arrays
    monkeypatch.setattr(allocation, "NUMPY_FROM", numpy_from)
    towns = [portal.a, portal.b, *seed_towns.by_ags.values()]
    joined = [date(2020, 1, 1), date(2026, 4, 20), date(2026, 1, 1), date(2019, 5, 5)]
    for n, town in enumerate(towns):
        left = date(2026, 9, 30) if n == 3 else date(2025, 6, 30) if n == 4 else None
        join(town, joined[n % len(joined)], left_on=left)  # the fifth left before the year
    year = budget_year(
        2026,
        costs=(("material", "Betrieb", "98765.43"),),
        key=(25, 35, 20, 20),
        modules={"ozg": "3", "geo": "2", "dms": "0.5"},
    )
    earlier = budget_year(2025, modules={"ozg": "1"})
    for n, town in enumerate(towns):
        if n != 4:
            take_modules(town, 2026, [["ozg", "geo"], ["dms"], [], ["ozg", "geo", "dms"]][n % 4])
        if n % 3 == 0:
            services.population_figure_set(
                municipality=town, reference_date=date(2024, 12, 31), population=5_000 + n
            )
            services.population_figure_set(  # older, written later: the latest one counts
                municipality=town, reference_date=date(2023, 12, 31), population=1_000 + n
            )
        if n % 2 == 0:
            services.population_figure_set(  # after the key's reference date: not used
                municipality=town, reference_date=date(2026, 3, 31), population=99_999
            )
        for k, units in enumerate(["2.5", "0", "17.25"][: n % 4]):
            services.usage_record(
                municipality_id=town.pk, year=2026, units=D(units), reference=f"u:{n}:{k}"
            )
    ModuleMembership.objects.create(municipality=portal.b, module=earlier.modules.get())
    # a projected membership of a town that is no member of the year: left out
    ModuleMembership.objects.create(municipality=towns[4], module=year.modules.get(key="ozg"))
    services.usage_record(  # another year: not counted
        municipality_id=portal.a.pk, year=2025, units=D("100"), reference="u:other"
    )
    year = BudgetYear.objects.get(pk=year.pk)
    live = selectors.allocation_live(year)
    key = selectors.active_key(year)
    assert key is not None
    inputs = _engine_inputs(2026, key.population_date)
    expected = allocate(
        net_cost=live.budget.net_cost,
        components=selectors.key_info(key).components,
        members=inputs,
        modules=[ModuleInput(m.key, m.name, m.weight) for m in live.modules],
    )
    assert len(live.rows) == len(towns) - 1
    assert [row.ags for row in live.rows] == [share.key for share in expected.shares]
    by_ags = {member.key: member for member in inputs}
    for row, share in zip(live.rows, expected.shares, strict=True):
        member = by_ags[row.ags]
        assert (row.name, row.months, row.population, row.module_keys) == (
            member.name,
            member.months,
            member.population,
            tuple(sorted(member.modules)),
        )
        assert row.population_date == _figure_date(row.municipality_id, key.population_date)
        assert repr(row.usage_units) == repr(member.usage_units)  # 0 without records, else 0.00
        assert (row.base, row.population_amount, row.usage, row.modules, row.total) == (
            share.base,
            share.population,
            share.usage,
            share.modules,
            share.total,
        )
        assert dict(row.module_parts) == dict(share.module_parts)


@pytest.mark.django_db
def test_members_of_year_reads_names_and_codes_with_their_separators_whole(
    portal: Portal,
) -> None:
    join(portal.a, date(2020, 1, 1))
    join(portal.b, date(2020, 1, 1))
    budget_year(2032)
    odd = "Neu\x1fstadt, Stadt"  # the unit separator joins the names in the query
    Municipality.objects.filter(pk=portal.a.pk).update(name=odd)
    # commas join the AGS; a form refuses this one, a bulk write past the checks might not
    Municipality.objects.filter(pk=portal.b.pk).update(ags="0643,901")
    members = selectors.members_of_year(2032, date(2031, 12, 31), {})
    pairs = zip(members.names, members.keys, strict=True)
    by_id = dict(zip(members.municipality_ids, pairs, strict=True))
    assert by_id[portal.a.pk] == (odd, portal.a.ags)
    assert by_id[portal.b.pk] == (portal.b.name, "0643,901")
    assert list(members.keys) == sorted([portal.a.ags, "0643,901"])


def _members_read_with(settings: str) -> tuple[YearMembers, str]:
    """The members of 2033 read with PostgreSQL's planner `settings` for this transaction, and
    the plan of the statement."""
    with connection.cursor() as cursor:
        cursor.execute(settings)
    modules = dict(Module.objects.filter(budget_year__year=2033).values_list("pk", "key"))
    members = selectors.members_of_year(2033, date(2032, 12, 31), modules)
    params: dict[str, Any] = {
        "year": 2033,
        "population_date": date(2032, 12, 31),
        "start": date(2033, 1, 1),
        "end": date(2033, 12, 31),
        "modules": list(modules),
    }
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (COSTS OFF) " + selectors._MEMBERS_SQL, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    return members, plan


@pytest.mark.django_db
def test_members_of_year_reads_the_same_when_its_parts_run_in_parallel_workers(
    portal: Portal, seed_towns: SeedTowns
) -> None:
    towns = [portal.a, portal.b, *seed_towns.by_ags.values()]
    for n, town in enumerate(towns):
        join(town, date(2033, 3, 1) if n == 1 else date(2020, 1, 1))
    budget_year(2033, modules={"ozg": "3", "geo": "2"})
    for n, town in enumerate(towns):
        take_modules(town, 2033, [["ozg"], ["ozg", "geo"], []][n % 3])
        services.usage_record(
            municipality_id=town.pk, year=2033, units=D(n) + D("0.25"), reference=f"p:{n}"
        )
        if n % 2 == 0:
            services.population_figure_set(
                municipality=town, reference_date=date(2031, 12, 31), population=4_000 + n
            )
    # the workers see this transaction's uncommitted rows: they share its snapshot
    parallel, parallel_plan = _members_read_with(
        "SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;"
        " SET LOCAL max_parallel_workers_per_gather = 2"
    )
    serial, serial_plan = _members_read_with("SET LOCAL max_parallel_workers_per_gather = 0")
    assert "Parallel Append" in parallel_plan
    assert "Parallel" not in serial_plan
    assert parallel == serial
    assert len(serial.keys) == len(towns)
    assert sorted(serial.usage_units) == [D(n) + D("0.25") for n in range(len(towns))]
    by_id = dict(zip(serial.municipality_ids, serial.populations, strict=True))
    assert [by_id[town.pk] for town in towns[::2]] == [4_000 + n for n in range(0, len(towns), 2)]
