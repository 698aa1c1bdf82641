"""Reads of cost sharing. Everything comes from the public schema (the read model included):
a year's allocation is a handful of queries, whatever the number of members.

Long because it is the app's whole read API across the boundary (year-level reads, frozen versions,
comparisons, usage), and the year-level reads share one cache per request (`shared_year_reads`);
the sections below keep the parts apart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import MAX_PREC, Context, Decimal, Inexact, Rounded, localcontext
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import numpy as np
from django.db import connection
from django.db.models import Q, QuerySet

from costsharing.allocation import AllocationError, IntegerArrays, KeyComponents
from costsharing.computation import (
    ZERO,
    BudgetFigures,
    CostInput,
    GrantInput,
    KeyInfo,
    MemberRow,
    ModuleInfo,
    StaffInput,
    YearAllocation,
    YearMembers,
    budget_figures,
    collector_paused,
    compute,
)
from costsharing.models import (
    AllocationKey,
    AllocationLine,
    AllocationVersion,
    BudgetYear,
    CostLine,
    Grant,
    IssuerProfile,
    MemberProfile,
    Module,
    ModuleMembership,
    PopulationFigure,
    StaffLine,
    UsageRecord,
)
from costsharing.municipal.models import Cooperation, ModuleChoice
from izd.cursors import binary_cursor
from tenants.models import Municipality

if TYPE_CHECKING:
    from costsharing.figures import YearFigures

# --------------------------------------------------------------------------- year-level reads
#
# A batch of documents (a paper or a notice per member) needs the same year allocation for
# every member. Inside `shared_year_reads(scope)` each year-level allocation is computed once
# and reused by every document built with the same scope in this process; without a scope
# nothing is shared, so a single document always reads what is committed now.

_YearMemo = dict[tuple[str, int], Any]  # YearAllocation, or costsharing.figures.YearFigures
_ACTIVE: ContextVar[_YearMemo | None] = ContextVar("costsharing_year_memo", default=None)
_SHARED: dict[str, tuple[float, _YearMemo]] = {}
_SHARED_LOCK = threading.Lock()
SHARED_SECONDS = 300  # a batch's jobs run within minutes; a retry later reads afresh
SHARED_SCOPES = 8


def _shared_memo(scope: str) -> _YearMemo:
    now = time.monotonic()
    with _SHARED_LOCK:
        for name, (since, _memo) in list(_SHARED.items()):
            if now - since > SHARED_SECONDS:
                del _SHARED[name]
        entry = _SHARED.get(scope)
        if entry is None:
            while len(_SHARED) >= SHARED_SCOPES:
                del _SHARED[min(_SHARED, key=lambda n: _SHARED[n][0])]
            entry = _SHARED[scope] = (now, {})
        return entry[1]


@contextmanager
def shared_year_reads(scope: str | None) -> Iterator[None]:
    """Read each year-level allocation once inside the block; with a `scope` (a batch), share
    them with every later block of the same scope in this process for `SHARED_SECONDS`."""
    if _ACTIVE.get() is not None:
        yield
        return
    token = _ACTIVE.set({} if scope is None else _shared_memo(scope))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


T = TypeVar("T")


def _memoised(key: tuple[str, int], read: Callable[[], T]) -> T:
    memo = _ACTIVE.get()
    if memo is None:
        return read()
    found = memo.get(key)
    if found is None:
        found = memo[key] = read()
    return cast(T, found)


def memoised_figures(year: int, read: Callable[[], T]) -> T:
    """A year's figures (costsharing.figures), read once inside a `shared_year_reads` block."""
    return _memoised(("figures", year), read)


def years() -> QuerySet[BudgetYear]:
    return BudgetYear.objects.order_by("-year")


def year_is_frozen(year: int) -> bool:
    """Whether the year's allocation is frozen: what depends on it (papers, decisions) is then
    read-only until the centre treasurer opens a correction."""
    return BudgetYear.objects.filter(year=year, status=BudgetYear.Status.FROZEN).exists()


def year_get(year: int) -> BudgetYear | None:
    return BudgetYear.objects.filter(year=year).first()


def active_key(budget_year: BudgetYear) -> AllocationKey | None:
    return AllocationKey.objects.filter(budget_year=budget_year, is_active=True).first()


def issuer() -> IssuerProfile | None:
    return IssuerProfile.objects.first()


