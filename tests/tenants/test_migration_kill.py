"""`manage.py migrate` killed (SIGKILL) in the middle of the municipality schemas: no schema is
left half-migrated, and running it again finishes the job.

The migrate process is real (its own connections, the executor's parallel replay) and works on
the test database with a test-only migration that sleeps between two schema changes in every
schema (tests/tenants/slow_migrations). Its changes are committed, so the test takes them back
afterwards by migrating back to 0001 and removing the municipalities it added.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from izd.schemas import activate_public
from tenants.catalogue import (
    applied_migrations,
    catalogue_differences,
    municipality_schemas,
    schema_catalogues,
    schema_drift,
)
from tenants.models import Domain, Municipality
from tests.tenants.factories import new_town
from tests.workers import process_env

APP = "costsharing_municipal"
SLOW = (APP, "0002_slow_change")
TABLE = "costsharing_municipal_cooperation"
NAME = "izd-test-migrate-kill"


def _migrate_process(log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = process_env(
        "unused",
        DJANGO_SETTINGS_MODULE="tests.tenants.slow_settings",
        DATABASE_APPLICATION_NAME=NAME,
        IZD_MIGRATION_WORKERS="2",
    )
    with log.open("ab") as handle:
        return subprocess.Popen(
            [sys.executable, "manage.py", "migrate", "--noinput", *args],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _run(log: Path, *args: str) -> None:
    process = _migrate_process(log, *args)
    assert process.wait(timeout=600) == 0, log.read_text()[-4000:]


def _state(schema: str) -> bool:
    """True when the schema is migrated completely, False when untouched; never in between."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'slow_probe' AND NOT attisdropped",
            [f'"{schema}".{TABLE}'],
        )
        column = cursor.fetchone()[0]
        index_name = f'"{schema}".costsharing_slow_probe_idx'
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [index_name])
        index = cursor.fetchone()[0]
    recorded = SLOW in applied_migrations([schema])[schema]
    found = (recorded, column == 1, bool(index))
    assert found in {(True, True, True), (False, False, False)}, (schema, found)
    return recorded


def _backends_gone() -> None:
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [NAME]
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
    pytest.fail("Die Verbindungen des getöteten migrate-Prozesses bleiben offen.")


def _remove(towns: list[Municipality]) -> None:
    for town in towns:
        Domain.objects.filter(tenant=town).delete()
        Municipality.objects.filter(pk=town.pk).delete()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{town.schema_name}" CASCADE')


def test_migrate_killed_midway_leaves_no_schema_half_migrated_and_a_rerun_finishes(
    portal, committed, tmp_path
):
    log = tmp_path / "migrate.log"
    with committed():
        towns = [new_town(f"Abbruchstadt {n}", f"0643594{n}", 2000 + n) for n in range(8)]
        schemas = municipality_schemas()
        try:
            process = _migrate_process(log, "--verbosity", "1")
            deadline = time.monotonic() + 180
            while True:
                done = [s for s, a in applied_migrations(schemas).items() if SLOW in a]
                if done and len(done) <= len(schemas) - 3:
                    break
                assert process.poll() is None, log.read_text()[-4000:]
                assert time.monotonic() < deadline, "migrate kam nicht in Gang"
                time.sleep(0.02)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            _backends_gone()

            states = {schema: _state(schema) for schema in schemas}
            migrated = sorted(s for s, done in states.items() if done)
            untouched = sorted(s for s, done in states.items() if not done)
            assert migrated and len(untouched) >= 2, states
            assert _state("tenant_template") is False
            catalogues = schema_catalogues(["tenant_template", *schemas])
            template = catalogues["tenant_template"]
            for schema in untouched:
                assert catalogue_differences(template, catalogues[schema]) == []
            for schema in migrated:
                assert catalogue_differences(catalogues[migrated[0]], catalogues[schema]) == []

            _run(log, "--verbosity", "1")  # fails unless check_schemas finds nothing

            assert all(_state(schema) for schema in [*schemas, "tenant_template"])
            assert schema_drift() == []
            assert f"{len(untouched)} Schema(s) migriert" in log.read_text()
        finally:
            activate_public()
            _run(log, APP, "0001", "--verbosity", "0")
            _remove(towns)
        assert not any(_state(schema) for schema in [*municipality_schemas(), "tenant_template"])
