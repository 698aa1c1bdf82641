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


def select_one(
    cursor: CursorWrapper, model: type[ModelT], where: str, params: list[Any], lock: str
) -> ModelT | None:
    """One row as a model instance; `where` names columns, `lock` is FOR SHARE / FOR UPDATE."""
    fields = model._meta.concrete_fields
    columns = ", ".join(column(model, f.name) for f in fields)
    table = quote(model._meta.db_table)
    cursor.execute(f"SELECT {columns} FROM {table} WHERE {where} {lock}", params)
    row = cursor.fetchone()
    if row is None:
        return None
    return model.from_db(connection.alias, [f.attname for f in fields], row)