def budget_of(budget_year: BudgetYear) -> BudgetFigures:
    return _budget(budget_year, _year_inputs(budget_year))


def _budget(budget_year: BudgetYear, inputs: _YearInputs) -> BudgetFigures:
    return budget_figures(
        staff=inputs.staff,
        costs=inputs.costs,
        grants=inputs.grants,
        kreis_share_percent=budget_year.kreis_share_percent,
    )


@dataclass(frozen=True)
class _YearInputs:
    """What a year's allocation takes besides its members: the budget lines (as value
    tuples, not model instances), the year's modules by id in key order and the key in force
    (None: none yet)."""

    staff: list[StaffInput]
    costs: list[CostInput]
    grants: list[GrantInput]
    modules: dict[int, ModuleInfo]
    key: KeyInfo | None


# One statement for the inputs of a year's allocation: a live allocation reads them on every
# call, and as five ORM queries they took 7 ms (11,000 members: 5 of ~100 ms), mostly in
# Django building and running each query; this takes about 1 ms. Each column is an array
# in the order the models' `Meta.ordering` gives (staff and grants by id, costs by kind and
# id, modules by key); the key in force is the active one (there is at most one, see
# `AllocationKey.Meta.constraints`), its columns NULL when there is none.
_INPUTS_TEMPLATE = """
SELECT
    ARRAY(SELECT role FROM {staff} WHERE budget_year_id = %(year)s ORDER BY id),
    ARRAY(SELECT fte FROM {staff} WHERE budget_year_id = %(year)s ORDER BY id),
    ARRAY(SELECT cost_per_fte FROM {staff} WHERE budget_year_id = %(year)s ORDER BY id),
    ARRAY(SELECT kind FROM {cost} WHERE budget_year_id = %(year)s ORDER BY kind, id),
    ARRAY(SELECT label FROM {cost} WHERE budget_year_id = %(year)s ORDER BY kind, id),
    ARRAY(SELECT amount FROM {cost} WHERE budget_year_id = %(year)s ORDER BY kind, id),
    ARRAY(SELECT source FROM {grant} WHERE budget_year_id = %(year)s ORDER BY id),
    ARRAY(SELECT amount FROM {grant} WHERE budget_year_id = %(year)s ORDER BY id),
    ARRAY(SELECT pass_on FROM {grant} WHERE budget_year_id = %(year)s ORDER BY id),
    ARRAY(SELECT kreis_percent FROM {grant} WHERE budget_year_id = %(year)s ORDER BY id),
    ARRAY(SELECT id FROM {module} WHERE budget_year_id = %(year)s ORDER BY key),
    ARRAY(SELECT key FROM {module} WHERE budget_year_id = %(year)s ORDER BY key),
    ARRAY(SELECT name FROM {module} WHERE budget_year_id = %(year)s ORDER BY key),
    ARRAY(SELECT weight FROM {module} WHERE budget_year_id = %(year)s ORDER BY key),
    active.name, active.base_percent, active.population_percent, active.usage_percent,
    active.modules_percent, active.population_date
FROM (SELECT 1) AS year LEFT JOIN LATERAL (
    SELECT * FROM {key} WHERE budget_year_id = %(year)s AND is_active ORDER BY id LIMIT 1
) AS active ON true
"""
_INPUTS_SQL = _INPUTS_TEMPLATE.format(  # table names from the models; values are parameters
    staff=StaffLine._meta.db_table,
    cost=CostLine._meta.db_table,
    grant=Grant._meta.db_table,
    module=Module._meta.db_table,
    key=AllocationKey._meta.db_table,
)


def _year_inputs(budget_year: BudgetYear) -> _YearInputs:
    with connection.cursor() as cursor:
        cursor.execute(_INPUTS_SQL, {"year": budget_year.pk})
        (
            roles, ftes, costs_per_fte, kinds, labels, amounts,
            sources, grant_amounts, pass_ons, kreis_percents,
            module_ids, module_keys, module_names, weights,
            key_name, *key_columns,
        ) = cursor.fetchone()  # fmt: skip
    key = None
    if key_name is not None:
        *percents, population_date = key_columns
        key = KeyInfo(key_name, KeyComponents(*percents), population_date)
    return _YearInputs(
        staff=list(map(StaffInput, roles, ftes, costs_per_fte)),
        costs=list(map(CostInput, kinds, labels, amounts)),
        grants=list(map(GrantInput, sources, grant_amounts, pass_ons, kreis_percents)),
        modules={
            pk: ModuleInfo(key, name, weight)
            for pk, key, name, weight in zip(
                module_ids, module_keys, module_names, weights, strict=True
            )
        },
        key=key,
    )


