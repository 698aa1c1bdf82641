"""Benchmark: a year's allocation for 400 and 11,000 members through the Django read model.

Run: `.venv/bin/python tests/benchmarks/bench_costsharing.py`. Works on a throw-away database
(`izd_bench_costsharing`) that it creates, migrates and drops. The members are municipality
rows with their projected participation (MemberProfile, ModuleMembership, population figures,
usage) written in bulk; no tenant schemas are needed, because computing an allocation reads
only the public read model. Times `selectors.allocation_live()` end to end (the queries plus
`allocate()`), and `allocation_freeze()` (writing one frozen version with a line per
member). Beside the wall time it prints the CPU time of this process (Python's share) and of
its PostgreSQL backend (`/proc/<pid>/schedstat`, same machine only), which vary far less on a
machine shared with other work, and per call the CPU time of the parallel workers the
backend started (read from the server's ended processes, so an average over the runs). On a
quiet machine the wall time is close to this process's and the backend's CPU time together;
the workers' time runs beside the backend's.
The allocation's rows are made when asked for (`computation.MemberRows`): a page shows 50
of them, a notice one. "all rows" times the allocation with every member's row made as well,
as the CSV export and freezing a version need them.
`--runs N` measures the live allocation N times (default 15).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.measure import django_for_benchmark

django_for_benchmark("izd_bench_costsharing")

from django.db import connection, transaction  # noqa: E402

from costsharing import selectors, services  # noqa: E402
from costsharing.models import (  # noqa: E402
    BudgetYear,
    MemberProfile,
    ModuleMembership,
    PopulationFigure,
    UsageRecord,
)
from tenants.models import Municipality, User  # noqa: E402
from tests.benchmarks.database import (  # noqa: E402
    backend_cpu,
    bench_database,
    ended_processes_cpu,
)

D = Decimal
NO_PAPERS = "Benchmark: keine Beschlussvorlagen"


def populate(count: int, year: int, rng: random.Random) -> BudgetYear:
    municipalities = Municipality.objects.bulk_create(
        [
            Municipality(
                schema_name=f"bench_{year}_{n}", name=f"Gemeinde {year}-{n}",
                slug=f"b{year}-{n}", ags=f"9{year % 10}{n:06d}",
                population=max(10, int(rng.lognormvariate(7.8, 1.3))),
                population_date=date(2024, 12, 31),
            )
            for n in range(count)
        ],
        batch_size=2000,
    )  # fmt: skip
    budget_year = services.budget_year_create(year=year)
    services.cost_line_add(
        budget_year=budget_year,
        kind="material",
        label="Betrieb",
        amount=D(count * 12345) + D("0.67"),
    )
    services.allocation_key_save(
        budget_year=budget_year, name="Schlüssel", base=D(25), population=D(40), usage=D(15),
        modules=D(20), population_date=date(year - 1, 12, 31),
    )  # fmt: skip
    modules = [
        services.module_add(budget_year=budget_year, key=k, name=k.upper(), weight=D(w))
        for k, w in (("ozg", 120000), ("isms", 85000), ("geo", 45000), ("dms", 30000))
    ]
    MemberProfile.objects.bulk_create(
        [
            MemberProfile(
                municipality=m,
                joined_on=date(year, rng.randint(1, 12), 1)
                if rng.random() < 0.1
                else date(2020, 1, 1),
            )
            for m in municipalities
        ],
        batch_size=2000,
    )
    PopulationFigure.objects.bulk_create(
        [PopulationFigure(municipality=m, reference_date=date(year - 1, 6, 30),
                          population=m.population + 7) for m in municipalities],
        batch_size=2000,
    )  # fmt: skip
    UsageRecord.objects.bulk_create(
        [UsageRecord(municipality=m, year=year, units=D(rng.randint(0, 20000)).scaleb(-1))
         for m in municipalities],
        batch_size=2000,
    )  # fmt: skip
    ModuleMembership.objects.bulk_create(
        [ModuleMembership(municipality=m, module=module) for m in municipalities
         for module in modules if rng.random() < 0.5],
        batch_size=5000,
    )  # fmt: skip
    return budget_year


def analyze() -> None:
    """Statistics for the freshly written tables, as autovacuum keeps them in operation.

    Without them the planner guesses a few dozen rows per table and reads the population
    figures by a sort instead of backwards along their unique index; and autovacuum would
    analyze the tables in the middle of the measurement."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def database_ms() -> float:
    """CPU milliseconds of the PostgreSQL backend so far (NaN: not readable here)."""
    seconds = backend_cpu()
    return math.nan if seconds is None else seconds * 1000


def workers_ms() -> float:
    """CPU milliseconds of the server's ended processes so far (NaN: not readable here)."""
    seconds = ended_processes_cpu()
    return math.nan if seconds is None else seconds * 1000


def allocation_with_every_row(budget_year: BudgetYear) -> tuple[object, ...]:
    return tuple(selectors.allocation_live(budget_year).rows)


def timed(
    function: Callable[[], object], repeat: int
) -> tuple[list[float], list[float], list[float], float]:
    """Wall, CPU and database CPU milliseconds of each call (after one warm-up call), and the
    CPU milliseconds per call of the parallel workers PostgreSQL started (an average: the
    kernel counts them in 10 ms ticks)."""
    function()
    walls, cpus, database = [], [], []
    workers = workers_ms()
    for _ in range(repeat):
        backend = database_ms()
        began, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        database.append(database_ms() - backend)
    return walls, cpus, database, (workers_ms() - workers) / repeat


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print(f"Load average at start: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    with bench_database():
        user = User.objects.create_user(email="bench@example.invalid", password=None)
        rng = random.Random(20260101)
        print(f"{'members':>8} {'live median ms':>15} {'min ms':>8} {'CPU median':>11} "
              f"{'CPU min':>8} {'DB CPU med':>11} {'DB CPU min':>11} {'workers CPU':>12} "
              f"{'all rows ms':>12} {'freeze ms':>10} {'freeze CPU':>11}")  # fmt: skip
        for year, count in ((2090, 400), (2091, 11_000)):
            budget_year = populate(count, year, rng)
            budget_year = BudgetYear.objects.get(pk=budget_year.pk)
            analyze()
            walls, cpus, database, workers = timed(
                partial(selectors.allocation_live, budget_year), repeat=runs
            )
            every_row, *_ = timed(partial(allocation_with_every_row, budget_year), repeat=runs)
            with transaction.atomic():
                began, cpu = time.perf_counter(), time.process_time()
                services.allocation_freeze(
                    decisions_waiver=NO_PAPERS, budget_year=budget_year, user=user
                )
                freeze_ms = (time.perf_counter() - began) * 1000
                freeze_cpu = (time.process_time() - cpu) * 1000
            current = selectors.allocation_current(BudgetYear.objects.get(pk=budget_year.pk))
            assert len(current.rows) == count, f"{len(current.rows):,} members, not {count:,}"
            # this size's members leave with their year: the next size measures its own alone
            MemberProfile.objects.filter(left_on=None).update(left_on=date(year, 12, 31))
            print(f"{count:>8,} {statistics.median(walls):>15.1f} {min(walls):>8.1f} "
                  f"{statistics.median(cpus):>11.1f} {min(cpus):>8.1f} "
                  f"{statistics.median(database):>11.1f} {min(database):>11.1f} "
                  f"{workers:>12.1f} {statistics.median(every_row):>12.1f} "
                  f"{freeze_ms:>10.1f} {freeze_cpu:>11.1f}")  # fmt: skip
        print(f"Load average at end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
