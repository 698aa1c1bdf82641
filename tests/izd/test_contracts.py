"""The contracts between apps are typed values, read from the code.

Every function of an app's `selectors.py` that another app uses (imported by name, or called as
an attribute of the imported module) must say what it returns, and that must not be a record
in disguise: no `Any` or `object`, no bare `dict`, no dict keyed by text (`dict[str, …]`, a
template dict) and no `TypedDict`. Renaming a key of such a dict would break the other app
without mypy noticing. Frozen dataclasses, named tuples, querysets, plain values and lookup
tables by id (`dict[int, str]`) are fine.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "roadmap", "maturity", "costsharing", "tenants", "izd")
OPAQUE = frozenset({"Any", "object", "TypedDict"})  # TypedDict: still a dict of text keys
MAPPINGS = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})


@dataclass(frozen=True)
class Use:
    selectors: str  # the module, e.g. "costsharing.selectors"
    name: str
    where: str


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app(module: str) -> str:
    """The app a module belongs to: the innermost package with an apps.py (roadmap.papers is an
    app of its own, so is costsharing.municipal)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if (ROOT.joinpath(*parts[:end]) / "apps.py").exists():
            return ".".join(parts[:end])
    return parts[0]


def _sources() -> Iterator[Path]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _selector_modules() -> set[str]:
    return {_module(path) for path in _sources() if path.name == "selectors.py"}


def _uses(source: str, module: str, selector_modules: set[str]) -> Iterator[Use]:
    """The selector functions that `module` (its source) uses, of any app."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # local name → selectors module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if node.module in selector_modules:
                    yield Use(node.module, alias.name, f"{module}:{node.lineno}")
                elif f"{node.module}.{alias.name}" in selector_modules:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in selector_modules and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            target = _dotted(node.value)
            found = aliases.get(target) or (target if target in selector_modules else None)
            if found is not None:
                yield Use(found, node.attr, f"{module}:{node.lineno}")


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _cross_app_uses() -> list[Use]:
    selector_modules = _selector_modules()
    uses = []
    for path in _sources():
        module = _module(path)
        app = _app(module)
        for use in _uses(path.read_text(encoding="utf-8"), module, selector_modules):
            if _app(use.selectors) != app:
                uses.append(use)
    return uses


def _functions(selectors: str) -> dict[str, ast.FunctionDef]:
    path = ROOT.joinpath(*selectors.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _untyped_parts(annotation: ast.expr | None) -> set[str]:
    """What makes a return annotation a record in disguise; {"(none)"} without one."""
    if annotation is None:
        return {"(none)"}
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        annotation = ast.parse(annotation.value, mode="eval").body  # a quoted annotation
    found = set()
    subscripted = {
        id(node.value) for node in ast.walk(annotation) if isinstance(node, ast.Subscript)
    }
    for node in ast.walk(annotation):
        name = _name(node)
        if name in OPAQUE:
            found.add(name)
        elif name in MAPPINGS and id(node) not in subscripted:
            found.add(name)  # a bare dict: anything in it
        elif isinstance(node, ast.Subscript) and _name(node.value) in MAPPINGS:
            key = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            if _name(key) == "str":
                found.add(f"{_name(node.value)}[str, …]")
    return found


def test_selectors_used_by_other_apps_return_typed_values() -> None:
    uses = _cross_app_uses()
    assert any(use.selectors == "costsharing.selectors" for use in uses)  # the scan sees them
    wrong = []
    for use in uses:
        function = _functions(use.selectors).get(use.name)
        if function is None:
            continue  # a class, constant or re-exported name: typed by what it is
        untyped = _untyped_parts(function.returns)
        if untyped:
            wrong.append(
                f"{use.selectors}.{use.name} (used in {use.where}) returns "
                f"{', '.join(sorted(untyped))}"
            )
    assert wrong == [], "\n".join(sorted(set(wrong)))


def test_the_scan_finds_a_dict_in_a_return_annotation() -> None:
    def returns(source: str) -> ast.expr | None:
        function = ast.parse(source).body[0]
        assert isinstance(function, ast.FunctionDef)
        return function.returns

    assert _untyped_parts(returns("def f() -> dict[str, Any]: ...")) == {"dict[str, …]", "Any"}
    assert _untyped_parts(returns("def f() -> 'list[dict[str, int]]': ...")) == {"dict[str, …]"}
    assert _untyped_parts(returns("def f() -> dict[str, object] | None: ...")) == {
        "dict[str, …]",
        "object",
    }
    assert _untyped_parts(returns("def f() -> typing.Any: ...")) == {"Any"}
    assert _untyped_parts(returns("def f() -> dict: ...")) == {"dict"}
    assert _untyped_parts(returns("def f(): ...")) == {"(none)"}
    assert _untyped_parts(returns("def f() -> YearFigures | None: ...")) == set()
    assert _untyped_parts(returns("def f() -> dict[int, str]: ...")) == set()


def test_the_scan_sees_both_ways_of_using_a_selector() -> None:
    source = (
        "from costsharing.selectors import year_figures\n"
        "from costsharing import selectors as costsharing_selectors\n"
        "import tenants.selectors\n"
        "costsharing_selectors.member_ids_of_year(2026)\n"
        "tenants.selectors.municipality_get(1)\n"
    )
    uses = _uses(source, "roadmap.probe", _selector_modules())
    found = {(use.selectors, use.name) for use in uses}
    assert found == {
        ("tenants.selectors", "municipality_get"),
        ("costsharing.selectors", "year_figures"),
        ("costsharing.selectors", "member_ids_of_year"),
    }
