"""Test data for cost sharing: small builders and the seed scenario in Django models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from costsharing import services
from costsharing.demo import issuer_demo_load, seed_scenario_load
from costsharing.models import BudgetYear, Module
from costsharing.seed_scenario import FOCUS_MEMBER, SEED_SCENARIO
from izd.schemas import tenant_schema
from tenants.models import Municipality, User
from tenants.services import MunicipalityData, municipality_create
from tenants.validators import leitweg_check_digits

D = Decimal
# Freezing needs every council's decision or a stated reason; tests of cost sharing alone have
# no papers, so they freeze with this reason.
NO_PAPERS = "Die Räte haben außerhalb des Portals beschlossen (Testdaten)."


def leitweg_for(ags: str) -> str:
    body = f"{ags}-0001"
    return f"{body}-{leitweg_check_digits(body)}"


@dataclass(frozen=True)
class SeedTowns:
    by_ags: dict[str, Municipality]

    @property
    def focus(self) -> Municipality:
        return self.by_ags[FOCUS_MEMBER]


def build_seed_towns() -> SeedTowns:
    towns = {}
    for member in SEED_SCENARIO["members"]:
        existing = Municipality.objects.filter(ags=member["key"]).first()
        towns[member["key"]] = existing or municipality_create(
            data=MunicipalityData(
                name=member["name"],
                ags=member["key"],
                population=14_000,
                population_date=date(2024, 12, 31),
                leitweg_id=leitweg_for(member["key"]),
                street="Marktplatz 1",
                postal_code="63600",
                city=member["name"].removeprefix("Stadt "),
            )
        )
    return SeedTowns(towns)


def budget_year(
    year: int,
    *,
    staff: tuple[tuple[str, str, str], ...] = (),
    costs: tuple[tuple[str, str, str], ...] = (),
    grants: tuple[dict[str, Any], ...] = (),
    key: tuple[int | str, int | str, int | str, int | str] | None = (100, 0, 0, 0),
    population_date: date | None = None,
    modules: dict[str, str] | None = None,
    kreis_share_percent: str = "0",
) -> BudgetYear:
    """A budget year with lines, grants, a key in force and modules (keys → weights)."""
    created = services.budget_year_create(year=year, kreis_share_percent=D(kreis_share_percent))
    for role, fte, cost in staff:
        services.staff_line_add(budget_year=created, role=role, fte=D(fte), cost_per_fte=D(cost))
    for kind, label, amount in costs:
        services.cost_line_add(budget_year=created, kind=kind, label=label, amount=D(amount))
    for grant in grants:
        services.grant_add(budget_year=created, **grant)
    if key is not None:
        base, population, usage, module_share = (D(str(part)) for part in key)
        services.allocation_key_save(
            budget_year=created, name="Schlüssel", base=base, population=population, usage=usage,
            modules=module_share, population_date=population_date or date(year - 1, 12, 31),
            activate=True,
        )  # fmt: skip
    for module_key, weight in (modules or {}).items():
        services.module_add(
            budget_year=created, key=module_key, name=module_key.upper(), weight=D(weight)
        )
    return created


def join(
    municipality: Municipality,
    joined_on: date,
    left_on: date | None = None,
    *,
    budget_line: str = "",
) -> None:
    with tenant_schema(municipality):
        services.cooperation_save(
            municipality=municipality, joined_on=joined_on, left_on=left_on, budget_line=budget_line
        )


def take_modules(municipality: Municipality, year: int, keys: list[str]) -> None:
    ids = list(
        Module.objects.filter(budget_year__year=year, key__in=keys).values_list("pk", flat=True)
    )
    with tenant_schema(municipality):
        services.module_choices_save(municipality=municipality, year=year, module_ids=ids)


def issuer() -> None:
    issuer_demo_load()


def load_seed(
    towns: SeedTowns, years: tuple[int, ...] = (2023, 2024, 2025)
) -> dict[int, BudgetYear]:
    """SEED_SCENARIO in the portal's models, as the kkd demo loads it (costsharing.demo)."""
    for year in years:
        data = SEED_SCENARIO["years"][year]
        grants_total = sum((g["amount"] for g in data["grants"]), D(0))
        assert data["net_cost"] + grants_total == data["budget"]
    return seed_scenario_load(towns.by_ags, years=years)


def freeze_2023_into_2024(
    towns: SeedTowns, years: tuple[int, ...] = (2023, 2024, 2025)
) -> dict[int, BudgetYear]:
    """The seed case as the 2024 notice sees it: 2023 frozen (its back charge settled in 2024)
    and 2024 frozen, with the Kreis as issuer."""
    created = load_seed(towns, years=years)
    issuer()
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS,
        budget_year=created[2023],
        user=centre_treasurer(),
        settle_in_year=2024,
    )
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=created[2024], user=centre_treasurer()
    )
    return created


def centre_treasurer() -> User:
    return User.objects.get(email="centre_treasurer@test.example")
