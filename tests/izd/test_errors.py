"""One error type, read from the code: every exception class the apps define is a PortalError
(save the few listed below, each with its reason), and only izd/errors.py turns a refusal into
a page: no other module names the error templates, or defines a helper of its own that makes
an error answer or a message from a ValidationError."""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

from izd.exceptions import PortalError

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "roadmap", "maturity", "costsharing", "tenants", "izd")

# Exceptions that are no refusal of a person's request, by qualified name, with the reason.
NOT_REFUSALS = {
    "izd.env.EnvironmentError_": (
        "a bad setting found at start-up, for the operator: the portal does not start"
    ),
    "izd.pdf_append.NotAppendable": (
        "control flow inside izd.pdf_join: a document the fast append cannot take is joined by "
        "copying instead; it never leaves the join"
    ),
    "izd.pdf.RefusedURL": (
        "raised inside WeasyPrint's URL fetcher, which reports it as a missing resource; it "
        "never leaves the renderer"
    ),
    "tenants.migration.SchemaMigrationError": (
        "a management command's failure (a CommandError) naming the schema, for the operator"
    ),
    "maturity.errors.AnswerConflict": (
        "control flow: it carries the stored answer, from which the form shows both versions "
        "side by side; the view answers it in place with 409"
    ),
    "roadmap.papers.placeholders.MissingValue": (
        "control flow: it carries the placeholder's name, from which the papers service "
        "words its PaperError"
    ),
    "roadmap.papers.selectors.FiguresMissing": (
        "a selector's finding that the papers service turns into its PaperError"
    ),
}

ERROR_TEMPLATE = re.compile(r"(^|/)(error|400|403|403_csrf|404|405|500)\.html(#\w+)?$")
ONE_PLACE = "izd/errors.py"


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in the apps, by qualified name (imported, so that a base
    class from anywhere counts)."""
    found: dict[str, type[BaseException]] = {}
    for path, tree in _modules():
        names = [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
        if not names:
            continue
        module = importlib.import_module(_module_name(path))
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and value.__name__ in names
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def test_every_exception_of_the_apps_is_a_portal_error_or_listed_with_its_reason():
    classes = _exception_classes()
    assert "maturity.errors.MaturityError" in classes  # the reader finds what it should
    others = sorted(
        name
        for name, cls in classes.items()
        if not issubclass(cls, PortalError) and name not in NOT_REFUSALS
    )
    assert others == []


def test_the_listed_exceptions_exist_and_are_no_portal_errors():
    classes = _exception_classes()
    for name in NOT_REFUSALS:
        assert name in classes, f"{name} is gone: remove it from the list"
        assert not issubclass(classes[name], PortalError), f"{name} is a PortalError now"


def test_the_former_validation_errors_refuse_with_their_status():
    from django.core.exceptions import ValidationError

    from maturity.errors import Locked, MaturityError, ModelFileError, NotFound
    from roadmap.papers.oparl.listing import ListError, PageMissing
    from roadmap.practices.attachments import AttachmentRefused
    from tenants.services import InvitationError, PeopleError

    for error_class, status in (
        (MaturityError, 400),
        (NotFound, 404),
        (Locked, 423),
        (InvitationError, 404),
        (PeopleError, 400),
        (ListError, 400),
        (PageMissing, 404),
        (AttachmentRefused, 400),
    ):
        error = error_class("Das geht so nicht.")
        assert isinstance(error, PortalError) and not isinstance(error, ValidationError)
        assert (error.status, error.message) == (status, "Das geht so nicht.")
    problems = ["Zeile 3: Modell: „key“ fehlt.", "Zeile 9: Handlungsfeld 1: „title“ fehlt."]
    error = ModelFileError(problems)
    assert error.problems == tuple(problems) and error.status == 400
    assert error.message == " ".join(problems)


def test_no_module_outside_izd_errors_names_an_error_template():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
        for path, tree in _modules()
        if str(path.relative_to(ROOT)) != ONE_PLACE
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and ERROR_TEMPLATE.search(node.value)
    ]
    assert found == []


def test_no_module_outside_izd_errors_defines_an_error_helper():
    """No `_error(…)` answer or `validation_message` of an app's own: izd.errors has the one
    refusal_response, validation_message, form_message and refuse_invalid."""
    helper = re.compile(r"(^_?error$|_error$|^validation_message$|_failed$)")
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for path, tree in _modules()
        if str(path.relative_to(ROOT)) != ONE_PLACE
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and helper.search(node.name)
    ]
    assert found == []
