"""`migrate` for hundreds of municipality schemas: Django runs the plan once, the SQL is replayed.

django-tenants' standard executor runs Django's whole `migrate` command in every schema in turn:
the system checks, the migration graph, the project state rendered anew, and the post_migrate
handlers, even when there is nothing to apply (about 0.1 s per schema here, 49 s at 420). This
executor does that work once per set of schemas in the same migration state:

1. One query reads the `django_migrations` rows of every schema (`applied_migrations`), and the
   schemas are grouped by what they have applied; a group whose plan is empty costs nothing more.
2. In the first schema of a group, Django's own MigrationExecutor applies the plan, inside one
   transaction, while the schema editor's statements are recorded migration by migration (the
   router decides there, as everywhere, which operations touch a municipality schema).
3. Every other schema of the group gets, in one transaction of its own: the recorded SQL, with
   `search_path` on that schema; the migrations that are not plain schema changes (RunPython, or
   anything whose SQL may depend on the schema's data or on the moment) applied by Django for
   this schema from the project state computed once; its `django_migrations` rows; and what
   Django's post_migrate handlers would do there: add the missing content types, in their
   order (one statement; handlers of other packages, if any, run in every schema as they are).

A schema is therefore either migrated completely or not touched at all: PostgreSQL's DDL is
transactional, and a killed process leaves its open transaction to be rolled back. The first
schema that fails stops the run and is named (`SchemaMigrationError`); the schemas migrated before
stay migrated, the rest stay as they were, and running `migrate` again finishes the job.

Schemas whose plan is plain SQL are migrated by several connections at once
(`TENANT_MIGRATION_WORKERS`); plans with Python in them go one schema after the other. Inside a
transaction (a test, or `call_command` in an atomic block) everything runs on the one connection,
each schema in a savepoint. What this executor does not speed up goes through django-tenants'
standard executor, schema by schema: rollbacks to an earlier migration, `--fake`,
`--fake-initial`, `--plan`, `--check`, `--prune`, `--run-syncdb`, and migrations that are not
atomic (e.g. `CREATE INDEX CONCURRENTLY`).

It relies on one PostgreSQL database that holds every schema: one statement reads all schemas'
migration records, and any connection can switch to any schema. On a sharded cluster (Citus,
see the README) `applied_migrations` and `_replay` are the places that would have to go per node.

Long because the executor is one unit that is read as a whole: which operations may be replayed,
how the plan is recorded in the first schema, and how the others get it in their transactions.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.apps import apps as global_apps
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations import Migration
from django.db.migrations import operations as migration_operations
from django.db.migrations.executor import MigrationExecutor as DjangoMigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState, ProjectState
from django.db.models.signals import post_migrate
from django_tenants.migration_executors import get_executor as django_tenants_executor
from django_tenants.migration_executors.base import MigrationExecutor, run_migrations

from tenants import parallel
from tenants.catalogue import applied_migrations

MigrationKey = tuple[str, str]

# Options of the migrate command that this executor leaves to django-tenants' standard one.
_STANDARD_ONLY_OPTIONS = ("fake", "fake_initial", "plan", "check_unapplied", "prune", "run_syncdb")


class SchemaMigrationError(CommandError):
    """A schema could not be migrated; its transaction was rolled back."""

    def __init__(self, schema: str, migrations: Sequence[str], error: BaseException) -> None:
        self.schema = schema
        names = ", ".join(migrations)
        super().__init__(
            f"Migration im Schema {schema} fehlgeschlagen ({names}): {error}. Das Schema ist "
            "unverändert; die zuvor migrierten Schemata sind vollständig migriert, die übrigen "
            "unberührt. Nach der Korrektur `manage.py migrate` erneut ausführen."
        )


@dataclass
class _Step:
    """One migration of the plan: its SQL as run in the first schema, or None when it must be
    applied by Django in every schema (then from `state_before`)."""

    migration: Migration
    sql: list[str] | None
    state_before: ProjectState | None = None


@dataclass
class _Plan:
    """What the other schemas of a group get, worked out in its first schema."""

    steps: list[_Step]
    recorded: list[MigrationKey]
    post_migrate_apps: Any
    django_plan: list[tuple[Migration, bool]]
    # Plain SQL from start to end: may run in parallel, in one round trip per schema.
    scripts: list[str | _Step] = field(default_factory=list)
    # The content types Django's post_migrate handlers make sure of, in their order; None when
    # other handlers are connected, which then run in every schema.
    content_types: list[tuple[str, str]] | None = None

    @property
    def names(self) -> list[str]:
        return [f"{step.migration.app_label}.{step.migration.name}" for step in self.steps]

    @property
    def plain_sql(self) -> bool:
        return all(isinstance(part, str) for part in self.scripts)


def _replayable(operation: Any) -> bool:
    """Whether an operation's SQL, recorded in one schema, is right for every other schema.

    Django's own schema operations are: their SQL depends on the schema's structure only, which
    is the same in every schema (check_schemas). Not so RunPython (it reads and writes the
    schema's data), operations of other packages (e.g. RenameContentType, which the
    contenttypes app inserts), and fields whose default is computed in Python for the existing
    rows (`uuid4`, `now`): Django computes it once per schema.
    """
    if isinstance(operation, migration_operations.RunPython):
        return False
    if isinstance(operation, migration_operations.SeparateDatabaseAndState):
        return all(_replayable(inner) for inner in operation.database_operations)
    if (
        isinstance(operation, migration_operations.AddField | migration_operations.AlterField)
        and operation.field.has_default()
        and callable(operation.field.default)
    ):
        return False
    return type(operation).__module__.startswith("django.db.migrations.operations.")


class _RecordingRecorder(MigrationRecorder):
    """Django's recorder, keeping a list of what it records as applied."""

    def __init__(self, connection: Any) -> None:
        super().__init__(connection)
        self.recorded: list[MigrationKey] = []

    def record_applied(self, app: str, name: str) -> None:
        self.recorded.append((app, name))
        super().record_applied(app, name)


