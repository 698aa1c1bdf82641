# Long because the typed year figures and the presenters' inputs (shares, back charges,
# components, billing data and the fingerprint) are one contract that is read as a whole.
"""A year's figures for every member, as typed values: the one read API of cost sharing that
notices, exports, e-invoices and the decision papers present.

`year_figures(year)` reads the year once: the allocation the notices of the year take their
current line from, every earlier year's version settled with them (the back charges), the
allocation as it stands (the Kostenbeteiligung annex of the papers) and every member's billing
data. A fixed number of queries, whatever the number of members; inside
`selectors.shared_year_reads(scope)` each allocation is read once per scope and process.

Amounts, and the figures that explain each component of a share, are numbers (Decimal); the
German sentences and labels are made by the presenters (`costsharing.explanations`, through
`izd.formats`), so that a notice, its CSV, its e-invoice and a paper say the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from costsharing import selectors
from costsharing.allocation import AllocationError
from costsharing.computation import ZERO, Explanation, KeyInfo, YearAllocation, explain
from costsharing.models import AllocationVersion, BudgetYear, MemberProfile


@dataclass(frozen=True)
class Billing:
    budget_line: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class CurrentShare:
    """The member's share of the year itself (from a frozen version, or provisional)."""

    months: int
    population: int
    usage_units: Decimal
    module_names: tuple[str, ...]
    total: Decimal
    grant_credit: Decimal
    payable: Decimal
    version: int | None  # None: the live calculation (provisional)
    components: tuple[Explanation, ...]


