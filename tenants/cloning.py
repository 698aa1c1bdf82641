"""New municipality schemas as copies of the migrated template schema.

django-tenants clones the template and then runs `migrate_schemas --fake` for the new schema,
which loads the whole migration graph only to find every migration already recorded: the clone
copies the template's `django_migrations` rows along with its tables. It also re-creates its
4,600-line `clone_schema()` SQL function before every clone. Both cost far more than the copy
itself, so here the function is installed once (and refreshed by every `migrate`) and the fake
migration is left out.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists


def _clone_function_installed() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.proname = 'clone_schema' AND n.nspname = 'public'"
        )
        return cursor.fetchone() is not None


def clone_function_install() -> None:
    CloneSchema()._create_clone_schema_function()


def schema_clone_from_template(schema_name: str) -> None:
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        raise ValidationError(
            f"Das Vorlagen-Schema {template} fehlt; bitte zuerst `manage.py migrate` ausführen."
        )
    if schema_exists(schema_name, case_sensitive=False):
        raise ValidationError(f"Das Schema {schema_name} gibt es schon.")
    if not _clone_function_installed():
        clone_function_install()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clone_schema(%s, %s, 'DATA')", [template, schema_name])
