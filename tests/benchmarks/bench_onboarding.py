"""Benchmark: onboarding one by one and all at once, at 29 and at 420 municipalities.

Run: `.venv/bin/python tests/benchmarks/bench_onboarding.py`. Works on a throw-away database
(`izd_bench_onboarding`) that it creates, migrates and drops, so the development data stay as
they are. Measures, each time per municipality:

1. single onboarding (`municipality_create`, as the form does) of 29 into an empty portal;
2. bulk onboarding (`municipality_create_many`, as the CSV import does) of the same 29 again,
   after removing them, and then of the benchmark fixture of 420 (tests/scale.py) into an
   empty portal: total time / number of municipalities;
3. single onboarding of 29 more when the 420 are there.

Then every schema is compared with the template (`check_schemas`), and for comparison a few
schemas are made by replaying every migration.

Besides the wall-clock time it prints where the time went, for runs on a machine that others load
too: the CPU time of this Python process (all its threads) and of the whole PostgreSQL server
(its processes' CPU from /proc, same machine only: the backends, ended ones included, and the
WAL writer, checkpointer, ...), and the machine's load.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.measure import django_for_benchmark

django_for_benchmark("izd_bench_onboarding")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from tenants.catalogue import municipality_schemas, schema_drift  # noqa: E402
from tenants.models import Domain, Municipality  # noqa: E402
from tenants.services import municipality_create, municipality_create_many  # noqa: E402
from tests.benchmarks.database import bench_database  # noqa: E402
from tests.scale import STATE_SIZE, municipality_data  # noqa: E402

SMALL = 29
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _server_cpu() -> float | None:
    """CPU seconds of the PostgreSQL server so far: the postmaster with its ended children
    (cutime, cstime) and every process it still has (None: not readable here)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    try:
        postmaster = int(_stat(int(row[0] if row else 0))[1])
        fields = _stat(postmaster)
        total = sum(int(value) for value in fields[11:15])
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    child = _stat(int(entry.name))
                except OSError:
                    continue
                if int(child[1]) == postmaster:
                    total += int(child[11]) + int(child[12])
    except (OSError, ValueError, IndexError):
        return None
    return total / CLOCK_TICKS


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat from the field after the process name (state, ppid, ...)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


@dataclass(frozen=True)
class Run:
    """One measurement, per municipality: wall time, Python CPU, server CPU (seconds)."""

    count: int
    wall: float
    python_cpu: float
    server_cpu: float | None
    median: float | None = None  # one by one: the median of the single onboardings


def measured(count: int, work: Callable[[], list[float]]) -> Run:
    server, python, began = _server_cpu(), time.process_time(), time.perf_counter()
    durations = work()
    wall, python = time.perf_counter() - began, time.process_time() - python
    server_after = _server_cpu()
    used = None if server is None or server_after is None else server_after - server
    return Run(
        count,
        wall / count,
        python / count,
        None if used is None else used / count,
        statistics.median(durations) if durations else None,
    )


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.1f} ms"


def single(start: int, stop: int) -> Run:
    def work() -> list[float]:
        durations = []
        for data in municipality_data(start, stop):
            began = time.perf_counter()
            municipality_create(data=data)
            durations.append(time.perf_counter() - began)
        return durations

    return measured(stop - start, work)


def bulk(start: int, stop: int) -> Run:
    def work() -> list[float]:
        result = municipality_create_many(data=municipality_data(start, stop))
        assert not result.failures, [f.message for f in result.failures[:5]]
        return []

    return measured(stop - start, work)


def remove_all() -> None:
    towns = list(Municipality.objects.members())
    Domain.objects.filter(tenant__in=towns).delete()
    with connection.cursor() as cursor:
        for town in towns:
            cursor.execute(f'DROP SCHEMA "{town.schema_name}" CASCADE')
    Municipality.objects.filter(pk__in=[t.pk for t in towns]).delete()


def _replay(count: int, start: int) -> float:
    """django-tenants without a template: every migration runs for every new schema."""
    from django.core.management import call_command

    began = time.perf_counter()
    for number in range(start, start + count):
        schema = f"replay_{number}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0
        )
    return (time.perf_counter() - began) / count


def main() -> None:
    workers = settings.TENANT_ONBOARDING_WORKERS
    with bench_database():
        print(f"load average at the start: {_load()}; bulk onboarding with {workers} connections")
        single_small = single(0, SMALL)
        remove_all()
        bulk_small = bulk(0, SMALL)
        remove_all()
        bulk_large = bulk(0, STATE_SIZE)
        single_large = single(STATE_SIZE, STATE_SIZE + SMALL)
        print(f"load average after onboarding: {_load()}")
        schemas = municipality_schemas()
        drift = schema_drift()
        assert drift == [], [str(d) for d in drift[:10]]
        print(f"check_schemas: all {len(schemas)} schemas equal the template")
        print()
        print(f"| je Kommune | {SMALL} Kommunen | {STATE_SIZE} Kommunen | Verhältnis |")
        print("|---|---|---|---|")
        for label, low, high, pick in (
            ("einzeln, Median", single_small, single_large, lambda r: r.median),
            ("einzeln, Gesamtzeit / Anzahl", single_small, single_large, lambda r: r.wall),
            ("einzeln, CPU Python", single_small, single_large, lambda r: r.python_cpu),
            ("einzeln, CPU PostgreSQL", single_small, single_large, lambda r: r.server_cpu),
            ("auf einmal, Gesamtzeit / Anzahl", bulk_small, bulk_large, lambda r: r.wall),
            ("auf einmal, CPU Python", bulk_small, bulk_large, lambda r: r.python_cpu),
            ("auf einmal, CPU PostgreSQL", bulk_small, bulk_large, lambda r: r.server_cpu),
        ):
            at_low, at_high = pick(low), pick(high)
            ratio = f"{at_high / at_low:.2f} ×" if at_low and at_high else "–"
            print(f"| {label} | {_ms(at_low)} | {_ms(at_high)} | {ratio} |")
        print(
            f"(einzeln bei {STATE_SIZE}: Nr. {STATE_SIZE + 1} bis {STATE_SIZE + SMALL}, "
            f"wenn die {STATE_SIZE} schon da sind; auf einmal: {SMALL} bzw. {STATE_SIZE} "
            "in ein leeres Portal)"
        )
        print(
            f"auf einmal gegen einzeln, Gesamtzeit je Kommune bei {SMALL}: "
            f"{bulk_small.wall / single_small.wall:.2f} ×; Ziel 29 ms je Kommune bei "
            f"{STATE_SIZE} auf einmal: {_ms(bulk_large.wall)}"
        )
        print(f"load average at the end: {_load()}")
        print()
        replayed = _replay(5, 9000)
        print(f"migration replay (comparison): {replayed * 1000:.0f} ms per schema")


if __name__ == "__main__":
    main()
