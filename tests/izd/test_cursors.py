"""The binary cursor: results in PostgreSQL's binary format, wrapped like Django's cursors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import ProgrammingError, connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from izd.cursors import binary_cursor
from tests.conftest import Portal
from tests.statements import recorded_statements


@pytest.mark.django_db
def test_binary_cursor_receives_bytea_as_raw_bytes_and_other_values_as_python_values() -> None:
    with binary_cursor() as cursor:
        cursor.execute(
            "SELECT int8send(%(number)s::bigint) || int8send(-2::bigint), %(text)s::text,"
            " %(day)s::date, %(amount)s::numeric",
            {"number": 1, "text": "Wächtersbach, \x1f „Süd“", "day": date(2026, 12, 31),
             "amount": Decimal("1234.56")},
        )  # fmt: skip
        assert cursor.fetchone() == (
            bytes.fromhex("0000000000000001fffffffffffffffe"),
            "Wächtersbach, \x1f „Süd“",
            date(2026, 12, 31),
            Decimal("1234.56"),
        )


@pytest.mark.django_db
def test_binary_cursor_statements_count_like_those_of_djangos_cursors() -> None:
    with (
        CaptureQueriesContext(connection) as queries,
        recorded_statements() as recorded,
        binary_cursor() as cursor,
    ):
        cursor.execute("SELECT int8send(42::bigint)")
        cursor.fetchall()
    assert [query["sql"] for query in queries.captured_queries][-1] == (
        "SELECT int8send(42::bigint)"
    )
    assert recorded.others == ["SELECT int8send(42::bigint)"]


@pytest.mark.django_db
def test_binary_cursor_raises_djangos_database_errors() -> None:
    with pytest.raises(ProgrammingError), binary_cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM tenants_municipality")


@pytest.mark.django_db
def test_binary_cursor_reads_in_the_search_path_of_the_schema_in_use(portal: Portal) -> None:
    with schema_context(portal.a.schema_name), binary_cursor() as cursor:
        cursor.execute("SELECT current_schemas(false)")
        (schemas,) = cursor.fetchone()
    assert schemas[0] == portal.a.schema_name


@pytest.mark.django_db
def test_binary_cursor_loads_timestamps_as_djangos_cursors_do() -> None:
    query = "SELECT '2026-03-29 01:30:00+01'::timestamptz, '2026-10-25 02:30:00+02'::timestamptz"
    with connection.cursor() as cursor:
        cursor.execute(query)
        texts = cursor.fetchone()
    with binary_cursor() as cursor:
        cursor.execute(query)
        binaries = cursor.fetchone()
    assert binaries == texts
    assert [value.tzinfo for value in binaries] == [value.tzinfo for value in texts]
