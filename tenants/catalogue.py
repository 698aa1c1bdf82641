"""The catalogue of each municipality schema, compared with the template's.

Every municipality schema must stay identical to the template schema that new municipalities are
cloned from: otherwise a municipality onboarded later gets a different database than the others,
and nothing would notice. `schema_catalogues` reads the system catalogues of any number of
schemas at once, in a handful of queries whatever their number, so that comparing 420 schemas
takes a second or two; the comparison itself is plain Python.

Reading several schemas in one query relies on all of them living in one PostgreSQL database; on
a sharded cluster (Citus with schema-based sharding) `schema_catalogues` is the one function that
would have to ask each node.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from izd.schemas import catalogue_cursor

# The kinds of object compared, with the German word the report uses for each.
KIND_LABELS = {
    "schema": "Schema",
    "table": "Tabelle",
    "column": "Spalte",
    "constraint": "Constraint",
    "index": "Index",
    "sequence": "Sequenz",
    "migration": "Migration",
}

SCHEMA_PLACEHOLDER = "{schema}"


@dataclass(frozen=True)
class Catalogue:
    """One schema's objects: `(kind, name)` → its definition, with the schema's own name
    replaced by `{schema}` so that two schemas compare equal when their contents do."""

    schema: str
    objects: Mapping[tuple[str, str], str]


@dataclass(frozen=True)
class Difference:
    schema: str
    kind: str
    name: str
    expected: str | None  # the template's definition; None: the schema has an extra object
    found: str | None  # the schema's definition; None: the object is missing

    def __str__(self) -> str:
        if self.kind == "schema":
            return f"{self.schema}: das Schema fehlt"
        label = f"{KIND_LABELS.get(self.kind, self.kind)} {self.name}"
        if self.found is None:
            return f"{self.schema}: {label} fehlt (Vorlage: {self.expected})"
        if self.expected is None:
            return f"{self.schema}: {label} ist zusätzlich da ({self.found})"
        return f"{self.schema}: {label} weicht ab (Vorlage: {self.expected}; hier: {self.found})"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _normalise(definition: str | None, schema: str) -> str:
    """Replace the schema's own name where a definition qualifies an object with it."""
    if not definition:
        return ""
    if schema not in definition:  # most columns: nothing to replace, and no regex to run
        return definition
    pattern = rf'(?<![\w"]){re.escape(schema)}\.|{re.escape(_quote(schema))}\.'
    return re.sub(pattern, SCHEMA_PLACEHOLDER + ".", definition)


_RELATIONS = """
    SELECT n.nspname, c.relname, c.relkind, c.relpersistence
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
"""
_COLUMNS = """
    SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
           pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
           CASE WHEN a.attcollation <> t.typcollation THEN col.collname END
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation col ON col.oid = a.attcollation
    WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND a.attnum > 0 AND NOT a.attisdropped
"""
_CONSTRAINTS = """
    SELECT n.nspname, c.relname, con.conname, pg_get_constraintdef(con.oid)
    FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%s)
"""
_INDEXES = """
    SELECT n.nspname, ic.relname, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = ic.relnamespace
    WHERE n.nspname = ANY(%s)
"""
# A sequence's settings and the column that owns it; its current value differs from schema to
# schema by design and is left out.
_SEQUENCES = """
    SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
           s.seqmin, s.seqmax, s.seqcache, s.seqcycle, owner.relname, a.attname, dep.deptype
    FROM pg_sequence s
    JOIN pg_class c ON c.oid = s.seqrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
         AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
    LEFT JOIN pg_class owner ON owner.oid = dep.refobjid
    LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
    WHERE n.nspname = ANY(%s)
"""
_MIGRATIONS_PER_STATEMENT = 200


