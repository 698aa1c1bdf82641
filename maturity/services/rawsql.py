"""SQL helpers for the autosave's hot path and the projection it ends with.

An autosave runs for every change a person makes, often by several colleagues at once. It
therefore runs its statements on one cursor as plain SQL (the ORM's query building cost more
than the database work, and django-tenants sets the search path again for every cursor),
while the rows are still read into and validated as model instances.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from django.db import connection, models
from django.db.backends.utils import CursorWrapper
from psycopg import pq

ModelT = TypeVar("ModelT", bound=models.Model)


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return quote(field.column)


def select_sql(model: type[models.Model], where: str, lock: str) -> str:
    """SELECT of every column of `model`; `where` names columns, `lock` is FOR SHARE etc."""
    columns = ", ".join(column(model, f.name) for f in model._meta.concrete_fields)
    return f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {where} {lock}"


Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _converters(model: type[models.Model]) -> tuple[tuple[int, Any, list[Converter]], ...]:
    """The columns of `select_sql(model, ...)` whose values Django converts when it reads them
    (e.g. JSON), with the converters the ORM would apply."""
    result = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            result.append((index, column, converters))
    return tuple(result)


def instance(model: type[ModelT], row: tuple[Any, ...] | None) -> ModelT | None:
    """A row read by `select_sql(model, ...)` as a model instance; the row may go on with
    other columns (a join), the model's come first."""
    if row is None:
        return None
    fields = model._meta.concrete_fields
    values = list(row[: len(fields)])
    for index, column, converters in _converters(model):
        for convert in converters:
            values[index] = convert(values[index], column, connection)
    return model.from_db(connection.alias, [f.attname for f in fields], values)


def select_one(
    cursor: CursorWrapper, model: type[ModelT], where: str, params: list[Any], lock: str
) -> ModelT | None:
    """One row as a model instance; `where` names columns, `lock` is FOR SHARE / FOR UPDATE."""
    cursor.execute(select_sql(model, where, lock), params)
    return instance(model, cursor.fetchone())


Statement = tuple[str, list[Any]]


def _rows(cursor: CursorWrapper) -> list[tuple[Any, ...]]:
    """The rows of the current result; none for a statement without rows (an UPDATE).

    Asks the result's status rather than `cursor.description`, which psycopg builds afresh, a
    column object per column, every time it is read: for the autosave's wide rows that cost
    more than reading them.
    """
    result = cursor.cursor.pgresult
    if result is None or result.status != pq.ExecStatus.TUPLES_OK:
        return []
    return cursor.fetchall()


COMMIT: Statement = ("COMMIT", [])


def commits_on_exit() -> bool:
    """Whether the running atomic block is the outermost and will commit when it ends.

    Then the block's last statement may take the COMMIT along to the server in its round trip
    (`COMMIT`): the commit that Django then asks for finds no open transaction and does nothing
    (psycopg sends COMMIT only inside a transaction), and hooks registered with `on_commit` run
    as always. Inside an outer transaction (or a test's) a COMMIT would end that transaction:
    there the outer block commits as before.
    """
    return (
        connection.in_atomic_block
        and connection.commit_on_exit
        and len(connection.atomic_blocks) == 1
        and not connection.needs_rollback
    )


def _in_turn(cursor: CursorWrapper, *statements: Statement) -> list[list[tuple[Any, ...]]]:
    """Run statements one after the other, in one round trip where the driver allows it; the
    rows of each (none for a statement without a result).

    With client-side parameter binding (Django's default for psycopg 3) several statements
    can be sent as one query string; the server still runs them one by one, each with a
    snapshot of its own, and stops at the first that fails.
    """
    raw = cursor.cursor
    results: list[list[tuple[Any, ...]]] = []
    if isinstance(raw, psycopg.Cursor) and not isinstance(raw, psycopg.ClientCursor):
        for sql, params in statements:  # server-side binding: one statement per query
            cursor.execute(sql, params)
            results.append(_rows(cursor))
        return results
    cursor.execute(
        "; ".join(sql for sql, _params in statements),
        [param for _sql, params in statements for param in params],
    )
    for index in range(len(statements)):
        if index:
            cursor.nextset()
        results.append(_rows(cursor))
    return results
