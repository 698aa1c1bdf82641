"""The inputs of a year's allocation (key, budget lines, modules) in one query, as the ORM
reads them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from costsharing import selectors
from costsharing.allocation import AllocationError
from costsharing.computation import CostInput, GrantInput, ModuleInfo, StaffInput
from costsharing.models import AllocationKey, BudgetYear, Grant
from tests.conftest import Portal
from tests.costsharing.factories import budget_year

pytestmark = pytest.mark.django_db
D = Decimal

# texts that an array's text form has to quote or escape
AWKWARD = ['Lizenz "A", {B}', "NULL", "a\\b c", "Straße; Wächtersbach", " führend"]


def _year_with_awkward_lines() -> BudgetYear:
    return budget_year(
        2034,
        staff=((AWKWARD[0], "1.25", "81234.56"), (AWKWARD[1], "0.5", "50000.00")),
        costs=(("service", AWKWARD[2], "5000.00"), ("material", AWKWARD[3], "10000.01"),
               ("overhead", AWKWARD[4], "3000.50"), ("material", AWKWARD[0], "7.00")),
        grants=({"source": AWKWARD[3], "amount": D("20000.00"), "pass_on": Grant.PassOn.BY_KEY,
                 "kreis_percent": D("12.5")},
                {"source": AWKWARD[1], "amount": D("100.01"),
                 "pass_on": Grant.PassOn.FIXED_SPLIT}),
        key=(25, 25, 25, 25),
        population_date=date(2033, 6, 30),
        modules={"ozg": "120000", "dms": "30000.5", "geo": "45000"},
    )  # fmt: skip


def test_year_inputs_hold_the_lines_and_modules_in_the_order_of_the_models(portal: Portal):
    year = _year_with_awkward_lines()
    with CaptureQueriesContext(connection) as queries:
        inputs = selectors._year_inputs(year)
    assert len(queries.captured_queries) == 1
    assert inputs.staff == [
        StaffInput(*line) for line in year.staff.values_list("role", "fte", "cost_per_fte")
    ]
    assert inputs.costs == [
        CostInput(*line) for line in year.costs.values_list("kind", "label", "amount")
    ]
    assert [cost.kind for cost in inputs.costs] == ["material", "material", "overhead", "service"]
    assert inputs.grants == [
        GrantInput(*grant)
        for grant in year.grants.values_list("source", "amount", "pass_on", "kreis_percent")
    ]
    assert inputs.modules == {
        pk: ModuleInfo(key, name, weight)
        for pk, key, name, weight in year.modules.order_by("key").values_list(
            "pk", "key", "name", "weight"
        )
    }
    assert next(iter(inputs.modules.values())).weight == D("30000.5")  # dms first
    active = AllocationKey.objects.get(budget_year=year, is_active=True)
    assert inputs.key == selectors.key_info(active)


def test_a_year_without_a_key_in_force_has_no_key_and_no_live_allocation(portal: Portal):
    year = budget_year(2035, key=None, costs=(("material", "Betrieb", "100.00"),))
    assert selectors._year_inputs(year).key is None
    assert selectors.budget_of(year).gross_cost == D("100.00")
    with pytest.raises(AllocationError, match="noch kein Verteilungsschlüssel"):
        selectors.allocation_live(year)


def test_an_empty_year_has_empty_inputs(portal: Portal):
    year = budget_year(2036, key=None)
    inputs = selectors._year_inputs(year)
    assert (inputs.staff, inputs.costs, inputs.grants, inputs.modules) == ([], [], [], {})
    assert selectors.modules_of(year) == []
