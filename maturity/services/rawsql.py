"""SQL helpers for the autosave's hot path and the projection it ends with.

An autosave runs for every change a person makes, often by several colleagues at once. It
therefore runs its statements on one cursor as plain SQL (the ORM's query building cost more
than the database work, and django-tenants sets the search path again for every cursor),
while the rows are still read into and validated as model instances.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connection, models
from django.db.backends.utils import CursorWrapper

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


def instance(model: type[ModelT], row: tuple[Any, ...] | None) -> ModelT | None:
    """A row read by `select_sql(model, ...)` as a model instance."""
    if row is None:
        return None
    names = [f.attname for f in model._meta.concrete_fields]
    return model.from_db(connection.alias, names, row)


def select_one(
    cursor: CursorWrapper, model: type[ModelT], where: str, params: list[Any], lock: str
) -> ModelT | None:
    """One row as a model instance; `where` names columns, `lock` is FOR SHARE / FOR UPDATE."""
    cursor.execute(select_sql(model, where, lock), params)
    return instance(model, cursor.fetchone())
