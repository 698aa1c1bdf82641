"""Timestamps through psycopg's C loader load exactly as through Django's own loader."""

from __future__ import annotations

from datetime import datetime

import psycopg
import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

from izd.timestamps import C_LOADER, CTimestamptzLoader

LITERALS = [
    "2026-11-28 10:47:01.261645+00",
    "2026-03-29 01:30:00+01",  # the night the clocks go forward in Germany
    "2026-10-25 02:30:00+02",  # and back
    "1969-12-31 23:59:59.999999-05:30",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def _load(literals: list[str], *, djangos: bool) -> list[datetime]:
    with connection.cursor() as cursor:
        if djangos:  # Django's loader on this cursor only, as Django itself does where needed
            register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute(
            "SELECT value::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(value, n)"
            " ORDER BY n",
            [literals],
        )
        return [value for (value,) in cursor.fetchall()]


def _same(first: list[datetime], second: list[datetime]) -> None:
    assert first == second
    assert [value.tzinfo for value in first] == [value.tzinfo for value in second]
    assert [value.isoformat() for value in first] == [value.isoformat() for value in second]


@pytest.mark.django_db
def test_connections_load_timestamps_with_the_c_loader_where_psycopg_has_one() -> None:
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(
        psycopg.adapters.types["timestamptz"].oid, psycopg.pq.Format.TEXT
    )
    assert C_LOADER is not None  # psycopg[binary] is a dependency
    assert loader is not None and issubclass(loader, CTimestamptzLoader)
    assert loader.timezone == connection.timezone


@pytest.mark.django_db
def test_timestamps_load_as_with_djangos_loader() -> None:
    _same(_load(LITERALS, djangos=False), _load(LITERALS, djangos=True))


@pytest.mark.django_db
def test_timestamps_load_as_with_djangos_loader_in_another_session_time_zone() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'Europe/Berlin'")
    in_range = LITERALS[:-1]  # the last is in the year 10000 in Berlin: both refuse it
    _same(_load(in_range, djangos=False), _load(in_range, djangos=True))


@pytest.mark.django_db
@pytest.mark.parametrize("literal", ["infinity", "-infinity", "0001-01-01 00:00:00+01"])
def test_timestamps_beyond_python_fail_as_with_djangos_loader(literal: str) -> None:
    for djangos in (False, True):
        with pytest.raises(DataError):
            _load([literal], djangos=djangos)
