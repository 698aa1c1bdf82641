"""The PDF renderer: an HTML template becomes PDF bytes with WeasyPrint.

WeasyPrint never fetches a URL from user content. Its fetcher serves only the portal's own static
files (fonts, stylesheets, the logo) and refuses everything else: file://, http(s)://, data
from any other host. Text from users reaches the templates as autoescaped values only.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import mimetypes
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from izd.pdf_accessibility import PdfChange, finish_accessible_pdf
from izd.pdf_join import join_pdfs

logger = logging.getLogger(__name__)

# The documents' base URL: relative paths in templates resolve to it, and only it is served.
STATIC_BASE = "https://izd-portal.invalid/static/"


class RefusedURL(ValueError):
    """A URL the renderer does not fetch."""


class StaticOnlyFetcher(URLFetcher):
    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https",), fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not url.startswith(STATIC_BASE):
            self.refused.append(url)
            raise RefusedURL(f"Nur eigene statische Dateien werden geladen, nicht {url[:80]}")
        relative = unquote(urlparse(url).path.removeprefix("/static/"))
        if ".." in relative.split("/"):
            self.refused.append(url)
            raise RefusedURL("Pfad außerhalb der statischen Dateien")
        found = finders.find(relative)
        if not found or isinstance(found, list):
            self.refused.append(url)
            raise RefusedURL(f"Keine statische Datei {relative}")
        with open(found, "rb") as handle:
            body = handle.read()
        mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime})


@dataclass
class RenderSpec:
    """What a document builder hands to the renderer: a template and a plain context."""

    template_name: str
    context: dict[str, Any]
    title: str
    filename: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    # Tagged PDF/A-3a (headings, paragraphs, lists, tables, figures for screen readers; A-3
    # because notices embed their e-invoice XML), finished to PDF/UA-1 by izd.pdf_accessibility.
    pdf_variant: str | None = "pdf/a-3a"
    lang: str = "de"
    # A change to the rendered PDF (e.g. to make a Factur-X invoice of it), made on the writer of
    # the one pypdf pass that also finishes the tagging (izd.pdf_accessibility); its qualified
    # name goes into the document's input hash, its inputs must be in `context`.
    postprocess: PdfChange | None = None
    # Pages that many documents share (a batch's annex): typeset once, stored, and joined
    # after this document's own pages by render_pdf (stored by izd.documents.shared_part_pdf).
    shared_parts: list[SharedPart] = field(default_factory=list)


@dataclass(frozen=True)
class SharedPart:
    """A part that is the same for many documents: `kind` names it among the stored documents,
    `spec` says how to typeset it (its context hash is its key, so an equal part is found)."""

    kind: str
    spec: RenderSpec


# An amount and its currency sign stay on one line in print. A span rather than a no-break
# space, so that the text a reader copies (or a test extracts) keeps its plain space.
_AMOUNT = re.compile(r"(?<![\w.,])(-?\d[\d.]*(?:,\d+)?) (€|EUR|%)(?![^<>]*>)")


@functools.cache
def templates_fingerprint(version: str, *names: str) -> str:
    """A hash of PDF templates' sources (and a version the caller raises by hand): a deploy that
    changes a template renders again every document whose fingerprint includes it."""
    from django.template import engines

    digest = hashlib.sha256(version.encode())
    for name in names:
        template = engines["django"].get_template(name)
        digest.update(template.template.source.encode())  # type: ignore[attr-defined]  # Django's backend wrapper
    return digest.hexdigest()


def render_html(spec: RenderSpec) -> str:
    html = render_to_string(
        spec.template_name, {**spec.context, "document_title": spec.title, "lang": spec.lang}
    )
    return _AMOUNT.sub(r'<span class="nobr">\1 \2</span>', html)


_FONTS = threading.local()


def _font_config() -> FontConfiguration:
    """The font configuration of this thread, kept from one document to the next.

    Without it WeasyPrint makes a Fontconfig configuration and a Pango font map for every
    document, loads the portal's fonts into them again and lays out text with Pango's caches
    empty: 10–25 ms of a paper's CPU. WeasyPrint adds a font once per @font-face rule (keyed
    by its descriptors), so documents after the first find theirs loaded. Pango's font map is
    not for two threads at once: one per thread."""
    config = getattr(_FONTS, "config", None)
    if config is None:
        config = _FONTS.config = FontConfiguration()
    return config


def render_pdf(spec: RenderSpec) -> bytes:
    fetcher = StaticOnlyFetcher()
    document = HTML(string=render_html(spec), base_url=STATIC_BASE, url_fetcher=fetcher)
    attachments = [
        Attachment(string=content, base_url=STATIC_BASE, name=name, relationship="Alternative")
        for name, content, _mime in spec.attachments
    ]
    options: dict[str, Any] = {
        "attachments": attachments or None,
        "uncompressed_pdf": False,
        "custom_metadata": True,
        "font_config": _font_config(),
    }
    if spec.pdf_variant:
        options["pdf_variant"] = spec.pdf_variant
    pdf = document.write_pdf(**options)
    assert pdf is not None
    content = finish_accessible_pdf(bytes(pdf), spec.postprocess)
    if spec.shared_parts:
        from izd.documents import shared_part_pdf  # stored parts live in the document table

        parts = [shared_part_pdf(part) for part in spec.shared_parts]
        content = join_pdfs(content, parts)
    return content


WARM_UP_TEXT = (
    "Die Kostenbeteiligung der Mitgliedskommunen am Interkommunalen Zentrum für IT und "
    "Digitalisierung ergibt sich aus dem Verteilungsschlüssel der Haushaltsjahresplanung, "
    "dem Sockelbetrag und der Einwohnerzahl zum Stichtag."
)


def warm_up() -> float:
    """Render a small document the way every document is rendered, and return its seconds.

    A process's first document pays for loading the fonts, the hyphenation dictionary, the
    templates and WeasyPrint's and pypdf's code: 1.3–1.9 s, against 0.3–0.4 s for the next. A
    worker pool process does it here when it starts (config.celery), before it takes a task.
    Reads no database and stores nothing; a failure is logged, and the first document then
    pays instead.
    """
    started = time.perf_counter()
    spec = RenderSpec(
        "izd/pdf_warm_up.html",
        {"heading": "Kostenbeteiligung", "text": WARM_UP_TEXT},
        title="Vorbereitung",
        filename="vorbereitung.pdf",
    )
    try:
        render_pdf(spec)
    except Exception:
        logger.exception("Warming up the PDF renderer failed")
    return time.perf_counter() - started
