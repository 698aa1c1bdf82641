"""The seed case of the issue, through the portal's models, services and the notice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from costsharing import selectors, services
from costsharing.notices import notice
from costsharing.seed_scenario import FOCUS_MEMBER, SEED_SCENARIO
from tests.costsharing.factories import NO_PAPERS, centre_treasurer, load_seed

pytestmark = pytest.mark.django_db
D = Decimal


def test_seed_scenario_through_the_models_gives_the_papers_figures_per_year(seed_towns):
    years = load_seed(seed_towns)
    for year, expected in SEED_SCENARIO["expected_shares"].items():
        allocation = selectors.allocation_live(years[year])
        row = allocation.row_for(seed_towns.focus.pk)
        assert row is not None
        assert row.payable == expected, year
        assert allocation.payable_total == SEED_SCENARIO["years"][year]["net_cost"]


def test_seed_notice_shows_back_charge_and_current_year_line_by_line(seed_towns):
    years = load_seed(seed_towns)
    user = centre_treasurer()
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=years[2023], user=user, settle_in_year=2024
    )
    services.allocation_freeze(decisions_waiver=NO_PAPERS, budget_year=years[2024], user=user)
    services.allocation_freeze(decisions_waiver=NO_PAPERS, budget_year=years[2025], user=user)

    shown = notice(seed_towns.focus, 2024)
    lines = [(line.year, line.kind, line.amount) for line in shown.lines]
    assert lines == [
        (2023, "back_charge", D("8869.25")),
        (2024, "current", D("12826.30")),
    ]
    assert "periodenfremd" in shown.lines[0].label
    assert shown.total == D("21695.55")
    assert shown.provisional is False

    following = notice(seed_towns.focus, 2025)
    assert [(line.year, line.amount) for line in following.lines] == [(2025, D("15555.30"))]
    assert following.total == D("15555.30")
    # the 2023 share was settled with the 2024 notice, so 2023's own notice has no line
    assert notice(seed_towns.focus, 2023).lines == ()
    assert FOCUS_MEMBER == seed_towns.focus.ags
