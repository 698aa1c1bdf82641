"""The document builder of decision papers (runs in the Celery worker).

Reads only the paper id from `document.params` and builds the plain context with
`services.paper_context`; the same context drives the browser preview.
"""

from __future__ import annotations

from costsharing.selectors import shared_year_reads
from izd.documents import DocumentError
from izd.models import Document
from izd.pdf import RenderSpec
from roadmap.papers import selectors, services


def build_paper(document: Document) -> RenderSpec:
    paper = selectors.paper_get(int(document.params.get("paper_id", 0)))
    if paper is None:
        raise DocumentError("Die Beschlussvorlage gibt es nicht mehr.")
    if document.schema_name != paper.municipality.schema_name:
        raise DocumentError("Die Beschlussvorlage gehört zu einer anderen Kommune.")
    try:
        # The papers of one batch share the year's allocation: read once per worker process.
        with shared_year_reads(f"papers:{document.batch}" if document.batch else None):
            context = services.paper_context(paper)
    except services.PaperError as error:
        raise DocumentError(str(error)) from None
    return RenderSpec(
        template_name=services.TEMPLATE_NAME,
        context=context,
        title=services.paper_title(paper),
        filename=services.paper_filename(paper),
        lang="de",
    )
