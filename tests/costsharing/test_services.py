"""Budget, grants, key, participation, usage and freeze through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from costsharing import selectors, services
from costsharing.allocation import AllocationError
from costsharing.models import (
    AllocationLine,
    AllocationVersion,
    BudgetYear,
    Grant,
    MemberProfile,
    Module,
    ModuleMembership,
    UsageRecord,
)
from costsharing.municipal.models import Cooperation, ModuleChoice
from costsharing.notices import notice
from izd.schemas import tenant_schema
from tests.conftest import Portal
from tests.costsharing.factories import NO_PAPERS, budget_year, centre_treasurer, join, take_modules

pytestmark = pytest.mark.django_db
D = Decimal


def shares(year: BudgetYear) -> dict[str, Decimal]:
    return {row.name: row.payable for row in selectors.allocation_live(year).rows}


def two_members(portal: Portal, year: int = 2026) -> None:
    join(portal.a, date(year - 3, 1, 1))
    join(portal.b, date(year - 3, 1, 1))


def members_year(portal: Portal, operating_cost: str, **figures: Any) -> BudgetYear:
    """2026 with both towns as members and one cost line, the operation's."""
    two_members(portal)
    return budget_year(2026, costs=(("material", "Betrieb", operating_cost),), **figures)


# --------------------------------------------------------------------------- budget


def test_budget_adds_staff_material_services_and_overheads_to_the_gross_cost(portal: Portal):
    year = budget_year(
        2026,
        staff=(("Leitung", "1.5", "80000.00"), ("Verwaltung", "0.5", "50000.00")),
        costs=(("material", "Lizenzen", "10000.00"), ("service", "Hosting", "5000.00"),
               ("overhead", "Gemeinkosten", "3000.50")),
    )  # fmt: skip
    budget = selectors.budget_of(year)
    assert budget.staff == D("145000.00")
    assert (budget.material, budget.service, budget.overhead) == (
        D("10000.00"), D("5000.00"), D("3000.50"),
    )  # fmt: skip
    assert budget.gross_cost == D("163000.50")
    assert budget.net_cost == D("163000.50")


def test_kreis_share_is_taken_off_before_the_members_share(portal: Portal):
    year = members_year(portal, "100000.00", kreis_share_percent="25")
    budget = selectors.budget_of(year)
    assert budget.kreis_share == D("25000.00")
    assert budget.net_cost == D("75000.00")
    assert shares(year) == {"Beispielstadt": D("37500.00"), "Testhausen": D("37500.00")}


def test_grant_passed_on_by_the_key_lowers_the_net_cost_and_the_kreis_keeps_its_part(
    portal: Portal,
):
    year = members_year(
        portal, "100000.00",
        grants=({"source": "IKZ-Förderung", "amount": D("20000.00"),
                 "pass_on": Grant.PassOn.BY_KEY, "kreis_percent": D("50")},),
    )  # fmt: skip
    budget = selectors.budget_of(year)
    assert (budget.grants_kreis, budget.grants_by_key) == (D("10000.00"), D("10000.00"))
    assert budget.net_cost == D("90000.00")
    assert budget.kreis_net == D("-10000.00")
    assert shares(year) == {"Beispielstadt": D("45000.00"), "Testhausen": D("45000.00")}


def test_grant_in_a_fixed_split_is_credited_equally_per_member_after_the_key(portal: Portal):
    year = members_year(
        portal, "100000.00", key=(0, 100, 0, 0),
        grants=({"source": "Land", "amount": D("10000.01"), "pass_on": Grant.PassOn.FIXED_SPLIT},),
    )  # fmt: skip
    allocation = selectors.allocation_live(year)
    rows = {row.name: row for row in allocation.rows}
    # by population 14,000 : 9,500 of 100,000.00; then the grant equally (cent to smaller AGS)
    assert rows["Testhausen"].total == D("59574.47")
    assert rows["Testhausen"].grant_credit == D("5000.01")
    assert rows["Beispielstadt"].grant_credit == D("5000.00")
    assert rows["Testhausen"].payable == D("54574.46")
    assert allocation.payable_total == D("100000.00") - D("10000.01")


