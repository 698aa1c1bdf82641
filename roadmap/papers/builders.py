"""The document builder of decision papers (runs in the Celery worker).

Reads only the paper id from `document.params` and builds the plain context with
`services.paper_context`; the same context drives the browser preview. The Kostenbeteiligung
annex (every member's share, the same in every paper of the year) is not typeset with each
paper: it is a shared part, typeset once and joined to every paper (izd.documents).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings

from costsharing.selectors import shared_year_reads
from izd.documents import DocumentError, shared_key
from izd.models import Document
from izd.pdf import RenderSpec, SharedPart
from roadmap.papers import selectors, services
from roadmap.papers.annex import KEPT_TEXTS, AnnexText, annex_text

ANNEX_KIND = "papers.anlage_kostenbeteiligung"
ANNEX_TEMPLATE = "papers/pdf/kostenbeteiligung.html"


def shares_annex(shares: dict[str, Any]) -> SharedPart:
    """The annex Kostenbeteiligung of a year: nothing in it depends on the member (its own row
    is marked in the browser preview only)."""
    year = shares["year"]
    rows = [{k: v for k, v in row.items() if k != "own"} for row in shares["rows"]]
    title = f"Anlage Kostenbeteiligung {year} – {settings.KREIS_NAME}"
    return SharedPart(
        kind=ANNEX_KIND,
        spec=RenderSpec(
            template_name=ANNEX_TEMPLATE,
            context={
                "shares": {**shares, "rows": rows},
                "header_left": f"Anlage zur Beschlussvorlage: Kostenbeteiligung {year}",
                "header_right": settings.KREIS_NAME,
                "footer_left": "Beschlussvorlage – Anlage für alle Mitglieder",
            },
            title=title,
            filename=f"Anlage-Kostenbeteiligung-{year}.pdf",
            lang="de",
        ),
    )


_PARTS: OrderedDict[int, tuple[AnnexText, str, SharedPart]] = OrderedDict()
_PARTS_LOCK = threading.Lock()


def _year_annex(text: AnnexText, year: int) -> SharedPart:
    """The annex as a shared part, once per annex text: the papers of a batch share one, so its
    key (a hash of every row) is computed once, not for each paper."""
    kreis = settings.KREIS_NAME
    with _PARTS_LOCK:
        found = _PARTS.get(id(text))
        if found is not None and found[0] is text and found[1] == kreis:
            return found[2]
    part = shares_annex({"year": year, "rows": list(text.rows), **text.totals})
    shared_key(part)  # computed here, once
    with _PARTS_LOCK:
        _PARTS[id(text)] = (text, kreis, part)
        while len(_PARTS) > KEPT_TEXTS:
            _PARTS.popitem(last=False)
    return part


def build_paper(document: Document) -> RenderSpec:
    paper = selectors.paper_get(int(document.params.get("paper_id", 0)))
    if paper is None:
        raise DocumentError("Die Beschlussvorlage gibt es nicht mehr.")
    if document.schema_name != paper.municipality.schema_name:
        raise DocumentError("Die Beschlussvorlage gehört zu einer anderen Kommune.")
    try:
        # The papers of one batch share the year's figures: read once per worker process.
        with shared_year_reads(f"papers:{document.batch}" if document.batch else None):
            context = services.paper_context(paper)
            # The figures the context was made of (read once inside the block).
            text = annex_text(selectors.member_figures(paper.municipality, paper.year))
    except (services.PaperError, selectors.FiguresMissing) as error:
        raise DocumentError(str(error)) from None
    annex = _year_annex(text, paper.year)
    # The paper leaves the annex to the shared part (whose key is in the paper's input hash):
    # its own context need not carry, nor hash, every member's row again.
    own = {**context, "shares": {"year": context["shares"]["year"]}, "shares_joined": True}
    return RenderSpec(
        template_name=services.TEMPLATE_NAME,
        context=own,
        title=services.paper_title(paper),
        filename=services.paper_filename(paper),
        lang="de",
        shared_parts=[annex],
    )
