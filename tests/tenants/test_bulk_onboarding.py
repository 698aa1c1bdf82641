"""Onboarding many municipalities at once: several connections, a transaction each.

The parallel path needs committed data (its threads have their own connections), so these tests
write with `committed()` and remove what they made; the tests inside a transaction check the
same rules on the one-connection path (savepoints).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from izd.audit.models import AuditEntry
from tenants import onboarding, parallel
from tenants.catalogue import schema_drift
from tenants.models import Domain, Municipality
from tenants.onboarding import schema_name_for
from tenants.services import MunicipalityData, municipality_create_many, municipality_import
from tests.conftest import BACKEND, Portal

PREFIX = "0643996"


def _data(n: int, **overrides: object) -> MunicipalityData:
    values: dict[str, object] = {
        "name": f"Parallelstadt {n}",
        "ags": f"{PREFIX}{n}",
        "population": 3000 + n,
        "population_date": date(2024, 12, 31),
    }
    values.update(overrides)
    return MunicipalityData(**values)  # type: ignore[arg-type]


def _remove(ags: list[str], schemas: list[str]) -> None:
    towns = list(Municipality.with_offboarded.filter(ags__in=ags))
    Domain.objects.filter(tenant__in=towns).delete()
    Municipality.with_offboarded.filter(pk__in=[t.pk for t in towns]).delete()
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _tables(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", [schema])
        return int(cursor.fetchone()[0])


def _assert_complete(created: list[Municipality]) -> None:
    """Record, schema equal to the template, domain and audit entry for each."""
    ids = [m.pk for m in created]
    assert Municipality.objects.filter(pk__in=ids).count() == len(created)
    assert schema_drift([m.schema_name for m in created]) == []
    assert Domain.objects.filter(tenant_id__in=ids, is_primary=True).count() == len(created)
    entries = AuditEntry.objects.filter(action="municipality_create", municipality_id__in=ids)
    assert sorted(e.object_label for e in entries) == sorted(m.name for m in created)


def _assert_absent(data: MunicipalityData, schema: str) -> None:
    """Nothing of a municipality that failed: no record, domain, audit entry or tables."""
    assert not Municipality.with_offboarded.filter(ags=data.ags).exists()
    assert not Domain.objects.filter(
        domain__startswith=f"{onboarding.slug_for(data.name)}."
    ).exists()
    assert not AuditEntry.objects.filter(object_label=data.name).exists()
    assert _tables(schema) == 0


def test_connections_work_side_by_side_and_results_keep_the_order(portal, committed):
    def backend(connection, item: int) -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), pg_sleep(0.05)")
            return item, cursor.fetchone()[0]

    with committed():
        assert parallel.workers_for(3, 12) == 3
        results = parallel.on_connections(list(range(12)), backend, workers=3)
    assert [item for item, _pid in results] == list(range(12))
    assert len({pid for _item, pid in results}) == 3


def test_a_schema_taken_after_the_checks_is_named_and_the_others_are_created(portal, committed):
    items = [_data(n) for n in range(6)]
    victim = items[3]
    taken = schema_name_for(victim.ags)
    with committed():
        try:
            plan = onboarding.prepare(items)
            assert len(plan.ready) == 6 and not plan.failures
            # Another session creates the schema between the checks and the writing.
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{taken}"')
            assert parallel.workers_for(3, len(items)) > 1
            result = onboarding.write(plan)
            assert [(f.position, f.data.ags) for f in result.failures] == [(3, victim.ags)]
            assert taken in result.failures[0].message
            assert [m.ags for m in result.created] == [d.ags for d in items if d is not victim]
            _assert_complete(result.created)
            _assert_absent(victim, taken)
        finally:
            _remove([d.ags for d in items], [schema_name_for(d.ags) for d in items])


@contextmanager
def _schema_created_concurrently(schema: str) -> Iterator[None]:
    """Another session creates `schema` in a transaction that commits only once one of our
    connections waits for it: the import's checks cannot see it, its writing runs into it."""
    begun, failures = threading.Event(), []

    def other_session() -> None:
        own = connections["default"]
        try:
            with transaction.atomic(), own.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{schema}"')
                begun.set()
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND wait_event_type = 'Lock'"
                    )
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.01)
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            begun.set()
            own.close()

    thread = threading.Thread(target=other_session)
    thread.start()
    begun.wait()
    try:
        yield
    finally:
        thread.join()
        assert not failures, failures


