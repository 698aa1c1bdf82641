"""`manage.py check --database default` reports municipality schemas that nobody owns."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def orphan_schema_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from tenants.archive import orphan_schemas

    try:
        orphans = orphan_schemas()
    except DatabaseError:
        return []  # the database check itself reports an unreachable database
    return [
        Warning(
            f"Das Schema {schema} gehört zu keiner aktiven Kommune.",
            hint="Prüfen, ob es noch gebraucht wird; sonst mit DROP SCHEMA … CASCADE löschen.",
            obj=schema,
            id="tenants.W001",
        )
        for schema in orphans
    ]
