"""Benchmark: onboarding 50 and then 400 municipalities.

Run: `.venv/bin/python tests/benchmarks/bench_onboarding.py`. Works on a throw-away database
(`izd_bench_onboarding`) that it creates, migrates and drops, so the development data stay as
they are. Prints the time per tenant on the clone path, and for comparison the time per tenant
when every migration is replayed.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "izd.settings")
os.environ.setdefault("DATABASE_TEST_NAME", "izd_bench_onboarding")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django_tenants.clone import CloneSchema  # noqa: E402

from tenants.services import MunicipalityData, municipality_create  # noqa: E402

CLONES: list[str] = []
_original_clone = CloneSchema.clone_schema


def _counting_clone(self, base, new, *args, **kwargs):  # type: ignore[no-untyped-def]
    CLONES.append(new)
    return _original_clone(self, base, new, *args, **kwargs)


CloneSchema.clone_schema = _counting_clone  # type: ignore[method-assign]


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


def report(label: str, durations: list[float]) -> None:
    print(
        f"{label:<32} {len(durations):>5} tenants  total {sum(durations):7.1f} s  "
        f"per tenant median {statistics.median(durations) * 1000:6.0f} ms  "
        f"p95 {sorted(durations)[int(len(durations) * 0.95) - 1] * 1000:6.0f} ms"
    )


def main() -> None:
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}, database {test_db}")  # fmt: skip
        first = onboard(50, 1)
        report("clone path, first 50", first)
        clones_so_far = len(CLONES)
        following = onboard(350, 51)
        report("clone path, up to 400", following)
        report("clone path, all 400", first + following)
        assert len(CLONES) == 400, "every tenant must be cloned from the template"
        print(f"clone_schema called for {len(CLONES)} of 400 tenants ({clones_so_far} after 50)")
        with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False, TENANT_BASE_SCHEMA=None):
            report("migration replay (comparison)", onboard(10, 401))
    finally:
        connection.set_schema_to_public()
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