def test_grants_above_the_members_cost_are_refused_in_german(portal: Portal):
    year = members_year(portal, "1000.00", grants=({"source": "Land", "amount": D("5000.00")},))
    with pytest.raises(AllocationError, match="übersteigen die Kosten"):
        selectors.allocation_live(year)


def test_negative_amount_is_refused_and_nothing_saved(portal: Portal):
    year = budget_year(2026)
    with pytest.raises(ValidationError, match="negativ"):
        services.cost_line_add(budget_year=year, kind="material", label="x", amount=D("-1.00"))
    assert not year.costs.exists()


# --------------------------------------------------------------------------- key components


def test_population_component_uses_the_figure_at_the_keys_reference_date(portal: Portal):
    year = members_year(portal, "1000.00", key=(0, 100, 0, 0), population_date=date(2025, 6, 30))
    services.population_figure_set(municipality=portal.a, reference_date=date(2025, 6, 30),
                                   population=3000)  # fmt: skip
    services.population_figure_set(
        municipality=portal.a, reference_date=date(2025, 12, 31), population=999_999
    )  # after the date: ignored
    services.population_figure_set(municipality=portal.b, reference_date=date(2024, 6, 30),
                                   population=1000)  # fmt: skip
    assert shares(year) == {"Beispielstadt": D("250.00"), "Testhausen": D("750.00")}


def test_population_of_zero_is_refused(portal: Portal):
    with pytest.raises(ValidationError, match="größer als null"):
        services.population_figure_set(
            municipality=portal.a, reference_date=date(2025, 6, 30), population=0
        )


def test_usage_component_splits_by_recorded_service_units(portal: Portal):
    year = members_year(portal, "900.00", key=(0, 0, 100, 0))
    services.usage_record(municipality_id=portal.a.pk, year=2026, units=D("20"), reference="t:1")
    services.usage_record(municipality_id=portal.a.pk, year=2026, units=D("10"), reference="t:2")
    services.usage_record(municipality_id=portal.b.pk, year=2026, units=D("60"), reference="t:3")
    assert shares(year) == {"Beispielstadt": D("600.00"), "Testhausen": D("300.00")}


def test_usage_recorded_twice_with_the_same_reference_counts_once(portal: Portal):
    first = services.usage_record(
        municipality_id=portal.a.pk, year=2026, units=D("5"), reference="roadmap.request:7"
    )
    again = services.usage_record(
        municipality_id=portal.a.pk, year=2026, units=D("5"), reference="roadmap.request:7"
    )
    assert again.pk == first.pk
    assert UsageRecord.objects.filter(reference="roadmap.request:7").count() == 1


def test_centre_treasurer_corrects_usage(portal: Portal):
    record = services.usage_record_create(
        municipality=portal.a, year=2026, units=D("5"), note="", user=portal.centre_treasurer
    )
    services.usage_record_correct(record=record, units=D("7.5"), note="nachgemeldet")
    record.refresh_from_db()
    assert record.units == D("7.50")


def test_module_cost_is_shared_by_its_participants_only(portal: Portal):
    year = members_year(portal, "1000.00", key=(0, 0, 0, 100), modules={"ozg": "3", "geo": "1"})
    take_modules(portal.a, 2026, ["ozg", "geo"])
    take_modules(portal.b, 2026, ["ozg"])
    assert shares(year) == {"Beispielstadt": D("375.00"), "Testhausen": D("625.00")}


def test_base_share_is_equal_and_pro_rata_by_months_for_a_member_joining_in_july(
    portal: Portal,
):
    join(portal.a, date(2020, 1, 1))
    join(portal.b, date(2026, 7, 15))  # the month of joining counts: July–December
    year = budget_year(2026, costs=(("material", "Betrieb", "1800.00"),), key=(100, 0, 0, 0))
    allocation = selectors.allocation_live(year)
    months = {row.name: row.months for row in allocation.rows}
    assert months == {"Beispielstadt": 6, "Testhausen": 12}
    assert shares(year) == {"Beispielstadt": D("600.00"), "Testhausen": D("1200.00")}


