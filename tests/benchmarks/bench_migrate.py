"""Benchmark: `migrate` across 420 municipality schemas, django-tenants' standard executor against
ours (tenants/migration.py), side by side on the same schemas in the same run.

Run: `.venv/bin python tests/benchmarks/bench_migrate.py [--count 420]`. Works on a throw-away
database (`izd_bench_migrate`) that it creates, migrates and drops.

1. Onboards the benchmark fixture (populations shaped like Hessen's, tests/scale.py) at once,
   timed: the target is 29 ms per municipality. Each gets a cooperation row, half of them with
   an e-mail.
2. `migrate` with nothing to apply, at 29 and at all municipalities, with both executors.
3. Two releases of the same kind (a field with a default, a new model with a foreign key, an
   index; tests/benchmarks/migrate_migrations): the first applied by the standard executor, the
   second by ours. Then two equal data migrations (RunPython over each schema's rows), likewise.
4. The template follows, and every schema's catalogue must equal the template's
   (`check_schemas`); the data migrations' results are counted in every schema.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.measure import django_for_benchmark

django_for_benchmark("izd_bench_migrate")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from izd.schemas import activate_public  # noqa: E402
from tenants.catalogue import municipality_schemas, schema_drift  # noqa: E402
from tests.scale import onboarded  # noqa: E402

APP = "costsharing_municipal"


def onboard(start: int, stop: int) -> float:
    """The benchmark fixture's municipalities `start` to `stop - 1`, onboarded at once; the
    time per municipality."""
    began = time.perf_counter()
    onboarded(start, stop, prefix="068")
    return (time.perf_counter() - began) / (stop - start)


def fill_rows(schemas: list[str]) -> None:
    """One cooperation row per schema, every second one with an address for the data migration."""
    with connection.cursor() as cursor:
        for index, schema in enumerate(schemas):
            email = f"kasse@{schema}.example" if index % 2 == 0 else ""
            cursor.execute(
                f'INSERT INTO "{schema}".costsharing_municipal_cooperation (joined_on, '
                "budget_line, contact_name, contact_email, contact_phone, updated_at) "
                "VALUES ('2020-01-01', '', 'Kasse', %s, '', now())",
                [email],
            )


def timed(label: str, *args: str, executor: str) -> float:
    began = time.perf_counter()
    call_command(
        "migrate_schemas", *args, tenant=True, executor=executor, verbosity=0, stdout=io.StringIO()
    )
    seconds = time.perf_counter() - began
    print(f"  {label:<58} {executor:<9} {seconds:8.2f} s", flush=True)
    return seconds


def whole_migrate(label: str) -> float:
    """The project's `migrate`: public schema, municipalities, template, check_schemas."""
    began = time.perf_counter()
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    seconds = time.perf_counter() - began
    print(f"  {label:<58} {'replay':<9} {seconds:8.2f} s", flush=True)
    return seconds


def no_op(count: int) -> tuple[float, float]:
    print(f"migrate with nothing to apply, {count} schemas:")
    standard = timed("municipality schemas", executor="standard")
    ours = timed("municipality schemas", executor="replay")
    whole_migrate("whole `manage.py migrate` (with template and check)")
    return standard, ours


def ratio(standard: float, ours: float) -> str:
    return f"{standard / ours:.1f}×" if ours else "∞"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=420)
    count = parser.parse_args().count
    test_db = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=False, serialize=False
    )
    try:
        print(
            f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other work), "
            f"Python {platform.python_version()}, database {test_db}, "
            f"replay workers {settings.TENANT_MIGRATION_WORKERS}"
        )
        results = {}
        first = onboard(0, 29)
        results["no-op at 29"] = no_op(29)
        rest = onboard(29, count)
        print(
            f"onboarding {count} municipalities at once (the fixture, tests/scale.py): "
            f"{first * 1000:.0f} ms per municipality for the first 29, "
            f"{rest * 1000:.0f} ms for the rest (target: 29 ms per municipality)"
        )
        schemas = municipality_schemas()
        fill_rows(schemas)
        results[f"no-op at {count}"] = no_op(count)

        settings.MIGRATION_MODULES = {APP: "tests.benchmarks.migrate_migrations"}
        print(f"a release (new field with default, new model with foreign key, index), {count}:")
        standard = timed("0002_release_a", APP, "0002", executor="standard")
        ours = timed("0003_release_b", APP, "0003", executor="replay")
        results[f"release at {count}"] = (standard, ours)
        print(f"a data migration (RunPython over each schema's rows), {count}:")
        standard = timed("0004_fill_a", APP, "0004", executor="standard")
        ours = timed("0005_fill_b", APP, "0005", executor="replay")
        results[f"data migration at {count}"] = (standard, ours)

        whole_migrate("whole `manage.py migrate` (template follows, check)")
        drift = schema_drift()
        assert drift == [], [str(d) for d in drift[:10]]
        print(f"check_schemas: all {len(schemas)} schemas equal the template")
        with connection.cursor() as cursor:
            filled = 0
            for schema in schemas:
                cursor.execute(
                    f'SELECT (SELECT count(*) FROM "{schema}".costsharing_municipal_recipienta), '
                    f'(SELECT count(*) FROM "{schema}".costsharing_municipal_recipientb)'
                )
                a, b = cursor.fetchone()
                assert a == b <= 1, (schema, a, b)
                filled += a
        assert filled == (len(schemas) + 1) // 2, filled
        print(f"data migrations: both filled the same {filled} schemas")

        print()
        print(f"{'measure':<36} {'standard':>10} {'ours':>10} {'ratio':>8}")
        for label, (standard, ours) in results.items():
            print(f"{label:<36} {standard:9.2f}s {ours:9.2f}s {ratio(standard, ours):>8}")
    finally:
        activate_public()
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