def key_info(key: AllocationKey) -> KeyInfo:
    return _key_info(key.name, key)


def _key_info(name: str, source: AllocationKey | AllocationVersion) -> KeyInfo:
    """A key, or the key a version was frozen with: both keep its percents and reference date
    in fields of the same names."""
    return KeyInfo(
        name=name,
        components=KeyComponents(
            base=source.base_percent,
            population=source.population_percent,
            usage=source.usage_percent,
            modules=source.modules_percent,
        ),
        population_date=source.population_date,
    )


# One statement, five rows (`part` says which; they may come in any order), each a scan of
# one table whose columns are aggregated into lists: every municipality (AGS, name, id, its
# own population figure and that figure's day), sorted by AGS in code point order
# (`COLLATE "C"`, the engine's key order); the members of the year (municipality, months);
# the year's usage records (municipality, whole hundredths of units); the module memberships
# (module, municipality); and the population figures up to the key's reference date
# (municipality, population, day). Each part's lists are aggregated over one scan, so they
# run in the same order; columns a part does not have are NULL (the texts come first, then
# up to three integer lists).
# Why five parts and no join: as the parts of a UNION ALL, PostgreSQL may run them side by
# side in parallel workers (a Parallel Append, chosen by its costs when the members are
# many), all in the statement's one snapshot. Joining the members to their municipalities
# and picking each municipality's latest figure (DISTINCT ON) in PostgreSQL cost its
# backends more CPU than these plain scans (11,000 members: about 80 against 70 ms with
# two parallel workers, whose start keeps the statement's wall time about the same; 62
# against 50 ms of wall and CPU time without them, as under load), where numpy joins the
# lists and picks the figures in about 2 ms of this process (`_members_in_key_order`,
# `_population_at_date`). Municipalities that are no members of the year cost a few list
# entries.
# Why one row of lists rather than a row per member: PostgreSQL's output of 11,000 rows and
# psycopg's 77,000 Python values, transposed into columns, cost more than aggregating each
# column into one value that numpy takes straight into an int64 array. The integers come as
# their binary form (`int8send`, 8 bytes big-endian each) joined into one bytea, through a
# cursor that receives binary results (`izd.cursors.binary_cursor`): numpy takes the bytes
# as they are, where it parsed 13 lists of decimal digits in 4 ms (11,000 members; in text
# results a bytea comes as hex, which would cost as much). The names are joined by the unit
# separator U+001F (as arrays, whose quoting is safe for any text, they cost PostgreSQL a
# fifth more); a name that contains it is read again on its own (`_texts`). Days as whole
# days since 1970 (a handful of distinct reference dates).
# Why lists rather than joins: the usage summed per member in PostgreSQL (a group aggregate
# over numeric, then a hash join) was a third of the statement's backend CPU; the raw records
# as two lists cost a fraction and numpy sums them per member in well under a millisecond.
# Likewise the memberships: joined to the members as text per member they made PostgreSQL
# build, sort and hash 11,000 strings.
# Months: the CASE spares the numeric EXTRACT arithmetic for the common whole year; a member
# whose months come to less than one (left before joining) is none. The usage comes as
# whole hundredths (exact: the column has two places), the engine's weights; Python makes
# the Decimal units from them. PostgreSQL's JIT is not involved: the plan costs far below
# `jit_above_cost`, and the embedded server is built without it.
_MEMBERS_TEMPLATE = """
SELECT 1 AS part, STRING_AGG(ags, ',' ORDER BY ags), STRING_AGG(name, E'\\x1f' ORDER BY ags),
    STRING_AGG(int8send(id), '' ORDER BY ags),
    STRING_AGG(int8send(population), '' ORDER BY ags),
    STRING_AGG(int8send(population_date - DATE '1970-01-01'), '' ORDER BY ags)
FROM (
    SELECT ags COLLATE "C" AS ags, name, id, population, population_date FROM {municipality}
) municipality
UNION ALL
SELECT 2, NULL, NULL, STRING_AGG(int8send(municipality_id), ''),
    STRING_AGG(int8send(months), ''), NULL
FROM (
    SELECT municipality_id,
        CASE WHEN joined_on <= %(start)s AND (left_on IS NULL OR left_on >= %(end)s) THEN 12
             ELSE (EXTRACT(MONTH FROM LEAST(COALESCE(left_on, %(end)s), %(end)s))
                   - EXTRACT(MONTH FROM GREATEST(joined_on, %(start)s)) + 1)::integer
        END AS months
    FROM {profile}
    WHERE joined_on <= %(end)s AND (left_on IS NULL OR left_on >= %(start)s)
) profile
WHERE months >= 1
UNION ALL
SELECT 3, NULL, NULL, STRING_AGG(int8send(municipality_id), ''),
    STRING_AGG(int8send((units * {usage_scale})::bigint), ''), NULL
FROM {usage} WHERE year = %(year)s
UNION ALL
SELECT 4, NULL, NULL, STRING_AGG(int8send(module_id), ''),
    STRING_AGG(int8send(municipality_id), ''), NULL
FROM {membership} WHERE module_id = ANY(%(modules)s)
UNION ALL
SELECT 5, NULL, NULL, STRING_AGG(int8send(municipality_id), ''),
    STRING_AGG(int8send(population), ''),
    STRING_AGG(int8send(reference_date - DATE '1970-01-01'), '')
FROM {figure} WHERE reference_date <= %(population_date)s
"""
_USAGE_PLACES = UsageRecord._meta.get_field("units").decimal_places
_MEMBERS_SQL = _MEMBERS_TEMPLATE.format(  # table names from the models; values are parameters
    figure=PopulationFigure._meta.db_table,
    usage=UsageRecord._meta.db_table,
    membership=ModuleMembership._meta.db_table,
    profile=MemberProfile._meta.db_table,
    municipality=Municipality._meta.db_table,
    usage_scale=10**_USAGE_PLACES,
)
_MUNICIPALITIES, _MEMBERS, _USAGE, _MEMBERSHIPS, _FIGURES = 1, 2, 3, 4, 5  # `_MEMBERS_SQL`
_NO_USAGE = Decimal(0)  # what SUM over no usage records was shown as: 0, not 0.00
# The units from whole hundredths, exact whatever decimal context the caller has set.
_USAGE_STEP = Decimal(1).scaleb(-_USAGE_PLACES)
_EXACT = Context(prec=MAX_PREC, traps=[Inexact, Rounded])