@dataclass(frozen=True)
class BackCharge:
    """An earlier year's amount settled with this year's notice (periodenfremd): the member's
    amount in a version minus its amount in the version before (all of it for a first one)."""

    for_year: int
    version: int
    previous_version: int | None
    before: Decimal
    after: Decimal
    components: tuple[Explanation, ...]  # the share explained, for a first charge only

    @property
    def amount(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class MemberShare:
    """What one member owes for a year: its current share (None with a note saying why) and
    the back charges settled with it, earlier years first."""

    municipality_id: int
    year: int
    current: CurrentShare | None
    back_charges: tuple[BackCharge, ...]
    provisional: bool
    note: str
    billing: Billing

    @property
    def back_charge_total(self) -> Decimal:
        return sum((charge.amount for charge in self.back_charges), ZERO)

    @property
    def total(self) -> Decimal:
        current = self.current.payable if self.current is not None else ZERO
        return self.back_charge_total + current

    @property
    def versions(self) -> tuple[int, ...]:
        """The versions the notice settles, in the order of its lines."""
        found = [charge.version for charge in self.back_charges]
        if self.current is not None and self.current.version:
            found.append(self.current.version)
        return tuple(found)


@dataclass(frozen=True)
class ShareRow:
    """A member's row of the year's allocation as it stands (the annex of the papers)."""

    municipality_id: int
    name: str
    ags: str
    months: int
    population: int
    total: Decimal
    grant_credit: Decimal
    payable: Decimal


@dataclass(frozen=True)
class _Settled:
    """An earlier year's version settled with this year, and the version before it."""

    for_year: int
    version: int
    allocation: YearAllocation
    previous_version: int | None
    previous: YearAllocation | None


@dataclass(frozen=True)
class YearFigures:
    """Every member's figures of a year, read once. `member()` gives one member's share."""

    year: int
    budget_exists: bool
    provisional: bool
    note: str  # why the notices of the year have no current line ("" where they have)
    current: YearAllocation | None  # what the notices' current line comes from
    current_version: int | None
    settled: tuple[_Settled, ...]
    standing: YearAllocation | None  # the allocation as it stands: latest frozen, else live
    standing_error: str
    billing: Mapping[int, Billing]
    _members: dict[tuple[int, bool], MemberShare] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def key(self) -> KeyInfo | None:
        return self.current.key if self.current is not None else None

    def takes_part(self, municipality_id: int) -> bool:
        """Whether the member has a current share this year (cheap: no explanation)."""
        return self.current is not None and self.current.row_for(municipality_id) is not None

    def member(self, municipality_id: int, *, explained: bool = True) -> MemberShare:
        """The member's share; `explained=False` leaves out the figures that explain each
        component (a paper shows amounts only)."""
        found = self._members.get((municipality_id, explained))
        if found is None:
            found = self._members[municipality_id, explained] = self._member(
                municipality_id, explained
            )
        return found

    def _member(self, municipality_id: int, explained: bool) -> MemberShare:
        note = self.note
        current = None
        row = self.current.row_for(municipality_id) if self.current is not None else None
        if self.current is not None and row is None:
            note = f"Ihre Kommune ist {self.year} nicht an der Kostenverteilung beteiligt."
        if self.current is not None and row is not None:
            modules = self.current.modules
            current = CurrentShare(
                months=row.months,
                population=row.population,
                usage_units=row.usage_units,
                module_names=tuple(m.name for m in modules if m.key in row.module_keys),
                total=row.total,
                grant_credit=row.grant_credit,
                payable=row.payable,
                version=self.current.version,
                components=explain(self.current, row) if explained else (),
            )
        return MemberShare(
            municipality_id=municipality_id,
            year=self.year,
            current=current,
            back_charges=self._back_charges(municipality_id, explained),
            provisional=self.provisional,
            note=note,
            billing=self.billing.get(municipality_id, Billing()),
        )

    def _back_charges(self, municipality_id: int, explained: bool) -> tuple[BackCharge, ...]:
        charges = []
        for settled in self.settled:
            line = settled.allocation.row_for(municipality_id)
            earlier = (
                settled.previous.row_for(municipality_id) if settled.previous is not None else None
            )
            before = earlier.payable if earlier is not None else ZERO
            after = line.payable if line is not None else ZERO
            if after == before:
                continue
            first = settled.previous_version is None
            charges.append(
                BackCharge(
                    for_year=settled.for_year,
                    version=settled.version,
                    previous_version=settled.previous_version,
                    before=before,
                    after=after,
                    components=(
                        explain(settled.allocation, line)
                        if first and line is not None and explained
                        else ()
                    ),
                )
            )
        return tuple(charges)

    @cached_property
    def shares(self) -> tuple[ShareRow, ...]:
        """Every member's row of the allocation as it stands, by name: sorted once per figures
        (a batch's papers share them)."""
        if self.standing is None:
            return ()
        return tuple(
            ShareRow(
                municipality_id=row.municipality_id,
                name=row.name,
                ags=row.ags,
                months=row.months,
                population=row.population,
                total=row.total,
                grant_credit=row.grant_credit,
                payable=row.payable,
            )
            for row in sorted(self.standing.rows, key=lambda r: r.name)
        )

    @property
    def fingerprint(self) -> str:
        """A hash of everything the figures are made of: equal figures, equal hash. The repr of
        frozen values: deterministic, and far cheaper than JSON of every row."""
        allocations: dict[int, YearAllocation] = {}
        for allocation in (
            self.current,
            self.standing,
            *(s.allocation for s in self.settled),
            *(s.previous for s in self.settled),
        ):
            if allocation is not None:
                allocations.setdefault(id(allocation), allocation)
        payload = (
            self.year,
            self.budget_exists,
            self.provisional,
            self.note,
            self.current_version,
            self.standing_error,
            [(s.for_year, s.version, s.previous_version) for s in self.settled],
            [repr(a) for a in allocations.values()],
            sorted(self.billing.items()),
        )
        return hashlib.sha256(repr(payload).encode()).hexdigest()


def _current(
    budget_year: BudgetYear, versions: list[AllocationVersion]
) -> tuple[YearAllocation | None, bool, str, int | None]:
    """The allocation of the notices' current line, whether it is provisional, a note, and its
    version."""
    year = budget_year.year
    settled_here = [v for v in versions if v.settle_in_year == year]
    if settled_here:
        version = settled_here[-1]
        return selectors.allocation_of_version(version), False, "", version.number
    if versions:
        later = versions[-1].settle_in_year
        note = f"Der Anteil für {year} wird mit dem Bescheid für {later} abgerechnet."
        return None, False, note, None
    try:
        return selectors.allocation_live(budget_year), True, "", None
    except AllocationError as error:
        return None, True, f"Der Anteil für {year} kann noch nicht berechnet werden: {error}", None


def _settled(year: int) -> tuple[_Settled, ...]:
    """Every earlier year's version settled with `year`'s notices, with the version before."""
    versions = list(
        AllocationVersion.objects.filter(settle_in_year=year, budget_year__year__lt=year)
        .select_related("budget_year", "frozen_by")
        .order_by("budget_year__year", "number")
    )
    if not versions:
        return ()
    all_of_those_years = list(
        AllocationVersion.objects.filter(budget_year_id__in={v.budget_year_id for v in versions})
        .select_related("budget_year", "frozen_by")
        .order_by("number")
    )
    found = []
    for version in versions:
        earlier = [
            v
            for v in all_of_those_years
            if v.budget_year_id == version.budget_year_id and v.number < version.number
        ]
        previous = earlier[-1] if earlier else None
        found.append(
            _Settled(
                for_year=version.budget_year.year,
                version=version.number,
                allocation=selectors.allocation_of_version(version),
                previous_version=previous.number if previous else None,
                previous=selectors.allocation_of_version(previous) if previous else None,
            )
        )
    return tuple(found)


def _billing(municipality_ids: set[int]) -> dict[int, Billing]:
    rows = MemberProfile.objects.filter(municipality_id__in=municipality_ids).values_list(
        "municipality_id", "budget_line", "contact_name", "contact_email", "contact_phone"
    )
    return {pk: Billing(*values) for pk, *values in rows}


def year_figures(year: int) -> YearFigures:
    """Every member's figures of `year`, read once per `shared_year_reads` scope."""
    return selectors.memoised_figures(year, lambda: _read(year))


def _read(year: int) -> YearFigures:
    budget_year = selectors.year_get(year)
    settled = _settled(year)
    if budget_year is None:
        current, provisional, note, version = (
            None,
            False,
            f"Für {year} ist noch kein Haushalt des Zentrums angelegt.",
            None,
        )
        standing, standing_error = None, ""
    else:
        versions = list(selectors.versions_of(budget_year).order_by("number"))
        for stored in versions:
            stored.budget_year = budget_year  # saves a query per version
        current, provisional, note, version = _current(budget_year, versions)
        try:
            standing = selectors.allocation_current(budget_year)
            standing_error = ""
        except AllocationError as error:
            standing, standing_error = None, str(error)
    members: set[int] = set()
    for allocation in (current, standing, *(s.allocation for s in settled)):
        if allocation is not None:
            members.update(row.municipality_id for row in allocation.rows)
    return YearFigures(
        year=year,
        budget_exists=budget_year is not None,
        provisional=provisional,
        note=note,
        current=current,
        current_version=version,
        settled=settled,
        standing=standing,
        standing_error=standing_error,
        billing=_billing(members),
        _members={},
    )


def member_share(municipality_id: int, year: int) -> MemberShare:
    return year_figures(year).member(municipality_id)
