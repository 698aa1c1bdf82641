"""A member's share explained: the computation gathers numbers, the presenter writes German.

No database: the year is computed from plain inputs as the selectors would hand them over.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from costsharing.allocation import KeyComponents
from costsharing.computation import (
    CostInput,
    Explanation,
    GrantInput,
    KeyInfo,
    ModuleInfo,
    Split,
    YearAllocation,
    YearMembers,
    budget_figures,
    compute,
    explain,
)
from costsharing.explanations import (
    back_charge_label,
    back_charge_note,
    components,
    label,
    text,
)
from costsharing.figures import BackCharge

D = Decimal


def two_members(
    key: KeyComponents,
    net_cost: str,
    populations: list[int],
    *,
    grants: list[GrantInput] | None = None,
    modules: list[ModuleInfo] | None = None,
    population_dates: list[date | None] | None = None,
) -> YearAllocation:
    """2030 computed for A (the whole year, 1,234.5 usage units) and B (half of it, 10 units),
    each taking part in every module."""
    budget = budget_figures(
        staff=[],
        costs=[CostInput("material", "Betrieb", D(net_cost))],
        grants=grants or [],
        kreis_share_percent=D(0),
    )
    every_module = frozenset(module.key for module in modules or [])
    return compute(
        year=2030,
        key=KeyInfo("K", key, date(2029, 12, 31)),
        budget=budget,
        members=YearMembers(
            keys=["00000001", "00000002"],
            names=["A", "B"],
            populations=populations,
            months=[12, 6],
            usage_units=[D("1234.5"), D("10")],
            modules=[every_module, every_module],
            municipality_ids=[1, 2],
            population_dates=population_dates or [None, None],
        ),
        modules=modules or [],
    )


@pytest.fixture
def year() -> YearAllocation:
    return two_members(
        KeyComponents(D(40), D(30), D(10), D(20)),
        "100000.00",
        [14_000, 9_500],
        grants=[GrantInput("Land", D("1000.00"), "fixed", D(0))],
        modules=[ModuleInfo("ozg", "OZG", D(1))],
        population_dates=[date(2029, 6, 30), None],
    )


def test_the_computation_explains_in_numbers_that_add_up_to_the_payable_amount(year):
    for row in year.rows:
        items = explain(year, row)
        assert all(isinstance(item, Explanation) for item in items)
        assert [item.component for item in items] == [
            "base",
            "population",
            "usage",
            "modules",
            "grant_credit",
        ]
        assert sum((item.amount for item in items), D(0)) == row.payable
        for item in items:
            splits = [item.split] if item.split else [part.split for part in item.modules]
            for split in splits:
                assert isinstance(split, Split)
                exact = split.pot * split.weight / split.total
                assert abs(exact - split.amount) < D("0.01")  # rounded once, to the cent


def test_the_figures_are_those_a_treasurer_recomputes(year):
    first = year.rows[0]
    base, population, usage, modules, credit = explain(year, first)
    assert base.split == Split(D("40000.00"), D(12), D(18), first.base)
    assert population.split == Split(
        D("30000.00"), D(14_000 * 12), D(14_000 * 12 + 9_500 * 6), first.population_amount
    )
    assert (population.figure_date, population.key_date) == (date(2029, 6, 30), date(2029, 12, 31))
    assert usage.split is not None and usage.split.weight == D("1234.5") * 12
    assert [(part.name, part.participants, part.split.total) for part in modules.modules] == [
        ("OZG", 2, D(18))
    ]
    assert credit.amount == -first.grant_credit and credit.percent == 0


def test_the_presenter_writes_the_sentences_of_modules_dates_and_grants(year):
    second = year.rows[1]
    items = explain(year, second)
    by_component = {item.component: item for item in items}
    assert "9.500 Einwohner (Stichtag des Schlüssels 31.12.2029) × 6 Monate = 57.000" in text(
        by_component["population"]
    )
    assert text(by_component["modules"]).startswith(
        "20,00 % der Nettokosten tragen die Teilnehmenden der Module. OZG: Modulkosten "
        "20.000,00 €, geteilt je Mitgliedsmonat der 2 Teilnehmenden (6 von 18 Monaten). "
        "Genau: 20.000,00 € × 6 / 18 ≈ 6.666,6667 €, auf Cent gerundet"
    )
    assert label(by_component["grant_credit"]) == "Fördermittel (feste Aufteilung)"
    assert text(by_component["grant_credit"]) == (
        "Fördermittel von 1.000,00 € werden zu gleichen Teilen je Mitgliedsmonat "
        "gutgeschrieben: 6 von 18 Mitgliedsmonaten."
    )
    first = explain(year, year.rows[0])
    assert "14.000 Einwohner (amtliche Zahl zum 30.06.2029, der letzten bis zum Stichtag" in (
        text(first[1])
    )
    shown = components(items)
    assert [c.label for c in shown] == [
        "Sockelbetrag",
        "Einwohner",
        "Nutzung",
        "Module",
        "Fördermittel (feste Aufteilung)",
    ]
    assert [c.amount for c in shown] == [item.amount for item in items]


def test_back_charges_are_labelled_as_the_notice_and_the_paper_show_them():
    first = BackCharge(2025, 1, None, D(0), D("8869.25"), ())
    assert back_charge_label(first) == "Kostenanteil 2025 (Nachberechnung, periodenfremd)"
    assert back_charge_note(first) == "Anteil für 2025 laut Verteilung Version 1."
    lower = BackCharge(2025, 2, 1, D("1234.50"), D("1000.00"), ())
    assert back_charge_label(lower) == "Erstattung 2025 (Korrektur, periodenfremd)"
    assert back_charge_note(lower) == (
        "Unterschied zwischen Version 2 und Version 1 der Verteilung 2025: 1.234,50 € → 1.000,00 €."
    )


def test_explanations_use_german_number_formats():
    thirds = KeyComponents(D("40.0000"), D("33.3333"), D("26.6667"), D(0))
    allocation = two_members(thirds, "100000.01", [14_000, 1_009_500])
    base, population, usage = (
        item.text for item in components(explain(allocation, allocation.rows[0]))
    )
    # Part-year members weigh by months: the divisors are months, not plain sums.
    assert base.startswith("40,00 % der Nettokosten von 100.000,01 € ergeben den Sockelbetrag")
    assert "Ihre Kommune hat 12 von 12 Monaten, alle 2 Mitglieder zusammen 18 " in base
    assert "14.000 Einwohner (Stichtag des Schlüssels 31.12.2029) × 12 Monate = 168.000" in (
        population
    )
    assert "alle Mitglieder zusammen 6.225.000 Einwohnermonate" in population
    assert "1.234,50 Einheiten × 12 Monate = 14.814, alle Mitglieder zusammen 14.874" in usage
