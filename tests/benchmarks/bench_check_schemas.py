"""Benchmark: `check_schemas` at 29 and at 420 municipalities.

Run: `.venv/bin/python tests/benchmarks/bench_check_schemas.py`. Works on a throw-away database
(`izd_bench_check_schemas`) that it creates, migrates and drops. Onboards the benchmark fixture
of 420 municipalities (tests/scale.py: cloned from the template, several at once), then times
the comparison of every schema with the template at 29 and at 420 schemas (best of 3), counts
its queries, and checks that one changed schema is named.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.measure import django_for_benchmark

django_for_benchmark("izd_bench_check_schemas")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tenants.catalogue import municipality_schemas, schema_catalogues, schema_drift  # noqa: E402
from tests.benchmarks.database import bench_database  # noqa: E402
from tests.scale import STATE_SIZE, onboarded  # noqa: E402


def measure(schemas: list[str]) -> tuple[float, int, int]:
    reading = float("inf")
    for _round in range(3):
        began = time.perf_counter()
        schema_catalogues(["tenant_template", *schemas])
        reading = min(reading, time.perf_counter() - began)
    print(f"reading the catalogues of {len(schemas)} schemas: {reading:6.2f} s")
    best = float("inf")
    for _round in range(3):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            differences = schema_drift(schemas)
            best = min(best, time.perf_counter() - began)
        assert differences == [], differences[:5]
    real = [q for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    return best, len(real), len(schemas)


def main() -> None:
    with bench_database():
        results = {}
        onboarded(0, 29)
        results[29] = measure(municipality_schemas())
        onboarded(29, STATE_SIZE)
        results[420] = measure(municipality_schemas())
        for count, (seconds, queries, schemas) in results.items():
            print(
                f"check_schemas at {count:>3}: {seconds:6.2f} s, {queries} queries, "
                f"{schemas} schemas"
            )
        print(f"ratio 420/29: {results[420][0] / results[29][0]:.1f}× the time")
        victim = municipality_schemas()[200]
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{victim}".django_migrations ADD COLUMN probe integer')
        found = schema_drift()
        assert [(d.schema, d.name) for d in found] == [(victim, "django_migrations.probe")], found
        print(f"one changed schema of 420 found: {found[0]}")


if __name__ == "__main__":
    main()
