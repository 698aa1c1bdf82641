"""Typed access to django-tenants' schema switching on the default connection.

django-tenants adds these methods to its own database wrapper, which the type stubs of Django do
not know; going through here keeps the rest of the code type-checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper


def _tenant_connection() -> Any:
    return cast(Any, connection)


def current_schema() -> str:
    return str(_tenant_connection().schema_name)


def activate_public() -> None:
    _tenant_connection().set_schema_to_public()


def activate_tenant(tenant: Any) -> None:
    _tenant_connection().set_tenant(tenant)


@contextmanager
def tenant_schema(tenant: Any) -> Iterator[None]:
    """Run the block in the tenant's schema and return to the schema that was active before."""
    previous = _tenant_connection().tenant
    activate_tenant(tenant)
    try:
        yield
    finally:
        if previous is None:
            activate_public()
        else:
            activate_tenant(previous)


@contextmanager
def own_search_path() -> Iterator[None]:
    """For a block that sets `search_path` itself (e.g. `SET LOCAL search_path TO pg_catalog`).

    django-tenants issues its `SET search_path` only when it has not done so for the current
    schema yet (TENANT_LIMIT_SET_CALLS). A `SET LOCAL` inside a savepoint lasts until the outer
    transaction ends, so afterwards it must set the tenant's path again.
    """
    try:
        yield
    finally:
        _tenant_connection().search_path_set_schemas = None


@contextmanager
def catalogue_cursor() -> Iterator[CursorWrapper]:
    """A cursor for reading PostgreSQL's system catalogues about any schemas, in a transaction
    of its own with only `pg_catalog` on the search path, so that every definition it reads names
    its schema explicitly, the same way whatever the connection's tenant.

    The one place that sets `search_path` by hand (django-tenants sets it for the tenants).
    """
    with own_search_path(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path TO pg_catalog")
        yield cursor