def members_of_year(
    year: int, population_date: date, modules: Mapping[int, str] | None = None
) -> YearMembers:
    """The members of a year with their months, population, usage and modules, by AGS.

    One query over the read model (`_MEMBERS_TEMPLATE`): PostgreSQL counts the months and
    hands over the columns of the municipalities, the year's members, its usage records, its
    module memberships and the population figures as lists (the integers in binary, through
    `binary_cursor`), which numpy joins and assigns to the members (11,000 members: no
    object per member, no per-row loop). Each member's population is its latest figure at
    the key's reference date, else its municipality's own. The columns come in
    `YearMembers`' field order, sorted by AGS in code point order, the engine's key order,
    so the engine has nothing to rearrange. `modules` maps the year's module ids to their
    keys (read here when not given).
    """
    if modules is None:
        modules = dict(
            Module.objects.filter(budget_year__year=year).values_list("pk", "key").order_by()
        )
    start, end = date(year, 1, 1), date(year, 12, 31)
    params: dict[str, Any] = {
        "year": year,
        "population_date": population_date,
        "start": start,
        "end": end,
        "modules": list(modules),
    }
    with binary_cursor() as cursor:
        cursor.execute(_MEMBERS_SQL, params)
        parts = {part: columns for part, *columns in cursor.fetchall()}
    # each part aggregates without GROUP BY: always one row (in any order, see above)
    member_ids, member_months = map(_integers, parts[_MEMBERS][2:4])
    if not len(member_ids):
        return YearMembers((), (), (), (), (), (), (), (), ())
    ags_list, names_list, *municipality_lists = parts[_MUNICIPALITIES]
    all_ids, all_populations, all_days = map(_integers, municipality_lists)
    all_ags = _texts(ags_list, ",", "ags", all_ids)
    at, order, ags = _members_in_key_order(all_ids, all_ags, member_ids)
    municipality_ids, months = member_ids[order], member_months[order]
    names = list(map(_texts(names_list, "\x1f", "name", all_ids).__getitem__, at.tolist()))
    find = _finder(municipality_ids)
    population_column, day_column = _population_at_date(
        find, all_populations[at], all_days[at], *map(_integers, parts[_FIGURES][2:5])
    )
    lists = [*parts[_USAGE][2:4], *parts[_MEMBERSHIPS][2:4]]
    usage_ids, usage_hundredths, module_ids, participant_ids = map(_integers, lists)
    if len(usage_ids) != len(usage_hundredths) or len(module_ids) != len(participant_ids):
        raise ValueError("The id lists of the members' read differ in length.")
    usage, recorded = _usage_of(find, len(municipality_ids), usage_ids, usage_hundredths)
    scaled = usage.tolist() if isinstance(usage, np.ndarray) else usage
    with localcontext(_EXACT):
        units = list(map(_USAGE_STEP.__mul__, scaled))
    for index in np.flatnonzero(~recorded).tolist():
        units[index] = _NO_USAGE
    participants = {key: participant_ids[module_ids == pk] for pk, key in modules.items()}
    taken = _module_sets(municipality_ids, participants, find)
    return YearMembers(
        ags,
        names,
        population_column.tolist(),
        months.tolist(),
        units,
        taken,
        municipality_ids.tolist(),
        _dates(day_column),
        scaled,
        IntegerArrays(months, population_column, usage if isinstance(usage, np.ndarray) else None),
    )


