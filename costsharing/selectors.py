"""Reads of cost sharing. Everything comes from the public schema (the read model included):
a year's allocation is a handful of queries, whatever the number of members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from costsharing.allocation import AllocationError, KeyComponents
from costsharing.computation import (
    ZERO,
    BudgetFigures,
    CostInput,
    GrantInput,
    KeyInfo,
    MemberData,
    MemberRow,
    ModuleInfo,
    StaffInput,
    YearAllocation,
    budget_figures,
    compute,
    months_in_year,
)
from costsharing.models import (
    AllocationKey,
    AllocationLine,
    AllocationVersion,
    BudgetYear,
    IssuerProfile,
    MemberProfile,
    Module,
    ModuleMembership,
    PopulationFigure,
    UsageRecord,
)
from tenants.models import Municipality


def years() -> QuerySet[BudgetYear]:
    return BudgetYear.objects.order_by("-year")


def year_get(year: int) -> BudgetYear | None:
    return BudgetYear.objects.filter(year=year).first()


def active_key(budget_year: BudgetYear) -> AllocationKey | None:
    return AllocationKey.objects.filter(budget_year=budget_year, is_active=True).first()


def issuer() -> IssuerProfile | None:
    return IssuerProfile.objects.first()


def budget_of(budget_year: BudgetYear) -> BudgetFigures:
    staff = [StaffInput(s.role, s.fte, s.cost_per_fte) for s in budget_year.staff.all()]
    costs = [CostInput(c.kind, c.label, c.amount) for c in budget_year.costs.all()]
    grants = [
        GrantInput(g.source, g.amount, g.pass_on, g.kreis_percent) for g in budget_year.grants.all()
    ]
    return budget_figures(
        staff=staff, costs=costs, grants=grants, kreis_share_percent=budget_year.kreis_share_percent
    )


def key_info(key: AllocationKey) -> KeyInfo:
    return KeyInfo(
        name=key.name,
        components=KeyComponents(
            base=key.base_percent,
            population=key.population_percent,
            usage=key.usage_percent,
            modules=key.modules_percent,
        ),
        population_date=key.population_date,
    )


def members_of_year(year: int, population_date: date) -> list[MemberData]:
    """The members of a year with their months, population, usage and modules (5 queries)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    profiles = list(
        MemberProfile.objects.filter(joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .values_list(
            "municipality_id",
            "municipality__name",
            "municipality__ags",
            "municipality__population",
            "joined_on",
            "left_on",
        )
    )
    figures = dict(
        PopulationFigure.objects.filter(reference_date__lte=population_date)
        .order_by("municipality_id", "-reference_date")
        .distinct("municipality_id")
        .values_list("municipality_id", "population")
    )
    usage = dict(
        UsageRecord.objects.filter(year=year)
        .order_by()
        .values("municipality_id")
        .annotate(units=Sum("units"))
        .values_list("municipality_id", "units")
    )
    modules: dict[int, set[str]] = {}
    for municipality_id, module_key in ModuleMembership.objects.filter(
        module__budget_year__year=year
    ).values_list("municipality_id", "module__key"):
        modules.setdefault(municipality_id, set()).add(module_key)
    members = []
    for pk, name, ags, population, joined_on, left_on in profiles:
        months = months_in_year(joined_on, left_on, year)
        if not months:
            continue
        members.append(
            MemberData(
                municipality_id=pk,
                name=name,
                ags=ags,
                months=months,
                population=figures.get(pk, population),
                usage_units=usage.get(pk) or Decimal(0),
                module_keys=frozenset(modules.get(pk, ())),
            )
        )
    return members


def modules_of(budget_year: BudgetYear) -> list[ModuleInfo]:
    return [
        ModuleInfo(m.key, m.name, m.weight)
        for m in Module.objects.filter(budget_year=budget_year).order_by("key")
    ]


def allocation_live(budget_year: BudgetYear, key: AllocationKey | None = None) -> YearAllocation:
    """The year's allocation as it stands now; raises AllocationError with a German message."""
    key = key or active_key(budget_year)
    if key is None:
        raise AllocationError(f"Für {budget_year.year} ist noch kein Verteilungsschlüssel gültig.")
    info = key_info(key)
    return compute(
        year=budget_year.year,
        key=info,
        budget=budget_of(budget_year),
        members=members_of_year(budget_year.year, info.population_date),
        modules=modules_of(budget_year),
    )


def versions_of(budget_year: BudgetYear) -> QuerySet[AllocationVersion]:
    return AllocationVersion.objects.filter(budget_year=budget_year).select_related("frozen_by")


def version_get(year: int, number: int) -> AllocationVersion | None:
    return (
        AllocationVersion.objects.filter(budget_year__year=year, number=number)
        .select_related("budget_year", "frozen_by")
        .first()
    )


def allocation_of_version(version: AllocationVersion) -> YearAllocation:
    budget = BudgetFigures(
        staff=ZERO, material=ZERO, service=ZERO, overhead=ZERO,
        gross_cost=version.gross_cost,
        kreis_share_percent=Decimal(0),
        kreis_share=version.kreis_share,
        grants_total=version.grants_total,
        grants_kreis=version.grants_kreis,
        grants_by_key=version.grants_by_key,
        grants_fixed=version.grants_fixed,
        net_cost=version.net_cost,
    )  # fmt: skip
    key = KeyInfo(
        name=version.key_name,
        components=KeyComponents(
            base=version.base_percent,
            population=version.population_percent,
            usage=version.usage_percent,
            modules=version.modules_percent,
        ),
        population_date=version.population_date,
    )
    modules = tuple(
        ModuleInfo(m["key"], m["name"], Decimal(m["weight"]), Decimal(m["pot"]))
        for m in version.modules
    )
    rows = tuple(_row(line) for line in AllocationLine.objects.filter(version=version))
    frozen_by = version.frozen_by
    return YearAllocation(
        year=version.budget_year.year,
        key=key,
        budget=budget,
        modules=modules,
        rows=rows,
        version=version.number,
        frozen_at=version.frozen_at,
        frozen_by=frozen_by.get_full_name() or frozen_by.email,
        settle_in_year=version.settle_in_year,
        reason=version.reason,
    )


def _row(line: AllocationLine) -> MemberRow:
    return MemberRow(
        municipality_id=line.municipality_id,
        name=line.name,
        ags=line.ags,
        months=line.months,
        population=line.population,
        usage_units=line.usage_units,
        module_keys=tuple(line.module_keys),
        base=line.base,
        population_amount=line.population_amount,
        usage=line.usage,
        modules=line.modules,
        module_parts={k: Decimal(v) for k, v in line.module_parts.items()},
        total=line.total,
        grant_credit=line.grant_credit,
        payable=line.payable,
    )


def latest_version(budget_year: BudgetYear) -> AllocationVersion | None:
    return versions_of(budget_year).order_by("-number").first()


def allocation_current(budget_year: BudgetYear) -> YearAllocation:
    """The latest frozen version, or the live calculation while nothing is frozen."""
    version = latest_version(budget_year)
    if version is not None and budget_year.is_frozen:
        return allocation_of_version(version)
    return allocation_live(budget_year)


# --------------------------------------------------------------------------- comparisons


@dataclass(frozen=True)
class Difference:
    municipality_id: int
    name: str
    ags: str
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


def differences(before: YearAllocation | None, after: YearAllocation) -> list[Difference]:
    """Per member: payable before and after (0 where a member is missing on one side)."""
    old = {row.municipality_id: row for row in (before.rows if before else ())}
    new = {row.municipality_id: row for row in after.rows}
    names = {pk: (row.name, row.ags) for pk, row in {**old, **new}.items()}
    result = [
        Difference(
            municipality_id=pk,
            name=names[pk][0],
            ags=names[pk][1],
            before=old[pk].payable if pk in old else ZERO,
            after=new[pk].payable if pk in new else ZERO,
        )
        for pk in names
    ]
    return sorted(result, key=lambda d: d.ags)


def version_differences(version: AllocationVersion) -> list[Difference]:
    after = allocation_of_version(version)
    previous = (
        AllocationVersion.objects.filter(
            budget_year_id=version.budget_year_id, number__lt=version.number
        )
        .order_by("-number")
        .first()
    )
    before = allocation_of_version(previous) if previous else None
    return differences(before, after)


# --------------------------------------------------------------------------- usage


def usage_records(year: int) -> QuerySet[UsageRecord]:
    return UsageRecord.objects.filter(year=year).select_related("municipality")


def member_municipalities() -> QuerySet[Municipality]:
    return Municipality.objects.members().order_by("name")


def profile_of(municipality_id: int) -> MemberProfile | None:
    return MemberProfile.objects.filter(municipality_id=municipality_id).first()
