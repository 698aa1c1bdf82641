from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

from tenants.services import tenant_template_ensure

# The options that decide what the migrate command does to a schema; the template schema gets
# the same ones as every municipality schema.
_TEMPLATE_OPTIONS = ("fake", "fake_initial", "plan", "prune", "run_syncdb", "check_unapplied")


class Command(MigrateSchemasCommand):
    help = (
        "Migrate the public schema and every municipality's schema, then the template schema "
        "that new municipalities are cloned from, to the same state; then check that every "
        "municipality schema is identical to the template (see check_schemas)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--skip-schema-check",
            action="store_true",
            help="Do not compare the municipality schemas with the template afterwards.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        verbosity = options.get("verbosity", 1)
        if not options.get("schema_name") and not options.get("shared"):
            tenant_template_ensure(
                app_label=options.get("app_label"),
                migration_name=options.get("migration_name"),
                verbosity=verbosity,
                **{name: options[name] for name in _TEMPLATE_OPTIONS if options.get(name)},
            )
        if not options.get("skip_schema_check") and not options.get("plan"):
            # Raises CommandError (exit status 1) and names every difference.
            call_command("check_schemas", verbosity=verbosity)