def test_csv_import_names_the_row_another_session_took_and_imports_the_rest(
    portal: Portal, committed
):
    items = [_data(n, name=f"Importstadt {n}") for n in range(4)]
    victim = items[1]
    taken = schema_name_for(victim.ags)
    text = "AGS;Name;Einwohner;Stichtag\n" + "".join(
        f"{d.ags};{d.name};{d.population};31.12.2024\n" for d in items
    )
    upload = text.encode()
    with committed():
        try:
            client = Client(HTTP_HOST=portal.host())
            client.force_login(portal.coordinator, backend=BACKEND)
            from django.core.files.uploadedfile import SimpleUploadedFile

            with _schema_created_concurrently(taken):
                response = client.post(
                    "/kommunen/import/",
                    {"file": SimpleUploadedFile("k.csv", upload, content_type="text/csv")},
                )
            assert response.status_code == 409
            body = response.content.decode()
            assert "3 angelegt, 0 aktualisiert" in body
            assert f"Zeile 3: Das Schema {taken} gibt es schon." in body
            created = list(Municipality.objects.filter(ags__in=[d.ags for d in items]))
            assert sorted(m.ags for m in created) == sorted(d.ags for d in items if d != victim)
            _assert_complete(created)
            _assert_absent(victim, taken)
            entry = AuditEntry.objects.filter(object_label=items[0].name).get()
            assert entry.actor_id == portal.coordinator.pk
            # Importing the file again creates the one that is missing once its name is free.
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{taken}"')
            report = municipality_import(raw=upload)
            assert report.ok and [m.ags for m in report.created] == [victim.ags]
            assert len(report.updated) == 3
        finally:
            _remove([d.ags for d in items], [schema_name_for(d.ags) for d in items])


@pytest.mark.django_db
def test_checks_name_every_refused_row_before_anything_is_written(portal: Portal):
    items = [
        _data(0),
        _data(1, ags="123"),
        _data(2, name=portal.a.name),  # the subdomain of A
        _data(3, ags=_data(0).ags, name="Doppelstadt"),
        _data(4),
    ]
    plan = onboarding.prepare(items)
    refused = {f.position: f.message for f in plan.failures}
    assert set(refused) == {1, 2, 3}
    assert "8 Ziffern" in refused[1]
    assert "Subdomain" in refused[2]
    assert "Eintrag 1" in refused[3]
    assert [item.position for item in plan.ready] == [0, 4]
    assert not Municipality.objects.filter(ags__startswith=PREFIX).exists()


@pytest.mark.django_db
def test_inside_a_transaction_each_municipality_is_a_savepoint(portal: Portal):
    items = [_data(n, name=f"Sparstadt {n}") for n in range(3)]
    plan = onboarding.prepare(items)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name_for(items[0].ags)}"')
    assert parallel.workers_for(3, 3) == 1
    result = onboarding.write(plan)
    assert [f.position for f in result.failures] == [0]
    assert [m.name for m in result.created] == ["Sparstadt 1", "Sparstadt 2"]
    _assert_complete(result.created)
    _assert_absent(items[0], schema_name_for(items[0].ags))


@pytest.mark.django_db
def test_many_at_once_records_what_single_onboarding_records(portal: Portal):
    result = municipality_create_many(data=[_data(7, name="Protokollstadt", leitweg_id="")])
    [town] = result.created
    entry = AuditEntry.objects.get(action="municipality_create", municipality_id=town.pk)
    assert entry.summary == "Kommune Protokollstadt angelegt"
    assert {row["field"] for row in entry.changes} >= {"Subdomain", "Einwohnerzahl"}
    assert Domain.objects.get(tenant=town).domain.startswith("protokollstadt.")