class _CapturingExecutor(DjangoMigrationExecutor):
    """Django's executor that keeps, migration by migration, the SQL its schema editor ran."""

    def __init__(self, connection: Any) -> None:
        super().__init__(connection)
        self.recorder: _RecordingRecorder = _RecordingRecorder(connection)
        self.steps: list[_Step] = []

    def apply_migration(
        self,
        state: ProjectState,
        migration: Migration,
        fake: bool = False,
        fake_initial: bool = False,
    ) -> ProjectState:
        replayable = all(_replayable(operation) for operation in migration.operations)
        step = _Step(migration=migration, sql=[] if replayable else None)
        if not replayable:
            # Rendered once, up to date: each schema then gets a cheap copy instead of
            # rendering every model again (RunPython re-renders a delayed state).
            step.state_before = state.clone()
            step.state_before.clear_delayed_apps_cache()
            step.state_before.apps  # noqa: B018 - renders them
            step.state_before.is_delayed = False
        self.steps.append(step)
        with _capturing_schema_editor(self.connection, step.sql):
            return cast(ProjectState, super().apply_migration(state, migration, fake, fake_initial))


@contextlib.contextmanager
def _capturing_schema_editor(connection: Any, captured: list[str] | None) -> Iterator[None]:
    if captured is None:
        yield
        return
    base = connection.SchemaEditorClass
    sink: list[str] = captured

    class CapturingSchemaEditor(base):  # type: ignore[misc, valid-type]
        def execute(self, sql: Any, params: Any = ()) -> Any:
            # What reaches the server: PostgreSQL's schema editor merges parameters client-side.
            if not self.collect_sql:
                text = str(sql)
                if params is not None:
                    text = self.connection.ops.compose_sql(text, params)
                sink.append(text)
            return super().execute(sql, params)

    connection.SchemaEditorClass = CapturingSchemaEditor
    try:
        yield
    finally:
        del connection.SchemaEditorClass


def _post_migrate_apps(state: ProjectState) -> Any:
    """The apps the post_migrate handlers get, rendered as Django's `migrate` renders them."""
    state.clear_delayed_apps_cache()
    post_apps = state.apps
    with post_apps.bulk_update():
        keys = []
        for model_state in post_apps.real_models:
            key = model_state.app_label, model_state.name_lower
            keys.append(key)
            post_apps.unregister_model(*key)
    post_apps.render_multiple([ModelState.from_model(global_apps.get_model(*key)) for key in keys])
    return post_apps


# Django's own post_migrate handlers. In a municipality schema they only add the content types
# that are missing (auth's permissions live in the public schema only); that is one statement.
_DJANGO_POST_MIGRATE = {
    "django.contrib.contenttypes.management.create_contenttypes",
    "django.contrib.auth.management.create_permissions",
}


def _post_migrate_handlers() -> set[str]:
    names = set()
    for entry in post_migrate.receivers:
        reference = entry[1]
        handler = reference() if isinstance(reference, weakref.ReferenceType) else reference
        if handler is not None:
            names.add(f"{handler.__module__}.{handler.__qualname__}")
    return names


def _content_types(alias: str, post_apps: Any) -> list[tuple[str, str]] | None:
    """What create_contenttypes ensures in this schema, app by app in the order it goes, or
    None when other post_migrate handlers must run as they are."""
    if not _post_migrate_handlers() <= _DJANGO_POST_MIGRATE:
        return None
    content_type = post_apps.get_model("contenttypes", "ContentType")
    if not router.allow_migrate_model(alias, content_type):
        return []
    wanted = []
    for app_config in global_apps.get_app_configs():
        if app_config.models_module is None:
            continue
        try:
            state_config = post_apps.get_app_config(app_config.label)
        except LookupError:
            continue
        wanted += [
            (app_config.label, model._meta.model_name) for model in state_config.get_models()
        ]
    return wanted