def test_member_that_left_before_the_year_is_not_charged(portal: Portal):
    join(portal.a, date(2020, 1, 1))
    join(portal.b, date(2020, 1, 1), left_on=date(2025, 12, 31))
    year = budget_year(2026, costs=(("material", "Betrieb", "100.00"),))
    assert shares(year) == {"Testhausen": D("100.00")}


def test_year_without_members_is_refused_in_german(portal: Portal):
    year = budget_year(2031, costs=(("material", "Betrieb", "100.00"),))
    with pytest.raises(AllocationError, match="keine Mitglieder"):
        selectors.allocation_live(year)


def test_key_percentages_must_add_up_to_100(portal: Portal):
    year = budget_year(2026, key=None)
    with pytest.raises(AllocationError, match="ergeben 90,00 % statt 100 %"):
        services.allocation_key_save(
            budget_year=year, name="falsch", base=D(40), population=D(50), usage=D(0),
            modules=D(0), population_date=date(2025, 12, 31),
        )  # fmt: skip
    assert not year.keys.exists()


# --------------------------------------------------------------------------- participation


def test_saving_participation_projects_it_into_the_public_read_model(portal: Portal):
    year = budget_year(2026, modules={"ozg": "1"})
    join(portal.a, date(2024, 3, 1), budget_line="1.11.01.00-543100")
    take_modules(portal.a, 2026, ["ozg"])
    with tenant_schema(portal.a):
        assert Cooperation.objects.get().joined_on == date(2024, 3, 1)
        assert ModuleChoice.objects.filter(year=2026).count() == 1
    profile = MemberProfile.objects.get(municipality=portal.a)
    assert profile.budget_line == "1.11.01.00-543100"
    assert (
        ModuleMembership.objects.filter(municipality=portal.a, module__budget_year=year).count()
        == 1
    )
    with tenant_schema(portal.b):
        assert not Cooperation.objects.exists()  # the other schema knows nothing of it


def test_modules_need_membership_in_the_year(portal: Portal):
    budget_year(2026, modules={"ozg": "1"})
    join(portal.a, date(2027, 1, 1))
    with pytest.raises(services.CostsharingError, match="nicht Mitglied"):
        take_modules(portal.a, 2026, ["ozg"])


def _selects(queries: CaptureQueriesContext) -> list[str]:
    # django-tenants sets the search_path before a query where it changed; not a read
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET ")]


def test_allocation_reads_two_queries_whatever_the_number_of_members(portal: Portal, seed_towns):
    year = members_year(portal, "100.00", key=(25, 25, 25, 25), modules={"ozg": "1", "geo": "2"})
    take_modules(portal.a, 2026, ["ozg", "geo"])
    services.usage_record(municipality_id=portal.b.pk, year=2026, units=D("3"), reference="q:1")
    year = BudgetYear.objects.get(pk=year.pk)
    with CaptureQueriesContext(connection) as two:
        assert len(selectors.allocation_live(year).rows) == 2
    for town in seed_towns.by_ags.values():
        join(town, date(2025, 1, 1))
        take_modules(town, 2026, ["geo"])
    with CaptureQueriesContext(connection) as eight:
        assert len(selectors.allocation_live(year).rows) == 8
    # the key, budget lines and modules in one query, and one query for all members
    assert len(_selects(two)) == len(_selects(eight)) == 2, _selects(eight)


