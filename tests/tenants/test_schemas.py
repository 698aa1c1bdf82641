"""Every municipality schema stays identical to the template: `check_schemas` finds each
difference, and `migrate` keeps the template in step, also when rolling back.

These tests change schemas and migrate inside the test's transaction, so PostgreSQL's
transactional DDL takes every change back afterwards, whatever happens in the test.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tenants import cloning
from tenants.catalogue import Difference, schema_drift
from tests.tenants.factories import new_town

pytestmark = pytest.mark.django_db

DRIFT_MIGRATIONS = {"costsharing_municipal": "tests.tenants.drift_migrations"}
TABLE = "costsharing_municipal_cooperation"


def _check_schemas() -> list[str]:
    """`manage.py check_schemas`: the lines it reports; [] when it finds nothing."""
    errors = io.StringIO()
    try:
        call_command("check_schemas", stdout=io.StringIO(), stderr=errors)
    except CommandError as error:
        assert "Abweichung" in str(error)
        return errors.getvalue().splitlines()
    assert errors.getvalue() == ""
    return []


def _columns(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped",
            [f"{schema}.{TABLE}"],
        )
        return {row[0] for row in cursor.fetchall()}


def test_all_municipality_schemas_equal_the_template(portal):
    assert _check_schemas() == []


def test_check_schemas_names_exactly_a_dropped_index_and_an_added_column(portal):
    town = new_town("Handarbeitsdorf", "06435981")
    schema = town.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes i WHERE schemaname = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) "
            "ORDER BY indexname LIMIT 1",
            [schema],
        )
        index = cursor.fetchone()[0]
        cursor.execute(f'DROP INDEX "{schema}"."{index}"')
        cursor.execute(f'ALTER TABLE "{schema}".{TABLE} ADD COLUMN extra integer DEFAULT 3')

    lines = _check_schemas()

    assert len(lines) == 2, lines
    assert f"{schema}: Index {index} fehlt (Vorlage: CREATE INDEX {index} ON {{schema}}." in (
        "\n".join(lines)
    )
    assert f"{schema}: Spalte {TABLE}.extra ist zusätzlich da (integer NULL DEFAULT 3)" in lines
    assert {(d.schema, d.kind, d.name) for d in schema_drift()} == {
        (schema, "index", index),
        (schema, "column", f"{TABLE}.extra"),
    }


def test_check_schemas_sees_a_changed_default_type_and_migration_record(portal):
    town = new_town("Abweichstadt", "06435982")
    schema = town.schema_name
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE \"{schema}\".{TABLE} ALTER COLUMN budget_line SET DEFAULT 'x'")
        cursor.execute(f'ALTER TABLE "{schema}".{TABLE} ALTER COLUMN contact_phone TYPE text')
        cursor.execute(
            f'DELETE FROM "{schema}".django_migrations WHERE app = %s', ["costsharing_municipal"]
        )

    found = {(d.kind, d.name): d for d in schema_drift([schema])}

    assert set(found) == {
        ("column", f"{TABLE}.budget_line"),
        ("column", f"{TABLE}.contact_phone"),
        ("migration", "costsharing_municipal.0001_initial"),
    }
    phone = found[("column", f"{TABLE}.contact_phone")]
    assert phone.expected == "character varying(40) NOT NULL"
    assert phone.found == "text NOT NULL"
    assert "DEFAULT 'x'::character varying" in str(found[("column", f"{TABLE}.budget_line")].found)
    assert found[("migration", "costsharing_municipal.0001_initial")].found is None


def test_a_municipality_without_its_schema_is_reported(portal):
    town = new_town("Schemalos", "06435983")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{town.schema_name}" CASCADE')
    assert schema_drift() == [
        Difference(town.schema_name, "schema", town.schema_name, "vorhanden", None)
    ]
    assert _check_schemas() == [f"{town.schema_name}: das Schema fehlt"]


def test_migrate_forward_then_back_keeps_the_template_in_step(portal, settings):
    """Without a target everything moves forward; with one, the template follows the
    municipalities back, so a new municipality gets the same catalogue as every other one."""
    settings.MIGRATION_MODULES = DRIFT_MIGRATIONS
    try:
        # Fails (CommandError) on any drift afterwards, like every migrate.
        call_command("migrate", verbosity=0)
        for schema in ("tenant_template", portal.a.schema_name, portal.b.schema_name):
            assert "drift_probe" in _columns(schema)
        assert "drift_probe" in _columns(new_town("Vorwaertsdorf", "06435985").schema_name)

        call_command("migrate", "costsharing_municipal", "0001", verbosity=0)
        town = new_town("Nachzugsdorf", "06435984")

        assert _check_schemas() == []
        assert "drift_probe" not in _columns("tenant_template")
        assert _columns(town.schema_name) == _columns(portal.a.schema_name)
    finally:
        # Cloning keeps the template's structure in memory; the transaction's rollback takes
        # the template back to the state before this test.
        cloning._cached = None


def test_migrate_fails_when_a_schema_drifted(portal):
    town = new_town("Driftdorf", "06435986")
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{town.schema_name}".{TABLE} ADD COLUMN extra integer')
    # Only this schema is migrated (there is nothing to do), and the check still runs.
    with pytest.raises(CommandError, match="1 Abweichung"):
        call_command("migrate", schema_name=town.schema_name, verbosity=0, stderr=io.StringIO())