def _content_types_sql(connection: Any, wanted: list[tuple[str, str]]) -> str:
    """Adds the missing ones in create_contenttypes' order, so that their ids come out as
    Django's would."""
    values = ", ".join(
        connection.ops.compose_sql("(%s, %s, %s)", [app, model, n])
        for n, (app, model) in enumerate(wanted)
    )
    # The values are quoted by the driver (compose_sql).
    return (
        "INSERT INTO django_content_type (app_label, model) SELECT v.app_label, v.model "  # noqa: S608
        f"FROM (VALUES {values}) AS v(app_label, model, n) WHERE NOT EXISTS ("
        "SELECT 1 FROM django_content_type c WHERE c.app_label = v.app_label "
        "AND c.model = v.model) ORDER BY v.n"
    )


@contextlib.contextmanager
def _in_schema(connection: Any, schema: str) -> Iterator[None]:
    """The connection on one municipality schema (search_path: it, then public), and back."""
    connection.set_schema(schema)
    try:
        yield
    finally:
        connection.set_schema_to_public()


def _targets(loader: Any, app_label: str | None, migration_name: str | None) -> list[MigrationKey]:
    leaves = loader.graph.leaf_nodes()
    if not app_label:
        return list(leaves)
    if not migration_name:
        return [key for key in leaves if key[0] == app_label]
    migration = loader.get_migration_by_prefix(app_label, migration_name)
    return [(app_label, migration.name)]