def schema_catalogues(schemas: Iterable[str]) -> dict[str, Catalogue]:
    """The catalogues of these schemas (a schema that does not exist is left out).

    A fixed number of queries for any number of schemas: the system catalogues are read once
    for all of them, plus one statement per 200 schemas for their `django_migrations` rows.
    """
    names = sorted(set(schemas))
    objects: dict[str, dict[tuple[str, str], str]] = {}
    with catalogue_cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [names])
        for (schema,) in cursor.fetchall():
            objects[schema] = {}
        cursor.execute(_RELATIONS, [names])
        migration_tables: list[str] = []
        for schema, table, kind, persistence in cursor.fetchall():
            objects[schema][("table", table)] = f"relkind={kind} {persistence}"
            if table == "django_migrations" and kind == "r":
                migration_tables.append(schema)
        cursor.execute(_COLUMNS, [names])
        for (
            schema,
            table,
            column,
            type_,
            not_null,
            default,
            identity,
            generated,
            collation,
        ) in cursor.fetchall():
            parts = [type_, "NOT NULL" if not_null else "NULL"]
            if default is not None:
                parts.append(("GENERATED " if generated else "DEFAULT ") + default)
            if identity:
                parts.append("IDENTITY " + {"a": "ALWAYS", "d": "BY DEFAULT"}[identity])
            if collation:
                parts.append(f"COLLATE {collation}")
            definition = _normalise(" ".join(parts), schema)
            objects[schema][("column", f"{table}.{column}")] = definition
        cursor.execute(_CONSTRAINTS, [names])
        for schema, table, name, definition in cursor.fetchall():
            objects[schema][("constraint", f"{table}.{name}")] = _normalise(definition, schema)
        cursor.execute(_INDEXES, [names])
        for schema, name, definition in cursor.fetchall():
            objects[schema][("index", name)] = _normalise(definition, schema)
        cursor.execute(_SEQUENCES, [names])
        for row in cursor.fetchall():
            schema, name, type_, start, increment, minimum, maximum, cache, cycle = row[:9]
            owner, column, dependency = row[9:]
            definition = (
                f"{type_} START {start} INCREMENT {increment} MINVALUE {minimum} "
                f"MAXVALUE {maximum} CACHE {cache}{' CYCLE' if cycle else ''}"
            )
            if owner:
                how = "IDENTITY OF" if dependency == "i" else "OWNED BY"
                definition += f" {how} {owner}.{column}"
            objects[schema][("sequence", name)] = definition
    for schema, applied in _migration_rows(migration_tables).items():
        for app, name in applied:
            objects[schema][("migration", f"{app}.{name}")] = "angewendet"
    return {schema: Catalogue(schema=schema, objects=found) for schema, found in objects.items()}


def _migration_rows(schemas: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The `django_migrations` rows of these schemas (each must have the table)."""
    rows: dict[str, list[tuple[str, str]]] = {schema: [] for schema in schemas}
    with connection.cursor() as cursor:
        for start in range(0, len(schemas), _MIGRATIONS_PER_STATEMENT):
            chunk = schemas[start : start + _MIGRATIONS_PER_STATEMENT]
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, app, name FROM {_quote(schema)}.django_migrations"  # noqa: S608
                    for schema in chunk
                ),
                chunk,
            )
            for schema, app, name in cursor.fetchall():
                rows[schema].append((app, name))
    return rows


def applied_migrations(schemas: Iterable[str]) -> dict[str, set[tuple[str, str]]]:
    """What each schema has recorded as applied, for every schema that has a `django_migrations`
    table; one query per 200 schemas (the migrate executor groups schemas by it)."""
    names = sorted(set(schemas))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY(%s) AND c.relname = 'django_migrations' AND c.relkind = 'r'",
            [names],
        )
        with_table = sorted(row[0] for row in cursor.fetchall())
    return {schema: set(rows) for schema, rows in _migration_rows(with_table).items()}


def catalogue_differences(template: Catalogue, other: Catalogue) -> list[Difference]:
    """What in `other` is missing, extra or different compared with `template`."""
    differences = []
    for key in sorted(template.objects.keys() | other.objects.keys()):
        expected, found = template.objects.get(key), other.objects.get(key)
        if expected != found:
            differences.append(Difference(other.schema, key[0], key[1], expected, found))
    return differences


def municipality_schemas() -> list[str]:
    """Every schema that a municipality's record names (the Kreis lives in public)."""
    from tenants.models import Municipality

    return list(
        Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


def schema_drift(schemas: Iterable[str] | None = None) -> list[Difference]:
    """Every difference between the municipality schemas (or the given ones) and the template.

    A municipality whose schema is missing counts as a difference; so does a missing template
    while there are municipality schemas to compare with it.
    """
    template_name = settings.TENANT_BASE_SCHEMA
    names = municipality_schemas() if schemas is None else sorted(set(schemas))
    if not names:
        return []
    catalogues = schema_catalogues([template_name, *names])
    template = catalogues.get(template_name)
    if template is None:
        return [Difference(template_name, "schema", template_name, "vorhanden", None)]
    differences: list[Difference] = []
    for name in names:
        catalogue = catalogues.get(name)
        if catalogue is None:
            differences.append(Difference(name, "schema", name, "vorhanden", None))
        else:
            differences += catalogue_differences(template, catalogue)
    return differences