def test_members_are_read_in_one_query_with_figure_usage_modules_and_months(portal: Portal):
    join(portal.a, date(2020, 1, 1))
    join(portal.b, date(2026, 4, 20), left_on=date(2026, 9, 30))  # April–September
    year = budget_year(2026, modules={"ozg": "1", "geo": "1", "dms": "1"})
    take_modules(portal.a, 2026, ["ozg", "geo"])
    take_modules(portal.b, 2026, ["dms"])
    earlier = budget_year(2025, modules={"ozg": "1"})
    ModuleMembership.objects.create(  # a module of another year does not count
        municipality=portal.b, module=earlier.modules.get(key="ozg")
    )
    services.population_figure_set(
        municipality=portal.a, reference_date=date(2024, 12, 31), population=14_100
    )
    services.population_figure_set(
        municipality=portal.a, reference_date=date(2025, 12, 31), population=14_200
    )
    services.population_figure_set(  # after the reference date: not used
        municipality=portal.a, reference_date=date(2026, 6, 30), population=99_999
    )
    for n, units in enumerate(("2.5", "4", "0.25")):
        services.usage_record(
            municipality_id=portal.a.pk, year=2026, units=D(units), reference=f"m:{n}"
        )
    services.usage_record(  # another year: not counted
        municipality_id=portal.a.pk, year=2025, units=D("100"), reference="m:other"
    )
    modules = {m.pk: m.key for m in Module.objects.filter(budget_year=year)}
    with CaptureQueriesContext(connection) as queries:
        members = selectors.members_of_year(2026, date(2025, 12, 31), modules)
    assert len(_selects(queries)) == 1
    # columns, by AGS: 06435901, 06435902
    assert list(members.municipality_ids) == [portal.a.pk, portal.b.pk]
    assert list(members.keys) == ["06435901", "06435902"]
    assert members.names[0] == "Testhausen"
    assert list(members.months) == [12, 6]
    assert list(members.populations) == [14_200, 9_500]
    assert list(members.usage_units) == [D("6.75"), D(0)]
    assert list(members.modules) == [frozenset({"ozg", "geo"}), frozenset({"dms"})]
    assert members.population_dates[0] == date(2025, 12, 31)
    assert list(selectors.members_of_year(2027, date(2026, 12, 31)).keys) == ["06435901"]


# --------------------------------------------------------------------------- freeze


def frozen_year(portal: Portal) -> BudgetYear:
    year = members_year(portal, "1000.00")
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=year, user=centre_treasurer()
    )
    year.refresh_from_db()
    return year


def test_frozen_year_refuses_budget_key_module_and_usage_changes(portal: Portal):
    year = frozen_year(portal)
    attempts = [
        lambda: services.cost_line_add(budget_year=year, kind="material", label="x", amount=D(1)),
        lambda: services.staff_line_add(budget_year=year, role="x", fte=D(1), cost_per_fte=D(1)),
        lambda: services.grant_add(budget_year=year, source="x", amount=D(1)),
        lambda: services.module_add(budget_year=year, key="neu", name="Neu", weight=D(1)),
        lambda: services.budget_year_update(budget_year=year, kreis_share_percent=D(10)),
        lambda: services.allocation_key_save(
            budget_year=year, name="B", base=D(100), population=D(0), usage=D(0), modules=D(0),
            population_date=date(2025, 12, 31),
        ),
        lambda: services.usage_record(
            municipality_id=portal.a.pk, year=2026, units=D(1), reference="late"
        ),
        lambda: services.allocation_freeze(
            decisions_waiver=NO_PAPERS, budget_year=year, user=centre_treasurer()
        ),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(services.FrozenYearError, match="festgeschrieben"):
            attempt()
    assert selectors.budget_of(year).gross_cost == D("1000.00")
    assert not UsageRecord.objects.filter(reference="late").exists()


def test_frozen_year_refuses_a_membership_change_that_alters_its_months(portal: Portal):
    frozen_year(portal)
    with pytest.raises(services.FrozenYearError, match="2026"):
        join(portal.b, date(2023, 1, 1), left_on=date(2026, 6, 30))
    assert MemberProfile.objects.get(municipality=portal.b).left_on is None
    join(portal.b, date(2023, 1, 1), budget_line="neu")  # billing details may change


def test_freeze_writes_every_line_as_computed(portal: Portal):
    year = members_year(portal, "1000.01", key=(50, 0, 0, 50), modules={"ozg": "1"})
    take_modules(portal.a, 2026, ["ozg"])
    live = selectors.allocation_live(year)
    version = services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=year, user=centre_treasurer()
    )
    frozen = selectors.allocation_of_version(version)
    assert frozen.rows == live.rows
    line = AllocationLine.objects.get(version=version, municipality=portal.a)
    assert line.module_keys == ["ozg"] and line.module_parts == {"ozg": "500.00"}
    assert (line.base, line.modules, line.payable) == (D("250.01"), D("500.00"), D("750.01"))


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("sum", "nicht genau die Nettokosten"),
        ("components", "Bestandteile des Anteils von Testhausen ergeben nicht seine Summe"),
        ("negative", "negativ oder zu groß"),
        ("twice", "mehrfach"),
    ],
)
def test_freeze_validates_the_lines_as_a_set_and_writes_nothing_wrong(
    portal: Portal, monkeypatch, broken, message
):
    import dataclasses

    year = members_year(portal, "1000.00")
    live = selectors.allocation_live(year)
    first, second = live.rows
    if broken == "sum":  # a cent too much, consistent within the row
        changed = first._replace(base=first.base + D("0.01"), total=first.total + D("0.01"),
                                 payable=first.payable + D("0.01"))  # fmt: skip
        rows = (changed, second)
    elif broken == "components":  # the total no longer the sum of its parts
        rows = (first._replace(base=first.base - D("1")), second._replace(base=second.base + 1))
    elif broken == "negative":
        rows = (
            first._replace(base=D("-1.00"), total=first.total - first.base - 1,
                           payable=first.payable - first.base - 1),
            second._replace(base=second.base + first.base + 1,
                            total=second.total + first.base + 1,
                            payable=second.payable + first.base + 1),
        )  # fmt: skip
    else:
        rows = (first, first._replace(base=second.base, total=second.total,
                                      payable=second.payable))  # fmt: skip
    tampered = dataclasses.replace(live, rows=rows)
    monkeypatch.setattr(selectors, "allocation_live", lambda *args, **kwargs: tampered)
    with pytest.raises(services.CostsharingError, match=message):
        services.allocation_freeze(
            decisions_waiver=NO_PAPERS, budget_year=year, user=centre_treasurer()
        )
    assert not AllocationVersion.objects.filter(budget_year=year).exists()
    year.refresh_from_db()
    assert not year.is_frozen