class SchemaReplayExecutor(MigrationExecutor):
    """django-tenants' executor interface (`TENANT_MIGRATION_EXECUTOR`-style plug-in through
    GET_EXECUTOR_FUNCTION); see the module's docstring."""

    codename = "replay"

    def __init__(self, args: Sequence[str], options: dict[str, Any]) -> None:
        super().__init__(args, options)
        self.alias: str = options.get("database") or DEFAULT_DB_ALIAS
        self.verbosity = int(options.get("verbosity", 1))

    # --- django-tenants' interface ------------------------------------------------------------

    def run_migrations(self, tenants: Sequence[str] | None = None) -> None:
        schemas = list(tenants or [])
        if self.PUBLIC_SCHEMA_NAME in schemas:
            run_migrations(self.args, self.options, self.codename, self.PUBLIC_SCHEMA_NAME)
            schemas.remove(self.PUBLIC_SCHEMA_NAME)
        if schemas:
            self.migrate_schemas(schemas)

    def run_multi_type_migrations(self, tenants: Any) -> None:
        raise NotImplementedError("The portal has one type of tenant.")

    # --- the work -----------------------------------------------------------------------------

    def _standard(self, schemas: Sequence[str]) -> None:
        for index, schema in enumerate(schemas):
            run_migrations(
                self.args, self.options, "standard", schema, idx=index, count=len(schemas)
            )

    def _say(self, message: str) -> None:
        if self.verbosity >= 1:
            print(message, flush=True)

    def migrate_schemas(self, schemas: Sequence[str]) -> None:
        if any(self.options.get(option) for option in _STANDARD_ONLY_OPTIONS):
            self._standard(schemas)
            return
        app_label = self.args[0] if self.args else self.options.get("app_label")
        migration_name = self.args[1] if len(self.args) > 1 else self.options.get("migration_name")
        applied = applied_migrations(schemas)
        groups: dict[frozenset[MigrationKey], list[str]] = {}
        without_records = []
        for schema in schemas:
            if schema in applied:
                groups.setdefault(frozenset(applied[schema]), []).append(schema)
            else:
                without_records.append(schema)  # the standard path creates django_migrations
        if without_records:
            self._standard(without_records)
        for members in groups.values():
            self._migrate_group(members, app_label, migration_name)

    def _migrate_group(
        self, schemas: list[str], app_label: str | None, migration_name: str | None
    ) -> None:
        connection = connections[self.alias]
        reference = schemas[0]
        plan: _Plan | None = None
        standard = False
        with _in_schema(connection, reference):
            executor = _CapturingExecutor(connection)
            executor.loader.check_consistent_history(connection)
            try:
                targets = _targets(executor.loader, app_label, migration_name)
            except (KeyError, LookupError):
                targets = []
                standard = True  # django-tenants' executor explains the unknown app or migration
            if executor.loader.detect_conflicts() or migration_name == "zero":
                standard = True
            django_plan = [] if standard else executor.migration_plan(targets)
            if any(backwards for _m, backwards in django_plan) or not all(
                migration.atomic for migration, _b in django_plan
            ):
                standard = True
            elif django_plan:
                plan = self._run_in_reference(connection, executor, django_plan, targets, reference)
        if standard:
            self._standard(schemas)
            return
        if plan is None:
            self._say(f"{len(schemas)} Schema(s): keine Migration anzuwenden.")
            return
        if len(schemas) > 1:
            self._say(
                f"{reference}: {', '.join(plan.names)} angewendet; "
                f"{len(schemas) - 1} weitere Schema(s) folgen."
            )
        self._replay(plan, schemas[1:])
        self._say(f"{len(schemas)} Schema(s) migriert: {', '.join(plan.names)}.")

    def _run_in_reference(
        self,
        connection: Any,
        executor: _CapturingExecutor,
        django_plan: list[tuple[Migration, bool]],
        targets: list[MigrationKey],
        reference: str,
    ) -> _Plan:
        pre_state = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
        emit_pre_migrate_signal(0, False, self.alias, apps=pre_state.apps, plan=django_plan)
        try:
            with transaction.atomic(using=self.alias):
                state = executor.migrate(
                    targets, plan=django_plan, state=pre_state.clone(), fake=False
                )
                post_apps = _post_migrate_apps(state)
                emit_post_migrate_signal(0, False, self.alias, apps=post_apps, plan=django_plan)
                content_types = _content_types(self.alias, post_apps)
        except Exception as error:
            names = [f"{m.app_label}.{m.name}" for m, _b in django_plan]
            raise SchemaMigrationError(reference, names, error) from error
        plan = _Plan(
            steps=executor.steps,
            recorded=executor.recorder.recorded,
            post_migrate_apps=post_apps,
            django_plan=django_plan,
            content_types=content_types,
        )
        plan.scripts = self._scripts(connection, plan)
        return plan

    @staticmethod
    def _scripts(connection: Any, plan: _Plan) -> list[str | _Step]:
        """The work for one schema: runs of SQL joined into one script each, Python steps
        between them, the migration records at the end of the last script."""
        parts: list[str | _Step] = []
        pending: list[str] = []
        for step in plan.steps:
            if step.sql is None:
                if pending:
                    parts.append(";\n".join(pending))
                    pending = []
                parts.append(step)
            else:
                pending += step.sql
        if plan.recorded:
            values = ", ".join(
                connection.ops.compose_sql("(%s, %s, now())", [app, name])
                for app, name in plan.recorded
            )
            # Values quoted by the driver (compose_sql); the table is Django's.
            pending.append(f"INSERT INTO django_migrations (app, name, applied) VALUES {values}")  # noqa: S608
        if plan.content_types:
            pending.append(_content_types_sql(connection, plan.content_types))
        if pending:
            parts.append(";\n".join(pending))
        return parts

    def _migrate_one(self, connection: Any, schema: str, plan: _Plan) -> None:
        """One schema, in one transaction (a savepoint inside an outer one)."""
        try:
            with _in_schema(connection, schema), transaction.atomic(using=connection.alias):
                for part in plan.scripts:
                    if isinstance(part, str):
                        with connection.cursor() as cursor:
                            cursor.execute(part)
                    else:
                        assert part.state_before is not None
                        state = part.state_before.clone()
                        with connection.schema_editor(atomic=True) as editor:
                            part.migration.apply(state, editor)
                if plan.content_types is None:
                    emit_post_migrate_signal(
                        0,
                        False,
                        connection.alias,
                        apps=plan.post_migrate_apps,
                        plan=plan.django_plan,
                    )
        except Exception as error:
            raise SchemaMigrationError(schema, plan.names, error) from error

    def _workers(self, plan: _Plan, count: int) -> int:
        if not plan.plain_sql:
            return 1
        wanted = int(getattr(settings, "TENANT_MIGRATION_WORKERS", 2))
        return parallel.workers_for(wanted, count, self.alias)

    def _replay(self, plan: _Plan, schemas: Sequence[str]) -> None:
        workers = self._workers(plan, len(schemas))
        if workers == 1:
            connection = connections[self.alias]
            for schema in schemas:
                self._migrate_one(connection, schema, plan)
            return
        parallel.on_connections(
            schemas,
            lambda connection, schema: self._migrate_one(connection, schema, plan),
            workers=workers,
            alias=self.alias,
        )


def executor_for(codename: str | None = None) -> type[MigrationExecutor]:
    """GET_EXECUTOR_FUNCTION: ours unless `--executor` (or $EXECUTOR) names django-tenants' own."""
    import os

    codename = codename or os.environ.get("EXECUTOR") or SchemaReplayExecutor.codename
    if codename == SchemaReplayExecutor.codename:
        return SchemaReplayExecutor
    return cast(type[MigrationExecutor], django_tenants_executor(codename))
