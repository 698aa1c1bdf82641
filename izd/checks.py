"""System checks of the data the portal already holds.

Before the keys of municipalities were limited to ASCII digits, a CSV import could create a
municipality with the AGS `06٤٣٥٩٩٨` and the schema `gem_06٤٣٥٩٩٨`. This check finds such
schemas and tenant rows in an existing database (`manage.py check --database default`, and
before every `migrate`), so that the coordinator can correct or remove them; renaming a schema
under a running portal is not something to do automatically.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError, connections


def non_ascii_schemas(alias: str = "default") -> list[str]:
    """Schemas in the database and tenant rows whose schema name or AGS is not plain ASCII."""
    found: set[str] = set()
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        found.update(name for (name,) in cursor.fetchall() if not name.isascii())
    tenant_model = apps.get_model(settings.TENANT_MODEL)
    for schema_name, ags in tenant_model.objects.using(alias).values_list("schema_name", "ags"):
        if not schema_name.isascii() or not ags.isascii():
            found.add(schema_name)
    return sorted(found)


@register(Tags.database)
def check_schema_names(
    app_configs: Sequence[Any] | None = None,
    databases: Iterable[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for alias in databases or ():
        try:
            names = non_ascii_schemas(alias)
        except DatabaseError:
            continue  # not migrated yet: nothing to find
        for name in names:
            errors.append(
                Error(
                    f"Das Schema „{name}“ enthält Zeichen außerhalb von ASCII "
                    "(z. B. arabische oder Vollbreiten-Ziffern im AGS).",
                    hint="Die Kommune mit diesem AGS prüfen und mit korrektem AGS neu anlegen; "
                    "das alte Schema danach entfernen.",
                    id="izd.E001",
                )
            )
    return errors
