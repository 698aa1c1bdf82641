"""New municipality schemas as copies of the migrated template schema.

django-tenants clones with a large PL/pgSQL function that reads `information_schema`; those views
grow with every schema in the database, so each clone gets slower than the last (seen here: a
quarter of a second for the 50th municipality, close to a minute for the 225th). Instead, the
template's structure is read once from the system catalogues and replayed as plain DDL for every
new schema: tables (columns, defaults, identity), constraints and indexes under the template's own
names, so later migrations find what they expect, and the rows of its tables (the migration
records). The cost of one copy then no longer depends on how many municipalities there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_tenants.utils import schema_exists

from izd.schemas import catalogue_cursor


@dataclass(frozen=True)
class TemplateStructure:
    """The template schema as statements with `{schema}` where the schema name goes."""

    fingerprint: tuple[int, int]
    tables: tuple[str, ...]
    constraints: tuple[str, ...]
    indexes: tuple[str, ...]
    filled_tables: tuple[str, ...]
    identities: tuple[tuple[str, str], ...]
    # Identity sequences that are not bigint: `LIKE ... INCLUDING IDENTITY` makes every new one
    # bigint (keeping the old maximum), so these are set back to the template's type.
    sequence_types: tuple[tuple[str, str], ...] = ()


_cached: TemplateStructure | None = None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fingerprint(template: str) -> tuple[int, int]:
    # Changes whenever a migration is applied to the template (or its tables change).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), coalesce(max(id), 0) FROM {_quote(template)}.django_migrations"
        )
        migrations = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace = %s::regnamespace", [template]
        )
        relations = cursor.fetchone()
    assert migrations is not None and relations is not None
    return (int(migrations[1]) * 100_000 + int(migrations[0]), int(relations[0]))


def _placeholder(definition: str, template: str) -> str:
    """Put `{schema}` where a definition names the template schema."""
    escaped = definition.replace("{", "{{").replace("}", "}}")
    return re.sub(
        rf'(?<![\w"]){re.escape(template)}\.|"{re.escape(template)}"\.', "{schema}.", escaped
    )


def _read_structure(template: str) -> TemplateStructure:
    with catalogue_cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = %s::regnamespace "
            "AND c.relkind = 'r' ORDER BY c.relname",
            [template],
        )
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname, con.conname, pg_get_constraintdef(con.oid), con.contype "
            "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
            "WHERE c.relnamespace = %s::regnamespace AND con.contype IN ('p','u','c','x','f') "
            "ORDER BY con.contype = 'f', c.relname, con.conname",
            [template],
        )
        constraints = [
            f"ALTER TABLE {{schema}}.{_quote(table)} ADD CONSTRAINT {_quote(name)} "
            + _placeholder(definition, template)
            for table, name, definition, _kind in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid "
            "WHERE c.relnamespace = %s::regnamespace AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid) "
            "ORDER BY 1",
            [template],
        )
        indexes = [_placeholder(row[0], template) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname, a.attname FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = %s::regnamespace "
            "AND a.attidentity <> '' AND NOT a.attisdropped",
            [template],
        )
        identities = tuple((row[0], row[1]) for row in cursor.fetchall())
        cursor.execute(
            "SELECT c.relname, format_type(s.seqtypid, NULL) FROM pg_sequence s "
            "JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = %s::regnamespace "
            "AND s.seqtypid <> 'bigint'::regtype ORDER BY 1",
            [template],
        )
        sequence_types = tuple((row[0], row[1]) for row in cursor.fetchall())
        filled = []
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_quote(template)}.{_quote(table)})")
            row = cursor.fetchone()
            if row is not None and row[0]:
                filled.append(table)
    return TemplateStructure(
        fingerprint=_fingerprint(template),
        tables=tuple(tables),
        constraints=tuple(constraints),
        indexes=tuple(indexes),
        filled_tables=tuple(filled),
        identities=identities,
        sequence_types=sequence_types,
    )


def template_structure() -> TemplateStructure:
    """The template's structure, read again only when a migration has changed it."""
    global _cached
    template = settings.TENANT_BASE_SCHEMA
    if _cached is None or _cached.fingerprint != _fingerprint(template):
        _cached = _read_structure(template)
    return _cached


def _copy_statements(structure: TemplateStructure, template: str, target: str) -> list[str]:
    source, schema = _quote(template), _quote(target)
    like = "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE"
    statements = [f"CREATE SCHEMA {schema}"]
    statements += [
        f"CREATE TABLE {schema}.{_quote(t)} (LIKE {source}.{_quote(t)} {like})"
        for t in structure.tables
    ]
    statements += [
        f"ALTER SEQUENCE {schema}.{_quote(sequence)} AS {type_}"
        for sequence, type_ in structure.sequence_types
    ]
    statements += [
        f"INSERT INTO {schema}.{_quote(t)} SELECT * FROM {source}.{_quote(t)}"
        for t in structure.filled_tables
    ]
    statements += [
        f"SELECT setval(pg_get_serial_sequence('{schema}.{_quote(t)}', '{column}'), "
        f"coalesce((SELECT max({_quote(column)}) FROM {schema}.{_quote(t)}), 0) + 1, false)"
        for t, column in structure.identities
        if t in structure.filled_tables
    ]
    statements += [c.format(schema=schema) for c in structure.constraints]
    statements += [i.format(schema=schema) for i in structure.indexes]
    return statements


def schema_clone_from_template(schema_name: str) -> None:
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        raise ValidationError(
            f"Das Vorlagen-Schema {template} fehlt; bitte zuerst `manage.py migrate` ausführen."
        )
    if schema_exists(schema_name, case_sensitive=False):
        raise ValidationError(f"Das Schema {schema_name} gibt es schon.")
    statements = _copy_statements(template_structure(), template, schema_name)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(";\n".join(statements))
