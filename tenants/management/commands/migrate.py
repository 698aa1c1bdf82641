from typing import Any

from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

from tenants.services import tenant_template_ensure


class Command(MigrateSchemasCommand):
    help = (
        "Migrate the public schema and every municipality's schema, then the template schema "
        "that new municipalities are cloned from."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        if not options.get("schema_name") and not options.get("shared"):
            tenant_template_ensure(verbosity=options.get("verbosity", 1))
