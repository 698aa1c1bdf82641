"""Benchmark: onboarding 29 and then 420 municipalities, side by side with the ratio.

Run: `.venv/bin/python tests/benchmarks/bench_onboarding.py`. Works on a throw-away database
(`izd_bench_onboarding`) that it creates, migrates and drops, so the development data stay as
they are. Prints the time per tenant on the clone path, and for comparison the time per tenant
when every migration is replayed.

Besides the wall-clock time it prints where the time went, for runs on a machine that others load
too: the CPU time of this Python process, the CPU time of its PostgreSQL backend (Linux'
/proc/<pid>/schedstat, same machine only) and the rest (waiting for the disk, mostly the fsync
after every index build, or for a CPU), each per municipality, and the machine's load.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_TEST_NAME", "izd_bench_onboarding")

import django

django.setup()

from django.db import connection  # noqa: E402

from tenants import cloning  # noqa: E402
from tenants.services import MunicipalityData, municipality_create  # noqa: E402
from tests.benchmarks.database import backend_cpu, bench_database  # noqa: E402

CLONES: list[str] = []
_original_clone = cloning.schema_clone_from_template


def _counting_clone(schema_name: str) -> None:
    CLONES.append(schema_name)
    began = time.perf_counter()
    _original_clone(schema_name)
    COSTS.clone.append(time.perf_counter() - began)


cloning.schema_clone_from_template = _counting_clone


@dataclass
class Costs:
    """Per municipality: Python CPU, PostgreSQL backend CPU, and the time the clone took."""

    python_cpu: list[float] = field(default_factory=list)
    backend_cpu: list[float] = field(default_factory=list)
    clone: list[float] = field(default_factory=list)


COSTS = Costs()


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def onboard(count: int, start: int, costs: Costs | None = None) -> list[float]:
    durations = []
    for number in range(start, start + count):
        data = MunicipalityData(
            name=f"Benchmarkstadt {number}",
            ags=f"069{number:05d}",
            population=1000 + number,
            population_date=date(2024, 12, 31),
        )
        backend_before = backend_cpu()
        cpu_before = time.process_time()
        began = time.perf_counter()
        municipality_create(data=data)
        durations.append(time.perf_counter() - began)
        if costs is not None:
            costs.python_cpu.append(time.process_time() - cpu_before)
            backend_after = backend_cpu()
            if backend_before is not None and backend_after is not None:
                costs.backend_cpu.append(backend_after - backend_before)
    return durations


def _onboard_by_migration_replay(count: int, start: int) -> list[float]:
    """django-tenants without a template: every migration runs for every new schema."""
    from django.core.management import call_command

    durations = []
    for number in range(start, start + count):
        schema = f"replay_{number}"
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0
        )
        durations.append(time.perf_counter() - began)
    return durations


def report(label: str, durations: list[float]) -> None:
    print(
        f"{label:<32} {len(durations):>5} tenants  total {sum(durations):7.1f} s  "
        f"per tenant median {statistics.median(durations) * 1000:6.0f} ms  "
        f"p95 {sorted(durations)[int(len(durations) * 0.95) - 1] * 1000:6.0f} ms"
    )


def main() -> None:
    with bench_database():
        small, large = 29, 420
        print(f"load average at the start: {_load()}")
        first_costs, last_costs = Costs(), Costs()
        first = onboard(small, 1, first_costs)
        first_clones = COSTS.clone[:]
        report(f"clone path, first {small}", first)
        clones_so_far = len(CLONES)
        following = onboard(large - small - small, small + 1)
        following += onboard(small, large - small + 1, last_costs)
        last_clones = COSTS.clone[-small:]
        report(f"clone path, {small + 1} to {large}", following)
        report(f"clone path, all {large}", first + following)
        assert len(CLONES) == large, "every tenant must be cloned from the template"
        print(f"template copy used for {len(CLONES)} of {large} tenants "
              f"({clones_so_far} after {small})")  # fmt: skip
        last = following[-small:]  # the last 29: onboarding when 391 to 419 exist already
        print()
        print(f"| Messung | {small} Kommunen | {large} Kommunen | Verhältnis |")
        print("|---|---|---|---|")
        for label, pick in (
            ("je Kommune, Median", statistics.median),
            ("je Kommune, p95", lambda d: sorted(d)[max(0, int(len(d) * 0.95) - 1)]),
        ):
            at_small, at_large = pick(first) * 1000, pick(last) * 1000
            print(f"| {label} | {at_small:.0f} ms | {at_large:.0f} ms "
                  f"| {at_large / at_small:.2f} × |")  # fmt: skip
        for label, at_small, at_large in (
            ("davon Kopie der Vorlage (Median)", first_clones, last_clones),
            ("CPU Python (Median)", first_costs.python_cpu, last_costs.python_cpu),
            ("CPU PostgreSQL-Backend (Median)", first_costs.backend_cpu, last_costs.backend_cpu),
        ):
            if at_small and at_large:
                low, high = statistics.median(at_small) * 1000, statistics.median(at_large) * 1000
                print(f"| {label} | {low:.1f} ms | {high:.1f} ms | {high / low:.2f} × |")
        print(f"(bei {small}: die ersten {small}; bei {large}: die letzten {small}, "
              f"Nr. {large - small + 1} bis {large})")  # fmt: skip
        print(f"load average at the end: {_load()}")
        print()
        replayed = _onboard_by_migration_replay(10, 421)
        report("migration replay (comparison)", replayed)


if __name__ == "__main__":
    main()
