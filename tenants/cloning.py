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

from izd.schemas import catalogue_cursor


@dataclass(frozen=True)
class TemplateStructure:
    """The template schema as statements with `{schema}` where the schema name goes."""

    fingerprint: tuple[int, int]
    # In creation order: a table follows the tables its foreign keys point to.
    tables: tuple[str, ...]
    # Per table (same order), its constraints as written inside CREATE TABLE. A constraint in
    # CREATE TABLE costs PostgreSQL far less than ALTER TABLE ... ADD CONSTRAINT afterwards,
    # which checks the existing rows (for a foreign key with a query planned for it).
    inline_constraints: tuple[tuple[str, ...], ...]
    # Foreign keys that cannot be written inline (tables pointing at each other in a cycle, or a
    # key that points at a plain unique index): added when the tables and indexes exist.
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
            "SELECT count(*), coalesce(max(id), 0), (SELECT count(*) FROM pg_catalog.pg_class "
            f"WHERE relnamespace = %s::regnamespace) FROM {_quote(template)}.django_migrations",
            [template],
        )
        row = cursor.fetchone()
    assert row is not None
    return (int(row[1]) * 100_000 + int(row[0]), int(row[2]))


def _placeholder(definition: str, template: str) -> str:
    """Put `{schema}` where a definition names the template schema."""
    escaped = definition.replace("{", "{{").replace("}", "}}")
    return re.sub(
        rf'(?<![\w"]){re.escape(template)}\.|"{re.escape(template)}"\.', "{schema}.", escaped
    )


def _creation_order(
    tables: list[str], references: dict[str, set[str]]
) -> tuple[list[str], set[tuple[str, str]]]:
    """The tables in an order in which each comes after the tables it references, and the
    references `(table, referenced)` that a cycle leaves pointing at a table created later."""
    order: list[str] = []
    created: set[str] = set()
    remaining = sorted(tables)
    late: set[tuple[str, str]] = set()
    while remaining:
        ready = [t for t in remaining if references.get(t, set()) <= created | {t}]
        if not ready:
            # Every table left waits for another: follow the references to a table in a cycle;
            # it goes now, and its keys to the tables not yet created come later.
            table, seen = remaining[0], []
            while table not in seen:
                seen.append(table)
                table = min(references.get(table, set()) - created - {table})
            late |= {(table, r) for r in references.get(table, set()) - created - {table}}
            ready = [table]
        for table in ready:
            order.append(table)
            created.add(table)
        remaining = [t for t in remaining if t not in created]
    return order, late


def _read_structure(template: str) -> TemplateStructure:
    with catalogue_cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = %s::regnamespace "
            "AND c.relkind = 'r' ORDER BY c.relname",
            [template],
        )
        tables = [row[0] for row in cursor.fetchall()]
        # For a foreign key: the template table it points to, and whether the key it uses is a
        # constraint's index (created inline with that table) rather than a plain unique index.
        cursor.execute(
            "SELECT c.relname, con.conname, pg_get_constraintdef(con.oid), con.contype, "
            "CASE WHEN ref.relnamespace = c.relnamespace THEN ref.relname END, "
            "con.contype <> 'f' OR EXISTS (SELECT 1 FROM pg_constraint k "
            "WHERE k.conindid = con.conindid AND k.conrelid = con.confrelid "
            "AND k.contype IN ('p', 'u', 'x')) "
            "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
            "LEFT JOIN pg_class ref ON ref.oid = con.confrelid "
            "WHERE c.relnamespace = %s::regnamespace AND con.contype IN ('p','u','c','x','f') "
            "ORDER BY con.contype = 'f', c.relname, con.conname",
            [template],
        )
        found = cursor.fetchall()
        references: dict[str, set[str]] = {}
        for table, _name, _definition, _kind, referenced, _inline in found:
            if referenced is not None:
                references.setdefault(table, set()).add(referenced)
        order, cyclic = _creation_order(tables, references)
        inline: dict[str, list[str]] = {table: [] for table in tables}
        constraints = []
        for table, name, definition, _kind, referenced, by_constraint in found:
            text = f"CONSTRAINT {_quote(name)} " + _placeholder(definition, template)
            if by_constraint and (table, referenced) not in cyclic:
                inline[table].append(text)
            else:
                constraints.append(f"ALTER TABLE {{schema}}.{_quote(table)} ADD {text}")
        # The indexes that no constraint of their table owns (a foreign key names the unique
        # index it points at in conindid too, without owning it).
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid "
            "WHERE c.relnamespace = %s::regnamespace AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid "
            "AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')) "
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
        for table in order:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_quote(template)}.{_quote(table)})")
            row = cursor.fetchone()
            if row is not None and row[0]:
                filled.append(table)
    return TemplateStructure(
        fingerprint=_fingerprint(template),
        tables=tuple(order),
        inline_constraints=tuple(tuple(inline[table]) for table in order),
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
        f"CREATE TABLE {schema}.{_quote(t)} (LIKE {source}.{_quote(t)} {like}"
        + "".join(", " + c.format(schema=schema) for c in inline)
        + ")"
        for t, inline in zip(structure.tables, structure.inline_constraints, strict=True)
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
    statements += [i.format(schema=schema) for i in structure.indexes]
    statements += [c.format(schema=schema) for c in structure.constraints]
    return statements


def copy_statements(structure: TemplateStructure, target: str) -> list[str]:
    """The statements that make schema `target` a copy of the template (run them in one
    transaction)."""
    return _copy_statements(structure, settings.TENANT_BASE_SCHEMA, target)


def _schemas_present(template: str, schema_name: str) -> tuple[bool, bool]:
    """Whether the template exists, and whether a schema of this name exists ignoring case
    (django-tenants treats names differing only in case as one), in one catalogue read."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(bool_or(nspname = %s), false), "
            "coalesce(bool_or(lower(nspname) = lower(%s)), false) FROM pg_catalog.pg_namespace "
            "WHERE nspname = %s OR lower(nspname) = lower(%s)",
            [template, schema_name, template, schema_name],
        )
        row = cursor.fetchone()
    assert row is not None
    return bool(row[0]), bool(row[1])


def schema_clone_from_template(schema_name: str) -> None:
    template = settings.TENANT_BASE_SCHEMA
    template_present, name_taken = _schemas_present(template, schema_name)
    if not template_present:
        raise ValidationError(
            f"Das Vorlagen-Schema {template} fehlt; bitte zuerst `manage.py migrate` ausführen."
        )
    if name_taken:
        raise ValidationError(f"Das Schema {schema_name} gibt es schon.")
    statements = copy_statements(template_structure(), schema_name)
    # One round trip: PostgreSQL runs the statements one after the other in this transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(";\n".join(statements))
