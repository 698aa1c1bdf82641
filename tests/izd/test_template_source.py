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