def test_correction_is_a_new_version_with_differences_and_version_one_is_unchanged(
    portal: Portal,
):
    year = frozen_year(portal)
    first = AllocationVersion.objects.get(budget_year=year, number=1)
    first_lines = list(AllocationLine.objects.filter(version=first).values_list("name", "payable"))
    services.correction_open(budget_year=year)
    services.cost_line_add(budget_year=year, kind="service", label="Nachtrag", amount=D("200.00"))
    with pytest.raises(services.CostsharingError, match="Anlass"):
        services.allocation_freeze(
            decisions_waiver=NO_PAPERS, budget_year=year, user=centre_treasurer()
        )
    second = services.allocation_freeze(
        decisions_waiver=NO_PAPERS,
        budget_year=year,
        user=centre_treasurer(),
        reason="Nachtrag Hosting",
    )
    assert second.number == 2
    assert second.settle_in_year == 2027
    assert list(AllocationLine.objects.filter(version=first).values_list("name", "payable")) == (
        first_lines
    )
    changes = {d.name: (d.before, d.after, d.change) for d in selectors.version_differences(second)}
    assert changes == {
        "Beispielstadt": (D("500.00"), D("600.00"), D("100.00")),
        "Testhausen": (D("500.00"), D("600.00"), D("100.00")),
    }
    # the difference is a back charge (periodenfremd) on the next year's notice
    shown = notice(portal.a, 2027)
    assert [(line.year, line.amount) for line in shown.lines] == [(2026, D("100.00"))]
    assert "Korrektur" in shown.lines[0].label
    assert notice(portal.a, 2026).total == D("500.00")


def test_demo_data_load_twice_gives_every_member_a_share_once(portal: Portal):
    from costsharing.demo import DEMO_YEAR, costsharing_demo_load

    costsharing_demo_load()
    costsharing_demo_load()
    year = BudgetYear.objects.get(year=DEMO_YEAR)
    allocation = selectors.allocation_live(year)
    assert {row.name for row in allocation.rows} >= {"Testhausen", "Beispielstadt"}
    assert allocation.payable_total == selectors.budget_of(year).members_total
    assert UsageRecord.objects.filter(year=DEMO_YEAR, reference__startswith="demo:").count() == len(
        allocation.rows
    )
