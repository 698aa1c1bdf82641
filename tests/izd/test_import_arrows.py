"""The import arrows, read from the code: every import of every module, also those inside a
function or under TYPE_CHECKING (a lazy import is still a dependency).

    config  → every app (the composition root; nothing imports it)
    roadmap → maturity, costsharing, tenants, izd   (roadmap.papers, roadmap.practices included)
    maturity → tenants → izd
    costsharing → tenants → izd
    izd     → no app

Where a lower app needs something of a higher one, the higher one registers it in the lower
one's registry (tenants.navigation, tenants.start_panels, izd.documents, …) in its
AppConfig.ready(). Migrations are checked too. Only tests/ and manage.py stand outside: the
tests exercise every layer, and manage.py imports Django only.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "roadmap", "maturity", "costsharing", "tenants", "izd")
ALLOWED: dict[str, frozenset[str]] = {
    "config": frozenset(APPS),
    "roadmap": frozenset({"maturity", "costsharing", "tenants", "izd"}),
    "maturity": frozenset({"tenants", "izd"}),
    "costsharing": frozenset({"tenants", "izd"}),
    "tenants": frozenset({"izd"}),
    "izd": frozenset(),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    return _imports_in(path.read_text(encoding="utf-8"), package)


def _imports_in(source: str, package: list[str]) -> Iterator[tuple[int, str]]:
    """(line, imported module) of every import in the source, relative ones resolved against
    the package the source lies in."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module


def _app_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in APPS else None


def _edges() -> list[tuple[str, str, str]]:
    """(importing app, imported app, where) for every import that crosses an app boundary."""
    edges = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            for line, module in _imports(path):
                target = _app_of(module)
                if target is not None and target != app:
                    where = f"{path.relative_to(ROOT)}:{line} imports {module}"
                    edges.append((app, target, where))
    return edges


def test_every_app_imports_only_the_apps_below_it():
    upward = [where for app, target, where in _edges() if target not in ALLOWED[app]]
    assert upward == []


def test_no_app_imports_the_tests():
    # Test-only code lives in tests/; an app that needed it would ship the tests' builders.
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        for line, module in _imports(path)
        if module.split(".")[0] == "tests"
    ]
    assert found == []


def test_only_the_composition_root_imports_every_app():
    reached: dict[str, set[str]] = {app: set() for app in APPS}
    for app, target, _where in _edges():
        reached[app].add(target)
    assert reached["config"] == set(APPS) - {"config"}
    assert [app for app in APPS if app != "config" and reached[app] >= set(APPS) - {app}] == []


def test_the_arrows_are_what_the_layers_allow():
    """Every allowed arrow is in use: the README's drawing stays true, and a reader that found
    no imports at all could not let the tests above pass."""
    reached = {(app, target) for app, target, _where in _edges()}
    drawn = {(app, target) for app, targets in ALLOWED.items() for target in targets}
    drawn -= {("config", "config")}
    assert drawn - reached == set()


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from tenants.access import get_access\n", "tenants.access"),
        ("def f():\n    import roadmap.views\n", "roadmap.views"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import maturity\n", "maturity"),
        ("from .. import models\n", "izd"),
        ("from ..health import views\n", "izd.health"),
        ("from . import heartbeat\n", "izd.health"),
    ],
)
def test_the_reader_sees_lazy_and_relative_imports(source: str, found: str):
    # As if the source were a module of the package izd.health.
    assert found in [module for _line, module in _imports_in(source, ["izd", "health"])]
