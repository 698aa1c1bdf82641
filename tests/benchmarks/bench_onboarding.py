"""Benchmark: onboarding 50 and then 400 municipalities.

Run: `.venv/bin/python tests/benchmarks/bench_onboarding.py`. Works on a throw-away database
(`izd_bench_onboarding`) that it creates, migrates and drops, so the development data stay as
they are. Prints the time per tenant on the clone path, and for comparison the time per tenant
when every migration is replayed.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
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
from tests.benchmarks.database import bench_database  # noqa: E402

CLONES: list[str] = []
_original_clone = cloning.schema_clone_from_template


def _counting_clone(schema_name: str) -> None:
    CLONES.append(schema_name)
    _original_clone(schema_name)


cloning.schema_clone_from_template = _counting_clone


def onboard(count: int, start: int) -> list[float]:
    durations = []
    for number in range(start, start + count):
        data = MunicipalityData(
            name=f"Benchmarkstadt {number}",
            ags=f"069{number:05d}",
            population=1000 + number,
            population_date=date(2024, 12, 31),
        )
        began = time.perf_counter()
        municipality_create(data=data)
        durations.append(time.perf_counter() - began)
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
        first = onboard(50, 1)
        report("clone path, first 50", first)
        clones_so_far = len(CLONES)
        following = onboard(350, 51)
        report("clone path, up to 400", following)
        report("clone path, all 400", first + following)
        assert len(CLONES) == 400, "every tenant must be cloned from the template"
        print(f"template copy used for {len(CLONES)} of 400 tenants ({clones_so_far} after 50)")
        replayed = _onboard_by_migration_replay(10, 401)
        report("migration replay (comparison)", replayed)


if __name__ == "__main__":
    main()
