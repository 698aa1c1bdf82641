"""What needs all schemas in one PostgreSQL database stays behind one function each.

On Citus with schema-based sharding (README, "Über einen Rechner hinaus") each municipality
schema lives on one worker node and the public schema on the coordinator. Code that reads or
writes several schemas in one statement, copies the template, sets `search_path` by hand or walks
the schemas on one connection would have to change there. This test reads the source (AST, no
database) and fails when such code appears anywhere but in the functions listed here, so that a
new place is a conscious decision, recorded in this list and in the README.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("izd", "tenants", "maturity", "costsharing", "roadmap", "config")

# SQL that names a schema through a variable: `{_quote(schema)}.table`, `{schema}.{table}`.
# (`${…}` is an f-string's expression here, `{schema}` the clone's placeholder.)
SCHEMA_QUALIFIED = re.compile(r"\$?\{[^{}]*(schema|template|source|target)[^{}]*\}\.", re.I)

SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|ALTER|CREATE|DROP|LOCK|TRUNCATE|COPY)\b")

# Every function whose SQL names a schema explicitly, and what it reaches.
SCHEMA_QUALIFIED_SQL = {
    "tenants.catalogue._migration_rows": "several schemas in one statement (UNION ALL)",
    "tenants.cloning._copy_statements": "the template and a new schema in one statement",
    "tenants.cloning._fingerprint": "the template",
    "tenants.cloning._read_structure": "the template",
    "tenants.archive._tenant_migrations": "one schema",
    "tenants.archive._lock_tenant_tables": "one schema",
}
# Of those, the ones whose statements need more than one schema at once.
CROSS_SCHEMA_SQL = {"tenants.catalogue._migration_rows", "tenants.cloning._copy_statements"}


@dataclass(frozen=True)
class Function:
    name: str  # module.qualname
    node: ast.FunctionDef | ast.AsyncFunctionDef


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield module, ast.parse(path.read_text(), filename=str(path))


def _functions() -> Iterator[Function]:
    def walk(node: ast.AST, prefix: str) -> Iterator[Function]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}.{child.name}")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield Function(f"{prefix}.{child.name}", child)
                yield from walk(child, f"{prefix}.{child.name}")

    for module, tree in _modules():
        yield from walk(tree, module)


def _own_nodes(function: Function) -> Iterator[ast.AST]:
    """The function's nodes without those of functions nested in it (they count on their own)."""
    stack: list[ast.AST] = list(ast.iter_child_nodes(function.node))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _docstrings(function: Function) -> set[int]:
    body = function.node.body
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        return {id(first.value)}
    return set()


def _texts(function: Function) -> list[str]:
    """String literals and f-strings (their expressions written out), docstrings left out."""
    skip = _docstrings(function)
    texts = []
    inside_fstrings = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.Constant):
                    inside_fstrings.add(id(value))
                    parts.append(str(value.value))
                elif isinstance(value, ast.FormattedValue):
                    parts.append("${" + ast.unparse(value.value) + "}")
            texts.append("".join(parts))
    for node in _own_nodes(function):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip | inside_fstrings
        ):
            texts.append(node.value)
    return texts


def _calls(name: str) -> set[str]:
    """The functions that call `name` (as a plain name or as an attribute)."""
    callers = set()
    for function in _functions():
        for node in _own_nodes(function):
            if isinstance(node, ast.Call):
                called = node.func
                if (isinstance(called, ast.Name) and called.id == name) or (
                    isinstance(called, ast.Attribute) and called.attr == name
                ):
                    callers.add(function.name)
    return callers


def _where(predicate: Callable[[str], object]) -> set[str]:
    return {f.name for f in _functions() if any(predicate(text) for text in _texts(f))}


def _schema_qualified_sql() -> set[str]:
    """Functions that build SQL (a statement keyword) naming a table through a schema."""
    return _where(SCHEMA_QUALIFIED.search) & _where(SQL.search)


def test_only_the_listed_functions_name_a_schema_in_their_sql():
    assert _schema_qualified_sql() == set(SCHEMA_QUALIFIED_SQL)


def test_statements_over_several_schemas_are_the_migration_records_and_the_clone():
    def two_schemas(text: str) -> bool:
        expressions = {m.group(0) for m in SCHEMA_QUALIFIED.finditer(text)}
        return len({e for e in expressions if e.startswith("$")}) > 1

    union = _where(lambda text: bool(re.search(r"\bUNION\b", text)))
    assert union == {"tenants.catalogue._migration_rows"}
    assert _where(two_schemas) | (union & _schema_qualified_sql()) == CROSS_SCHEMA_SQL


def test_only_catalogue_cursor_sets_the_search_path():
    assert _where(lambda text: "search_path" in text.lower()) == {"izd.schemas.catalogue_cursor"}


def test_the_template_is_copied_by_one_function_called_when_a_schema_is_created():
    assert _calls("_copy_statements") == {"tenants.cloning.copy_statements"}
    # Onboarding runs the copy in each new municipality's own transaction (several at once for
    # a list); django-tenants' create_schema reaches the same statements.
    assert _calls("copy_statements") == {
        "tenants.cloning.schema_clone_from_template",
        "tenants.onboarding._write_one",
    }
    assert _calls("schema_clone_from_template") == {"tenants.models.Municipality.create_schema"}
    copying = _where(lambda text: "(LIKE " in text or "SELECT * FROM ${source}" in text)
    assert copying == {"tenants.cloning._copy_statements"}


def test_only_the_migrate_executor_points_a_connection_at_schema_after_schema():
    assert _calls("set_schema") == {"tenants.migration._in_schema"}
    assert _calls("_in_schema") == {
        "tenants.migration.SchemaReplayExecutor._migrate_group",
        "tenants.migration.SchemaReplayExecutor._migrate_one",
    }