def _members_in_key_order(
    municipality_ids: np.ndarray, municipality_ags: list[str], member_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Where the members are among the municipalities (`municipality_ids` in key order, whose
    AGS are `municipality_ags`), in key order; which member comes where in that order; and
    the members' AGS in it."""
    positions, found = _finder(municipality_ids)(member_ids)
    if not found.all():  # a foreign key: the statement's one snapshot has every member's row
        raise ValueError("A member's municipality is missing from the members' read.")
    order = np.argsort(positions)
    at = positions[order]
    return at, order, list(map(municipality_ags.__getitem__, at.tolist()))


def _population_at_date(
    find: _Finder,
    populations: np.ndarray,
    days: np.ndarray,
    figure_ids: np.ndarray,
    figure_populations: np.ndarray,
    figure_days: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per member, the population of its latest figure (`figure_*`, those up to the key's
    reference date) and that figure's day, where it has one; else the municipality's own
    figure (`populations`, `days`). Figures of municipalities that are no members of the
    year are left out."""
    if len(figure_ids) != len(figure_populations) or len(figure_ids) != len(figure_days):
        raise ValueError("The lists of the population figures differ in length.")
    # by municipality, then by day: each municipality's latest figure is the last of its run
    # (a municipality has at most one figure per day, see `PopulationFigure.Meta`)
    by_day = np.lexsort((figure_days, figure_ids))
    ids = figure_ids[by_day]
    latest = by_day[np.append(ids[1:] != ids[:-1], True)] if len(ids) else by_day
    members, found = find(figure_ids[latest])
    populations[members] = figure_populations[latest][found]
    days[members] = figure_days[latest][found]
    return populations, days


def _texts(joined: str, separator: str, field: str, municipality_ids: np.ndarray) -> list[str]:
    """The members' `field` from its joined list, in the order of `municipality_ids`."""
    texts = joined.split(separator)
    if len(texts) == len(municipality_ids):
        return texts
    # a text with the separator in it (no form lets one in, but an import might have)
    ids = municipality_ids.tolist()
    by_id = dict(Municipality.objects.filter(pk__in=ids).values_list("pk", field))
    return list(map(by_id.__getitem__, ids))


def _integers(data: bytes | None) -> np.ndarray:
    """Concatenated `int8send` values (NULL: none) as an int64 array of our own (writable, in
    this machine's byte order)."""
    return np.frombuffer(data or b"", dtype=_INT8SEND).astype(np.int64)


_INT8SEND = np.dtype(">i8")  # PostgreSQL's binary int8: big-endian


_EPOCH = date(1970, 1, 1).toordinal()


def _dates(days: np.ndarray) -> list[date]:
    """Days since 1970 as dates, each distinct day made once (a year has a handful)."""
    distinct, which = np.unique(days, return_inverse=True)
    made = [date.fromordinal(_EPOCH + day) for day in distinct.tolist()]
    return list(map(made.__getitem__, which.tolist()))


_Finder = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def _finder(ids: Sequence[int] | np.ndarray) -> _Finder:
    """A search among `ids` (distinct) for arrays of ids: the positions in `ids` of those
    found, and which of the wanted were found. Database ids are mostly dense: up to a few
    times as many as there are ids, a table from id to position answers each id in one
    step; beyond that, one sort and a binary search per id."""
    array = np.array(ids, dtype=np.int64)
    if not len(array) or array.min() < 0 or array.max() >= _DENSE_IDS * len(array) + 1024:
        return _sorted_finder(array)
    position = np.full(int(array.max()) + 1, -1, dtype=np.intp)
    position[array] = np.arange(len(array))

    def find(wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        inside = (wanted >= 0) & (wanted < len(position))
        at = np.where(inside, position[np.where(inside, wanted, 0)], -1)
        found = at >= 0
        return at[found], found

    return find


_DENSE_IDS = 4  # ids per member up to which `_finder` takes a table


def _sorted_finder(array: np.ndarray) -> _Finder:
    order = np.argsort(array)
    ordered = array[order]
    last = len(array) - 1

    def find(wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if last < 0:
            return np.empty(0, dtype=np.intp), np.zeros(len(wanted), dtype=bool)
        at = np.searchsorted(ordered, wanted).clip(max=last)
        found = ordered[at] == wanted
        return order[at[found]], found

    return find


def _usage_of(
    find: _Finder, count: int, record_ids: np.ndarray, hundredths: np.ndarray
) -> tuple[np.ndarray | list[int], np.ndarray]:
    """Per member: the whole hundredths of its usage records summed (an int64 array, or
    Python integers where a sum could leave int64), and whether it has any (a member without
    records shows 0, one with records of 0 shows 0.00). Records of municipalities that are
    no members of the year are left out."""
    if not len(record_ids):
        return np.zeros(count, dtype=np.int64), np.zeros(count, dtype=bool)
    # each record fits int64 (the column has 12 digits); only a sum of many might not
    members, found = find(record_ids)
    values = hundredths[found]
    recorded = np.zeros(count, dtype=bool)
    recorded[members] = True
    if len(values) and int(values.max()) * len(values) > _INT64_MAX:
        sums = [0] * count
        for member, value in zip(members.tolist(), values.tolist(), strict=True):
            sums[member] += value
        return sums, recorded
    totals = np.zeros(count, dtype=np.int64)
    np.add.at(totals, members, values)
    return totals, recorded


_INT64_MAX = 2**63 - 1


def _module_sets(
    municipality_ids: Sequence[int] | np.ndarray,
    participants: Mapping[str, Sequence[int] | np.ndarray],
    find: _Finder | None = None,
) -> list[frozenset[str]]:
    """Per member (in the order of `municipality_ids`), the keys of the modules it takes part
    in, from each module's participants (municipality ids; those that are no members of the
    year are left out). Each member's combination is a bit mask (63 modules to an int64
    array, more arrays beyond), so the few distinct combinations are found without a Python
    loop over the members; each gets one frozenset. `find`: a `_finder` of the ids, if made."""
    count = len(municipality_ids)
    keys = list(participants)
    if not keys:
        return [frozenset()] * count
    find = find or _finder(municipality_ids)
    masks = [np.zeros(count, dtype=np.int64) for _ in range(0, len(keys), _BITS)]
    for index, key in enumerate(keys):
        members, _ = find(np.asarray(participants[key], dtype=np.int64))
        masks[index // _BITS][members] |= 1 << (index % _BITS)
    parts = [mask.tolist() for mask in masks]
    combinations: list[Any] = parts[0] if len(parts) == 1 else list(zip(*parts, strict=True))
    sets = {
        combination: frozenset(
            key
            for index, key in enumerate(keys)
            if _mask_of(combination, index // _BITS) >> (index % _BITS) & 1
        )
        for combination in set(combinations)
    }
    return list(map(sets.__getitem__, combinations))


_BITS = 63  # module bits per int64 mask


def _mask_of(combination: int | tuple[int, ...], part: int) -> int:
    return combination if isinstance(combination, int) else combination[part]


def modules_of(budget_year: BudgetYear) -> list[ModuleInfo]:
    return list(_year_inputs(budget_year).modules.values())


def allocation_live(budget_year: BudgetYear, key: AllocationKey | None = None) -> YearAllocation:
    """The year's allocation as it stands now; raises AllocationError with a German message."""
    if key is None:
        return _memoised(("live", budget_year.pk), lambda: _allocation_live(budget_year, None))
    return _allocation_live(budget_year, key)


def _allocation_live(budget_year: BudgetYear, key: AllocationKey | None) -> YearAllocation:
    inputs = _year_inputs(budget_year)
    info = key_info(key) if key is not None else inputs.key
    if info is None:
        raise AllocationError(f"Für {budget_year.year} ist noch kein Verteilungsschlüssel gültig.")
    budget = _budget(budget_year, inputs)
    keys = {pk: module.key for pk, module in inputs.modules.items()}
    with collector_paused():
        return compute(
            year=budget_year.year,
            key=info,
            budget=budget,
            members=members_of_year(budget_year.year, info.population_date, keys),
            modules=list(inputs.modules.values()),
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
    """A frozen version's allocation (its stored lines)."""
    return _memoised(("version", version.pk), lambda: _allocation_of_version(version))


def _allocation_of_version(version: AllocationVersion) -> YearAllocation:
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
    key = _key_info(version.key_name, version)
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
    """A frozen line as the row it was frozen from: the same field names (services._lines)."""
    values = {name: getattr(line, name) for name in MemberRow._fields}
    values["module_keys"] = tuple(line.module_keys)
    values["module_parts"] = {k: Decimal(v) for k, v in line.module_parts.items()}
    return MemberRow(**values)


def latest_version(budget_year: BudgetYear) -> AllocationVersion | None:
    return versions_of(budget_year).order_by("-number").first()


class _MemberLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def ags(self) -> str: ...


_Named = TypeVar("_Named", bound=_MemberLike)


def member_rows_search(rows: Sequence[_Named], text: str) -> list[_Named]:
    """Rows of members (shares, differences) whose name contains the text or whose AGS starts
    with it."""
    wanted = text.casefold()
    return [row for row in rows if wanted in row.name.casefold() or row.ags.startswith(text)]


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


def usage_record_get(year: int, record_id: int) -> UsageRecord | None:
    return UsageRecord.objects.filter(pk=record_id, year=year).first()


# --------------------------------------------------------------------------- a year's lines


@dataclass(frozen=True)
class YearLines:
    """What a budget year is made of, as its page lists it."""

    keys: list[AllocationKey]
    staff: list[StaffLine]
    costs: list[CostLine]
    grants: list[Grant]
    modules: list[Module]
    has_versions: bool


def year_lines(budget_year: BudgetYear) -> YearLines:
    return YearLines(
        keys=keys_of(budget_year),
        staff=list(budget_year.staff.all()),
        costs=list(budget_year.costs.all()),
        grants=list(budget_year.grants.all()),
        modules=list(year_modules(budget_year)),
        has_versions=budget_year.versions.exists(),
    )


def keys_of(budget_year: BudgetYear) -> list[AllocationKey]:
    return list(budget_year.keys.all())


def key_get(year: int, key_id: int) -> AllocationKey | None:
    return AllocationKey.objects.filter(pk=key_id, budget_year__year=year).first()


def year_modules(budget_year: BudgetYear) -> QuerySet[Module]:
    return Module.objects.filter(budget_year=budget_year)


# --------------------------------------------------------------------------- a member's own


def cooperation() -> Cooperation | None:
    """The membership details of the municipality whose schema is active."""
    return Cooperation.objects.first()


def chosen_module_ids() -> set[int]:
    """The modules the municipality whose schema is active has chosen."""
    return set(ModuleChoice.objects.values_list("module_id", flat=True))


def member_municipalities() -> QuerySet[Municipality]:
    return Municipality.objects.members().order_by("name")


def profile_of(municipality_id: int) -> MemberProfile | None:
    return MemberProfile.objects.filter(municipality_id=municipality_id).first()


# --------------------------------------------------------------------------- figures


def year_figures(year: int) -> YearFigures:
    """Every member's figures of `year` as typed values (costsharing.figures): what notices,
    exports, e-invoices and the decision papers present. Read once per `shared_year_reads`."""
    from costsharing.figures import year_figures as read

    return read(year)


def member_ids_of_year(year: int) -> list[int]:
    """The municipalities whose membership overlaps `year` (joined by its end, not left
    before its start)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return list(
        MemberProfile.objects.filter(joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .values_list("municipality_id", flat=True)
    )
