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


# Models every app builds on: the tenant with its people and roles (tenants), and the shared
# documents and legal pages (izd). Other apps' models point at them with foreign keys and their
# access checks name the roles, as Django apps do with auth's User.
GROUND_FLOOR_MODELS = ("tenants", "izd")

# Modules that still read another app's models, each with the reason it may for now.
FOREIGN_MODELS_ALLOWED: dict[str, str] = {
    "roadmap/papers/selectors.py": (
        "maturity_summary reads one Participation; the module is being reworked in a parallel "
        "change, after which it asks maturity.selectors.participation_get instead"
    ),
}


def _models_module(module: str) -> bool:
    return "models" in module.split(".")


def _typing_only_lines(source: str) -> set[int]:
    """Lines of imports under `if TYPE_CHECKING:`: naming a type in an annotation reads no
    table (the arrows above count them all the same)."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for inner in node.body:
                lines.update(n.lineno for n in ast.walk(inner) if hasattr(n, "lineno"))
    return lines


def _foreign_model_reads_in(source: str, package: list[str]) -> list[tuple[int, str]]:
    """(line, module) of every import of another app's models, outside TYPE_CHECKING."""
    app = package[0]
    typing_only = _typing_only_lines(source)
    return [
        (line, module)
        for line, module in _imports_in(source, package)
        if _app_of(module) not in (None, app, *GROUND_FLOOR_MODELS)
        and _models_module(module)
        and line not in typing_only
    ]


def _foreign_model_reads(path: Path) -> list[tuple[int, str]]:
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    return _foreign_model_reads_in(path.read_text(encoding="utf-8"), package)


def test_no_app_reads_another_apps_models():
    """HackSoft's rule: across apps, only selectors (reads) and services (writes). An app's
    migrations point at others' tables by name; they are the one place that may. config, the
    composition root, has no models business of its own."""
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for app in APPS
        if app != "config"
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        and str(path.relative_to(ROOT)) not in FOREIGN_MODELS_ALLOWED
        for line, module in _foreign_model_reads(path)
    ]
    assert found == []


def test_the_allowed_foreign_model_reads_are_still_there():
    # An entry that is no longer needed goes, so that the list does not hide a new read.
    for where in FOREIGN_MODELS_ALLOWED:
        path = ROOT / where
        assert path.exists(), where
        assert _foreign_model_reads(path), (
            f"{where} reads no other app's models any more: remove it from the list"
        )


def test_the_model_rule_sees_a_lazy_read_and_lets_an_annotation_pass():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from maturity.models import Campaign\n"
        "def f():\n"
        "    from costsharing.models import BudgetYear\n"
        "from tenants.models import Municipality\n"
        "from roadmap.papers.models import Paper\n"
        "from ..municipal import models\n"
    )
    # As if the source were a module of the package roadmap.papers.
    assert _foreign_model_reads_in(source, ["roadmap", "papers"]) == [(5, "costsharing.models")]
    assert _foreign_model_reads_in(source, ["costsharing", "views"]) == [
        (7, "roadmap.papers.models")
    ]


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
