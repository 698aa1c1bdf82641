"""The migrate executor (tenants/migration.py): Django's plan runs in one schema, its SQL is
replayed in the others, data migrations run in each schema, and a failing schema is named while
every other one is either migrated completely or untouched.

The migrations are costsharing_municipal's real 0001 plus a realistic test-only 0002 (a field
with a default, a changed column, a new model with a foreign key, an index) and 0003 (RunPython
filling them from each schema's rows), through MIGRATION_MODULES. Everything runs inside the
test's transaction, so PostgreSQL's transactional DDL takes it back afterwards; the killed
process in test_migration_kill.py covers the executor's own transactions and connections.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from izd.schemas import activate_public, tenant_schema
from tenants import cloning
from tenants.catalogue import (
    applied_migrations,
    catalogue_differences,
    municipality_schemas,
    schema_catalogues,
    schema_drift,
)
from tenants.migration import SchemaMigrationError
from tests.tenants.factories import new_town

pytestmark = pytest.mark.django_db

APP = "costsharing_municipal"
NEW = {(APP, "0002_invoice_channel"), (APP, "0003_invoice_channel_from_email")}
TABLE = "costsharing_municipal_cooperation"


@pytest.fixture
def replay_migrations(settings):
    settings.MIGRATION_MODULES = {APP: "tests.tenants.replay_migrations"}
    yield
    # Cloning keeps the template's structure in memory; the rollback takes the template back.
    cloning._cached = None


def _cooperation(town, email: str) -> None:
    with tenant_schema(town), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (joined_on, left_on, budget_line, contact_name, contact_email, "
            "contact_phone, updated_at) VALUES ('2020-01-01', NULL, '', 'Kasse', %s, '', now())",
            [email],
        )


def _rows(schema: str, sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{schema}", f'"{schema}"'))
        return list(cursor.fetchall())


def _content_types(schema: str) -> list[tuple]:
    return _rows(schema, "SELECT id, app_label, model FROM {schema}.django_content_type ORDER BY 1")


def test_replay_gives_every_schema_the_catalogue_of_djangos_own_migrate(
    portal, replay_migrations, capsys
):
    """One schema goes through django-tenants' standard executor, all others through ours:
    their catalogues, migration records and content types come out identical."""
    by_django = new_town("Standardhausen", "06435971")
    call_command(
        "migrate_schemas", schema_name=by_django.schema_name, executor="standard", verbosity=0
    )
    capsys.readouterr()

    call_command("migrate", verbosity=1, stdout=io.StringIO())  # check_schemas runs at its end

    output = capsys.readouterr().out
    others = [s for s in municipality_schemas() if s != by_django.schema_name]
    assert f"{len(others) - 1} weitere Schema(s) folgen" in output, output
    assert schema_drift() == []
    catalogues = schema_catalogues([by_django.schema_name, *others])
    for schema in others:
        assert catalogue_differences(catalogues[by_django.schema_name], catalogues[schema]) == []
        assert _content_types(schema) == _content_types(by_django.schema_name)
    assert (APP, "invoicerecipient") in {row[1:] for row in _content_types(others[-1])}
    assert all(NEW <= applied for applied in applied_migrations(others).values())


def test_data_migration_runs_in_each_schema_on_its_own_rows(portal, replay_migrations):
    with_email, without = new_town("Mailhausen", "06435972"), new_town("Posthausen", "06435973")
    _cooperation(with_email, "kasse@mailhausen.example")
    _cooperation(without, "")

    call_command("migrate", verbosity=0)

    channel = "SELECT invoice_channel FROM {schema}.costsharing_municipal_cooperation"
    recipients = "SELECT email FROM {schema}.costsharing_municipal_invoicerecipient"
    assert _rows(with_email.schema_name, channel) == [("email",)]
    assert _rows(with_email.schema_name, recipients) == [("kasse@mailhausen.example",)]
    assert _rows(without.schema_name, channel) == [("post",)]
    assert _rows(without.schema_name, recipients) == []
    assert _rows(portal.a.schema_name, recipients) == []


def _migrated(schema: str) -> bool:
    """True when complete, False when untouched; anything in between fails the test."""
    applied = applied_migrations([schema])[schema]
    columns = {
        row[0]
        for row in _rows(
            schema,
            "SELECT attname FROM pg_attribute WHERE attrelid = "
            f"'{{schema}}.{TABLE}'::regclass AND attnum > 0 AND NOT attisdropped",
        )
    }
    has_table = bool(
        _rows(schema, "SELECT to_regclass('{schema}.costsharing_municipal_invoicerecipient')")[0][0]
    )
    state = (NEW <= applied, "invoice_channel" in columns, has_table)
    assert state in {(True, True, True), (False, False, False)}, (schema, state)
    assert not (applied & NEW) or NEW <= applied, (schema, applied & NEW)
    return state[0]


def test_a_failing_schema_is_named_and_every_other_is_migrated_or_untouched(
    portal, replay_migrations
):
    towns = [new_town(f"Reihenort {n}", f"0643596{n}") for n in range(4)]
    broken = towns[2].schema_name
    with connection.cursor() as cursor:
        # The index that 0002 creates is already there: the schema cannot be migrated.
        cursor.execute(
            f'CREATE INDEX costsharing_invoice_chan_idx ON "{broken}".{TABLE} (contact_name)'
        )

    with pytest.raises(SchemaMigrationError) as raised:
        call_command("migrate", verbosity=0)

    assert raised.value.schema == broken
    assert f"Migration im Schema {broken} fehlgeschlagen" in str(raised.value)
    assert "costsharing_invoice_chan_idx" in str(raised.value)
    activate_public()
    states = {schema: _migrated(schema) for schema in municipality_schemas()}
    assert states[broken] is False
    assert _migrated("tenant_template") is False  # the template follows only a finished run


def test_nothing_to_apply_touches_no_schema(portal):
    before = applied_migrations(municipality_schemas())
    out = io.StringIO()
    call_command("migrate", verbosity=1, stdout=out)
    assert applied_migrations(municipality_schemas()) == before
