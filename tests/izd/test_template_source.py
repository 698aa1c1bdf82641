"""Template sources: mistakes that Django renders as visible text instead of failing."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

# Django's {# … #} comment ends on its own line; one spread over lines is printed verbatim
# (once into every decision paper PDF). Longer comments need {% comment %}.
UNCLOSED_COMMENT = re.compile(r"\{#(?![^\n]*#\})")


def _template_files() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "templates"]
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in {".html", ".txt"})


def test_every_short_comment_closes_on_its_own_line() -> None:
    files = _template_files()
    assert len(files) > 50
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{text.count(chr(10), 0, m.start()) + 1}"
        for path in files
        for text in [path.read_text(encoding="utf-8")]
        for m in UNCLOSED_COMMENT.finditer(text)
    ]
    assert offenders == [], f"{{# … #}} spread over lines is shown as text: {offenders}"


# Django localises every number it prints (USE_THOUSAND_SEPARATOR for de-DE): a question id or an
# answer's version of 1000 would come out as "1.000" in an element id, a form value or an htmx
# target, and the next autosave would be refused as a stale version.
IDENTIFIER_OUTPUT = re.compile(r"\{\{ *([\w.]+?) *(\|[^}]*)?\}\}")


# Identifiers that are text already (a Leitweg-ID such as 04011000-1234512345-06).
TEXT_IDENTIFIERS = {"leitweg_id"}


def _is_identifier(expression: str) -> bool:
    last = expression.split(".")[-1]
    if last in TEXT_IDENTIFIERS:
        return False
    return last in {"pk", "id", "version"} or last.endswith(("_id", "_version"))


def test_identifiers_are_printed_without_thousands_separators() -> None:
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{text.count(chr(10), 0, m.start()) + 1}"
        for path in _template_files()
        for text in [path.read_text(encoding="utf-8")]
        for m in IDENTIFIER_OUTPUT.finditer(text)
        if _is_identifier(m.group(1)) and "unlocalize" not in (m.group(2) or "")
    ]
    assert offenders == [], f"ids and versions print as 1.000 without |unlocalize: {offenders}"
