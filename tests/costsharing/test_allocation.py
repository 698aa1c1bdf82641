"""Tests of the pure allocation engine (no database, no Django)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from costsharing.allocation import (
    AllocationError,
    AllocationResult,
    Amounts,
    CentShares,
    Indices,
    KeyComponents,
    MemberColumns,
    MemberInput,
    ModuleInput,
    allocate,
    allocate_cents,
    largest_remainder,
    module_part_maps,
)
from costsharing.seed_scenario import FOCUS_MEMBER, SEED_SCENARIO

D = Decimal


def key(base: int = 0, population: int = 0, usage: int = 0, modules: int = 0) -> KeyComponents:
    return KeyComponents(D(base), D(population), D(usage), D(modules))


def member(key: str, population: int = 10_000, **kwargs: Any) -> MemberInput:
    return MemberInput(key=key, name=f"Gemeinde {key.upper()}", population=population, **kwargs)


def totals(result: AllocationResult) -> dict[str, Decimal]:
    return {share.key: share.total for share in result.shares}


def assert_consistent(result: AllocationResult) -> None:
    """Every row and every column of the table adds up; the pots add up to the net cost."""
    shares = result.shares
    assert sum(share.total for share in shares) == result.net_cost
    assert result.pots.total == result.net_cost
    for name in ("base", "population", "usage", "modules"):
        assert sum(getattr(share, name) for share in shares) == getattr(result.pots, name)
    assert sum(result.module_pots.values(), D(0)) == result.pots.modules
    for module_key, pot in result.module_pots.items():
        assert sum(share.module_parts.get(module_key, D(0)) for share in shares) == pot
    for share in shares:
        assert share.base + share.population + share.usage + share.modules == share.total
        assert sum(share.module_parts.values(), D(0)) == share.modules


# --------------------------------------------------------------------------- components


@pytest.mark.parametrize(
    ("component", "net_cost", "members", "expected"),
    [
        pytest.param(
            "base", "90000.00", [member("a", 1_000), member("b", 50_000), member("c", 7)],
            {"a": "30000.00", "b": "30000.00", "c": "30000.00"},
            id="base-equally-per-member",
        ),
        pytest.param(
            "population", "1000.00", [member("a", 1_000), member("b", 3_000), member("c", 6_000)],
            {"a": "100.00", "b": "300.00", "c": "600.00"},
            id="population-by-inhabitants",
        ),
        pytest.param(
            "usage", "500.00",
            [
                member("a", usage_units=D("12.5")),
                member("b", usage_units=D("37.5")),
                member("c"),  # no usage recorded: pays nothing of this component
            ],
            {"a": "125.00", "b": "375.00", "c": "0.00"},
            id="usage-by-service-units",
        ),
    ],
)  # fmt: skip
def test_a_component_alone_splits_the_net_cost_by_its_weight(
    component: str, net_cost: str, members: list[MemberInput], expected: dict[str, str]
) -> None:
    result = allocate(net_cost=D(net_cost), components=key(**{component: 100}), members=members)
    assert totals(result) == {ags: D(amount) for ags, amount in expected.items()}
    assert [getattr(share, component) for share in result.shares] == [
        D(amount) for amount in expected.values()
    ]
    assert_consistent(result)


def test_modules_are_shared_only_by_their_participants() -> None:
    result = allocate(
        net_cost=D("1000.00"),
        components=key(modules=100),
        members=[
            member("a", modules=frozenset({"ozg", "geo"})),
            member("b", modules=frozenset({"ozg"})),
            member("c"),
        ],
        modules=[
            ModuleInput("ozg", "OZG", D("3")),  # 750.00: a and b
            ModuleInput("geo", "Geodaten", D("1")),  # 250.00: a only
        ],
    )
    shares = result.by_key()
    assert result.module_pots == {"geo": D("250.00"), "ozg": D("750.00")}
    assert shares["a"].module_parts == {"geo": D("250.00"), "ozg": D("375.00")}
    assert shares["a"].modules == D("625.00")
    assert shares["b"].module_parts == {"ozg": D("375.00")}
    assert shares["c"].module_parts == {}
    assert shares["c"].total == D("0.00")
    assert_consistent(result)


def test_mixed_key_adds_up_the_components_per_member() -> None:
    result = allocate(
        net_cost=D("10000.00"),
        components=key(base=20, population=40, usage=10, modules=30),
        members=[
            member("a", 2_000, usage_units=D(1), modules=frozenset({"ozg"})),
            member("b", 6_000, usage_units=D(3), modules=frozenset({"ozg"})),
        ],
        modules=[ModuleInput("ozg", "OZG", D("42000"))],
    )
    assert result.pots.base == D("2000.00")
    a, b = result.shares
    # base 1000 each; population 1000 : 3000; usage 250 : 750; modules 1500 each
    assert (a.base, a.population, a.usage, a.modules, a.total) == (
        D("1000.00"),
        D("1000.00"),
        D("250.00"),
        D("1500.00"),
        D("3750.00"),
    )
    assert b.total == D("6250.00")
    assert_consistent(result)


def test_pro_rata_member_with_six_months_pays_half_of_a_full_year_member_with_same_weights() -> (
    None
):
    members = [
        member("a", 10_000, usage_units=D(5), modules=frozenset({"ozg"})),
        member("b", 10_000, usage_units=D(5), modules=frozenset({"ozg"})),
        member("c", 10_000, months=6, usage_units=D(5), modules=frozenset({"ozg"})),
    ]
    result = allocate(
        net_cost=D("3000.00"),
        components=key(base=25, population=25, usage=25, modules=25),
        members=members,
        modules=[ModuleInput("ozg", "OZG", D(1))],
    )
    # weights 12 : 12 : 6 in every component
    assert totals(result) == {"a": D("1200.00"), "b": D("1200.00"), "c": D("600.00")}
    assert result.by_key()["c"].months == 6
    assert_consistent(result)


def test_pro_rata_others_carry_the_remainder_of_a_part_year_member() -> None:
    full_year = allocate(
        net_cost=D("3000.00"),
        components=key(base=100),
        members=[member("a"), member("b"), member("c")],
    )
    part_year = allocate(
        net_cost=D("3000.00"),
        components=key(base=100),
        members=[member("a"), member("b"), member("c", months=6)],
    )
    assert totals(full_year) == {"a": D("1000.00"), "b": D("1000.00"), "c": D("1000.00")}
    assert totals(part_year) == {"a": D("1200.00"), "b": D("1200.00"), "c": D("600.00")}


def test_zero_percent_component_is_skipped_even_without_weights() -> None:
    result = allocate(
        net_cost=D("100.00"),
        components=key(base=100),
        members=[member("a", 0), member("b", 0, modules=frozenset({"ozg"}))],
        modules=[ModuleInput("ozg", "OZG", D(1)), ModuleInput("geo", "Geodaten", D(1))],
    )
    assert totals(result) == {"a": D("50.00"), "b": D("50.00")}
    assert result.pots.population == result.pots.usage == result.pots.modules == D("0.00")
    assert result.by_key()["b"].module_parts == {"ozg": D("0.00")}


def test_module_with_zero_weight_and_no_participants_is_ignored() -> None:
    result = allocate(
        net_cost=D("100.00"),
        components=key(modules=100),
        members=[member("a", modules=frozenset({"ozg"}))],
        modules=[ModuleInput("ozg", "OZG", D(1)), ModuleInput("alt", "Altverfahren", D(0))],
    )
    assert totals(result) == {"a": D("100.00")}


def test_results_are_decimal_cents_and_shares_sorted_by_key() -> None:
    result = allocate(
        net_cost=D("100"),
        components=key(base=100),
        members=[member("c"), member("a"), member("b")],
    )
    assert [share.key for share in result.shares] == ["a", "b", "c"]
    assert result.net_cost == D("100.00")
    for share in result.shares:
        assert isinstance(share.total, Decimal)
        assert share.total.as_tuple().exponent == -2


# --------------------------------------------------------------------------- validation


OZG = ModuleInput("ozg", "OZG", D(1))  # the module both members of `_allocate_with` take part in


def _allocate_with(**overrides: Any) -> AllocationResult:
    kwargs: dict[str, Any] = {
        "net_cost": D("1000.00"),
        "components": key(base=25, population=25, usage=25, modules=25),
        "members": [
            member("a", usage_units=D(1), modules=frozenset({"ozg"})),
            member("b", usage_units=D(2), modules=frozenset({"ozg"})),
        ],
        "modules": [OZG],
    }
    kwargs.update(overrides)
    return allocate(**kwargs)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"members": []}, "Für das Jahr sind keine Mitglieder erfasst.", id="no-members"
        ),
        pytest.param(
            {"components": key(base=30, population=40, usage=10, modules=19)},
            "Die Anteile des Schlüssels ergeben 99,00 % statt 100 %.",
            id="percent-sum",
        ),
        pytest.param(
            {"components": KeyComponents(D("33.333"), D(33), D(33), D(0))},
            "Die Anteile des Schlüssels ergeben 99,333 % statt 100 %.",
            id="percent-sum-keeps-digits",
        ),
        pytest.param(
            {"components": key(base=110, population=-10)},
            "Der Anteil „Einwohner“ darf nicht negativ sein (-10,00 %).",
            id="negative-percent",
        ),
        pytest.param(
            {"net_cost": D("-1234.50")},
            "Die Nettokosten dürfen nicht negativ sein (-1.234,50 €).",
            id="negative-net-cost",
        ),
        pytest.param(
            {"net_cost": D("1000.005")},
            "Die Nettokosten müssen auf volle Cent lauten (1.000,005 €).",
            id="net-cost-below-cents",
        ),
        pytest.param(
            {"members": [member("a", 0, usage_units=D(1), modules=frozenset({"ozg"}))]},
            "Gemeinde A (a) hat keine Einwohnerzahl.",
            id="no-population",
        ),
        pytest.param(
            {"members": [member("a", -5, usage_units=D(1), modules=frozenset({"ozg"}))]},
            "Die Einwohnerzahl von Gemeinde A (a) darf nicht negativ sein (-5).",
            id="negative-population",
        ),
        pytest.param(
            {"members": [member("a", months=13, usage_units=D(1), modules=frozenset({"ozg"}))]},
            "Die Monate der Mitgliedschaft von Gemeinde A (a) müssen zwischen 1 und 12 liegen "
            "(angegeben: 13).",
            id="months-13",
        ),
        pytest.param(
            {"members": [member("a", months=0, usage_units=D(1), modules=frozenset({"ozg"}))]},
            "Die Monate der Mitgliedschaft von Gemeinde A (a) müssen zwischen 1 und 12 liegen "
            "(angegeben: 0).",
            id="months-0",
        ),
        pytest.param(
            {"members": [member("a", usage_units=D("-0.5"), modules=frozenset({"ozg"}))]},
            "Die Leistungseinheiten von Gemeinde A (a) dürfen nicht negativ sein (-0,50).",
            id="negative-usage",
        ),
        pytest.param(
            {"members": [member("a", modules=frozenset({"ozg"}))]},
            "Für den Anteil nach Nutzung sind keine Leistungseinheiten erfasst.",
            id="no-usage",
        ),
        pytest.param(
            {"modules": [ModuleInput("ozg", "OZG", D(1)), ModuleInput("geo", "Geodaten", D(2))]},
            "Das Modul „Geodaten“ hat keine Teilnehmenden.",
            id="module-without-participants",
        ),
        pytest.param(
            {"modules": [ModuleInput("ozg", "OZG", D(-1))]},
            "Das Gewicht des Moduls „OZG“ darf nicht negativ sein (-1,00).",
            id="negative-module-weight",
        ),
        pytest.param(
            {"modules": [ModuleInput("ozg", "OZG", D(0))]},
            "Für den Anteil nach Modulen sind keine Module mit einem Gewicht erfasst.",
            id="no-module-weight",
        ),
        pytest.param(
            {"modules": [ModuleInput("geo", "Geodaten", D(1))]},
            "Gemeinde A (a) nimmt am unbekannten Modul „ozg“ teil.",
            id="unknown-module",
        ),
        pytest.param(
            {"modules": [OZG, replace(OZG, name="OZG 2")]},  # its key again, another name
            "Die Modulkennung „ozg“ ist mehrfach vergeben.",
            id="duplicate-module",
        ),
        pytest.param(
            {"members": [member("a", usage_units=D(1)), member("a", usage_units=D(1))]},
            "Die Kennung „a“ ist mehrfach vergeben.",
            id="duplicate-member",
        ),
    ],
)
def test_invalid_input_raises_allocation_error_with_german_message(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(AllocationError) as raised:
        _allocate_with(**overrides)
    assert str(raised.value) == message
    assert isinstance(raised.value, ValueError)


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        _allocate_with(net_cost=1000.0)
    with pytest.raises(TypeError):
        largest_remainder(100, [("a", 0.5)])  # type: ignore[list-item]


# --------------------------------------------------------------------------- rounding


def test_hundred_euros_among_three_equal_members_gives_the_extra_cent_to_the_smallest_key() -> None:
    result = allocate(
        net_cost=D("100.00"),
        components=key(base=100),
        members=[member("b"), member("c"), member("a")],
    )
    assert totals(result) == {"a": D("33.34"), "b": D("33.33"), "c": D("33.33")}


def test_largest_remainder_gives_cents_by_remainder_then_key() -> None:
    assert largest_remainder(
        10_000, [("b", Fraction(1)), ("a", Fraction(1)), ("c", Fraction(1))]
    ) == {
        "a": 3334,
        "b": 3333,
        "c": 3333,
    }
    # weights sum to 31/7; exact 322.58.., 645.16.., 9032.25..: the cent goes to a (.58)
    assert largest_remainder(10_000, [("a", Fraction(1, 7)), ("b", Fraction(2, 7)), ("c", 4)]) == {
        "a": 323,
        "b": 645,
        "c": 9032,
    }


def test_largest_remainder_is_independent_of_input_order() -> None:
    weights = [(f"k{i:02d}", Fraction(i % 5 + 1, 3)) for i in range(30)]
    expected = largest_remainder(99_999, weights)
    assert sum(expected.values()) == 99_999
    for seed in range(5):
        shuffled = weights[:]
        random.Random(seed).shuffle(shuffled)
        assert largest_remainder(99_999, shuffled) == expected


def test_largest_remainder_refuses_weights_that_add_up_to_zero() -> None:
    with pytest.raises(AllocationError):
        largest_remainder(100, [("a", Fraction(0))])
    assert largest_remainder(0, [("a", Fraction(0))]) == {"a": 0}


def test_spare_cents_of_equal_columns_are_spread_over_members() -> None:
    # 50.00 / 3 in both columns: a key-only tie-break would give a 33.34 + 0.01 = 33.35 row
    result = allocate(
        net_cost=D("100.00"),
        components=key(base=50, population=50),
        members=[member("a"), member("b"), member("c")],
    )
    assert totals(result) == {"a": D("33.34"), "b": D("33.33"), "c": D("33.33")}
    assert_consistent(result)


def test_shuffled_input_gives_the_same_result() -> None:
    members = [
        member(
            f"{i:03d}",
            1_000 + 37 * i,
            months=1 + i % 12,
            usage_units=D(i % 7),
            modules=frozenset({"ozg"} if i % 2 else ()),
        )
        for i in range(50)
    ]
    kwargs: dict[str, Any] = {
        "net_cost": D("123456.78"),
        "components": key(base=25, population=35, usage=15, modules=25),
        "modules": [ModuleInput("ozg", "OZG", D(1))],
    }
    expected = allocate(members=members, **kwargs)
    for seed in range(5):
        shuffled = members[:]
        random.Random(seed).shuffle(shuffled)
        assert allocate(members=shuffled, **kwargs) == expected


# --------------------------------------------------------------------------- properties

MODULE_KEYS = ("geo", "isms", "ozg", "rz")


@st.composite
def key_components(draw: st.DrawFn) -> KeyComponents:
    """Four percents in hundredths that add up to exactly 100."""
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=3, max_size=3)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    return KeyComponents(*(D(part).scaleb(-2) for part in parts))


@st.composite
def member_inputs(draw: st.DrawFn, key: str) -> MemberInput:
    return MemberInput(
        key=key,
        name=f"Gemeinde {key}",
        population=draw(st.integers(1, 3_700_000)),
        months=draw(st.integers(1, 12)),
        usage_units=D(draw(st.integers(0, 10**6))).scaleb(-draw(st.integers(0, 3))),
        modules=frozenset(draw(st.sets(st.sampled_from(MODULE_KEYS)))),
    )


@st.composite
def allocation_inputs(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(
        st.lists(
            st.text("0123456789", min_size=1, max_size=8), min_size=1, max_size=25, unique=True
        )
    )
    members = [draw(member_inputs(k)) for k in keys]
    components = draw(key_components())
    if components.usage > 0:
        assume(any(m.usage_units > 0 for m in members))
    modules = [
        ModuleInput(k, k.upper(), D(draw(st.integers(0, 200_000))))
        for k in MODULE_KEYS
        if components.modules == 0 or any(k in m.modules for m in members)
    ]
    if components.modules > 0:
        assume(any(module.weight > 0 for module in modules))
    return {
        "net_cost": D(draw(st.integers(0, 10**11))).scaleb(-2),
        "components": components,
        "members": members,
        "modules": modules,
    }


@settings(max_examples=200, deadline=None)
@given(allocation_inputs())
def test_property_totals_add_up_to_the_net_cost_exactly(inputs: dict[str, Any]) -> None:
    result = allocate(**inputs)
    assert sum(share.total for share in result.shares) == inputs["net_cost"]


@settings(max_examples=150, deadline=None)
@given(allocation_inputs())
def test_property_each_component_column_sums_to_its_pot(inputs: dict[str, Any]) -> None:
    assert_consistent(allocate(**inputs))


@settings(max_examples=100, deadline=None)
@given(allocation_inputs())
def test_property_no_share_is_negative(inputs: dict[str, Any]) -> None:
    for share in allocate(**inputs).shares:
        amounts = [share.base, share.population, share.usage, share.modules, share.total]
        assert min([*amounts, *share.module_parts.values()]) >= 0


@settings(max_examples=100, deadline=None)
@given(allocation_inputs())
def test_property_each_component_is_its_exact_share_rounded_down_or_up(
    inputs: dict[str, Any],
) -> None:
    result = allocate(**inputs)
    members = inputs["members"]
    weights = {
        "base": {m.key: Fraction(m.months) for m in members},
        "population": {m.key: Fraction(m.population * m.months) for m in members},
        "usage": {m.key: Fraction(m.usage_units) * m.months for m in members},
    }
    for name, column in weights.items():
        pot = Fraction(getattr(result.pots, name))
        total_weight = sum(column.values())
        for share in result.shares:
            exact = pot * column[share.key] / total_weight if total_weight else Fraction(0)
            assert abs(Fraction(getattr(share, name)) - exact) < Fraction(1, 100)


@settings(max_examples=100, deadline=None)
@given(allocation_inputs(), st.randoms(use_true_random=False))
def test_property_same_input_gives_same_output_in_any_order(
    inputs: dict[str, Any], rnd: random.Random
) -> None:
    first = allocate(**inputs)
    assert allocate(**inputs) == first
    members = list(inputs["members"])
    modules = list(inputs["modules"])
    rnd.shuffle(members)
    rnd.shuffle(modules)
    assert allocate(**{**inputs, "members": members, "modules": modules}) == first


@settings(max_examples=200, deadline=None)
@given(
    allocation_inputs(),
    st.integers(1, 2_000_000),
    st.integers(1, 2_000_000),  # strictly more: equal populations tie, and a tie goes by key
    st.sampled_from(["zz1", "zz2"]),
)
def test_property_more_population_never_gives_a_smaller_population_component(
    inputs: dict[str, Any], population: int, more: int, larger_key: str
) -> None:
    twin = inputs["members"][0]
    smaller_key = "zz2" if larger_key == "zz1" else "zz1"
    small = MemberInput(
        smaller_key, "Klein", population, twin.months, twin.usage_units, twin.modules
    )
    large = MemberInput(
        larger_key, "Groß", population + more, twin.months, twin.usage_units, twin.modules
    )
    result = allocate(**{**inputs, "members": [*inputs["members"], small, large]}).by_key()
    assert result[larger_key].population >= result[smaller_key].population


# --------------------------------------------------------------------------- seed scenario


def seed_years() -> dict[int, dict[str, Any]]:
    """The seed scenario as ``allocate`` keyword arguments, per year."""
    names = {entry["key"]: entry["name"] for entry in SEED_SCENARIO["members"]}
    module_names = {entry["key"]: entry["name"] for entry in SEED_SCENARIO["modules"]}
    years: dict[int, dict[str, Any]] = {}
    for year, data in SEED_SCENARIO["years"].items():
        years[year] = {
            "net_cost": data["net_cost"],
            "components": KeyComponents(**data["key"]),
            "members": [
                MemberInput(
                    key=member_key,
                    name=names[member_key],
                    population=row["population"],
                    months=row["months"],
                    usage_units=row["usage_units"],
                    modules=frozenset(row["modules"]),
                )
                for member_key, row in data["participation"].items()
            ],
            "modules": [
                ModuleInput(module_key, module_names[module_key], weight)
                for module_key, weight in data["module_weights"].items()
            ],
        }
    return years


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2023, D("8869.25")), (2024, D("12826.30")), (2025, D("15555.30"))],
)
def test_seed_scenario_reproduces_the_figures_of_the_hessian_decision_paper(
    year: int, expected: Decimal
) -> None:
    result = allocate(**seed_years()[year])
    assert result.by_key()[FOCUS_MEMBER].total == expected
    assert SEED_SCENARIO["expected_shares"][year] == expected
    assert_consistent(result)


def test_seed_scenario_first_year_charge_is_back_charge_plus_current_year() -> None:
    years = seed_years()
    first_year = sum(allocate(**years[year]).by_key()[FOCUS_MEMBER].total for year in (2023, 2024))
    assert first_year == D("21695.55")


def test_seed_scenario_member_joined_mid_2023_and_is_charged_pro_rata() -> None:
    joined = {entry["key"]: entry["joined"] for entry in SEED_SCENARIO["members"]}
    months = SEED_SCENARIO["years"][2023]["participation"][FOCUS_MEMBER]["months"]
    assert months == 13 - joined[FOCUS_MEMBER].month == 6
    staged = SEED_SCENARIO["years"][2024]["participation"][FOCUS_MEMBER]["modules"]
    full = SEED_SCENARIO["years"][2025]["participation"][FOCUS_MEMBER]["modules"]
    assert set(staged) < set(full) == set(SEED_SCENARIO["years"][2025]["module_weights"])


def test_seed_scenario_net_cost_is_budget_minus_grants_and_grant_follows_the_ikz_rule() -> None:
    for year, data in SEED_SCENARIO["years"].items():
        grants = sum((grant["amount"] for grant in data["grants"]), D(0))
        assert data["net_cost"] == data["budget"] - grants, year
    founders = [m for m in SEED_SCENARIO["members"] if m["joined"].month == 1]
    ikz_grant = D("100000.00") if len(founders) > 3 else D("75000.00")
    assert [grant["amount"] for grant in SEED_SCENARIO["years"][2023]["grants"]] == [ikz_grant]


def test_seed_scenario_is_plausible_six_small_towns() -> None:
    for data in SEED_SCENARIO["years"].values():
        populations = [row["population"] for row in data["participation"].values()]
        assert len(populations) == 6
        assert all(12_000 <= population <= 16_000 for population in populations)


# --------------------------------------------------------------------------- regression


def _pinned_inputs() -> dict[str, Any]:
    """2,000 members with every kind of weight and tie (part years, equal modules)."""
    rng = random.Random(2026)
    module_keys = ("dms", "fin", "geo", "isms", "ozg", "rz")
    members = [
        MemberInput(
            key=f"{rng.randint(0, 99_999_999):08d}-{index}",
            name=f"Gemeinde {index}",
            population=max(1, int(rng.lognormvariate(7.8, 1.3))),
            months=12 if rng.random() < 0.85 else rng.randint(1, 11),
            usage_units=D(rng.randint(0, 2_000_000)).scaleb(-rng.randint(0, 3)),
            modules=frozenset(k for k in module_keys if rng.random() < 0.4),
        )
        for index in range(2_000)
    ]
    modules = [ModuleInput(k, k.upper(), D(rng.randint(0, 90_000))) for k in module_keys]
    return {
        "net_cost": D("12345678.91"),
        "components": key_percent("22.5", "41.25", "16.25", "20"),
        "members": members,
        "modules": modules,
    }


def key_percent(base: str, population: str, usage: str, modules: str) -> KeyComponents:
    return KeyComponents(D(base), D(population), D(usage), D(modules))


def test_every_cent_is_where_the_engine_put_it_before_it_was_made_faster() -> None:
    """A digest of a 2,000-member allocation, taken from the engine before its speed-up
    (columns instead of member objects): any change of a single cent, of a tie's winner or
    of the order of the module parts changes it."""
    result = allocate(**_pinned_inputs())
    lines = [f"{result.net_cost}|{result.pots}|{sorted(result.module_pots.items())}"]
    lines += [
        f"{s.key}|{s.base}|{s.population}|{s.usage}|{s.modules}|{s.total}|{s.months}|"
        f"{sorted(s.module_parts.items())}"
        for s in result.shares
    ]
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    assert digest == "720d0ed0891032df90a384816bd40b1a7300f44e31b92811a3d26eb79b5d4441"


def test_the_column_engine_gives_the_same_cents_as_the_member_objects() -> None:
    inputs = _pinned_inputs()
    members = inputs.pop("members")
    shuffled = members[:]
    random.Random(3).shuffle(shuffled)
    cents = allocate_cents(members=MemberColumns.of(shuffled), **inputs)
    shares = allocate(members=members, **inputs).shares
    assert [shuffled[index].key for index in cents.order] == [share.key for share in shares]
    assert cents.total == [int(share.total * 100) for share in shares]
    assert cents.population == [int(share.population * 100) for share in shares]
    # a long module column's positions and parts are int64 arrays: compare as Python ints
    parts = {
        key: dict(zip(*map(_python_ints, column), strict=True))
        for key, column in cents.module_parts.items()
    }
    for position, share in enumerate(shares):
        assert {
            key: D(found[position]).scaleb(-2) for key, found in parts.items() if position in found
        } == dict(share.module_parts)


def _python_ints(values: Indices | range | Amounts) -> list[int]:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def _cents_with_parts(count: int, parts: dict[str, tuple[Indices | range, Amounts]]) -> CentShares:
    return CentShares(
        order=range(count), net_cents=0, pots={}, module_pots={}, base=[], population=[],
        usage=[], modules=[], total=[], module_parts=parts,
    )  # fmt: skip


def _parts_case(rng: random.Random, modules: int, count: int, amounts: list[int]) -> CentShares:
    parts: dict[str, tuple[Indices | range, Amounts]] = {}
    for n in range(modules):
        indices = sorted(rng.sample(range(count), rng.randint(0, count)))
        parts[f"m{n:02d}"] = (indices, [rng.choice(amounts) for _ in indices])
    return _cents_with_parts(count, parts)


@pytest.mark.parametrize(
    ("modules", "amounts"),
    [
        (4, [1250, 1251, 625, 626]),  # a few parts per module: one dict per combination
        (3, [2**70, 2**70 + 1, 5]),  # parts beyond int64
        (12, list(range(1000, 1400))),  # too many combinations for one int64 number
    ],
)
def test_module_part_maps_give_each_member_its_parts_in_module_key_order(
    modules: int, amounts: list[int]
) -> None:
    rng = random.Random(modules)
    cents = _parts_case(rng, modules, 300, amounts)
    expected: list[dict[str, Decimal]] = [{} for _ in range(300)]
    for key, (indices, values) in cents.module_parts.items():
        for index, value in zip(indices, values, strict=True):
            expected[index][key] = Decimal(value).scaleb(-2)
    found = module_part_maps(cents, 300)
    assert [list(parts.items()) for parts in found] == [list(p.items()) for p in expected]
    assert all(repr(v) == repr(expected[i][k]) for i, p in enumerate(found) for k, v in p.items())
