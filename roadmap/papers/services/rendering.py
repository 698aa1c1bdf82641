"""Requesting a paper's PDF, or the PDFs of a year's papers as one batch (workers render)."""

from __future__ import annotations

import uuid

from django.db import connection, transaction

from costsharing import selectors as costsharing_selectors
from izd.arrays import array_literal
from izd.audit import recording as audit
from izd.documents import Wanted, document_request, documents_request, new_batch
from izd.models import Document
from izd.schemas import tenant_schema
from roadmap.papers.models import Paper
from roadmap.papers.services.batch import batch_problem, batch_state, paper_fingerprint
from roadmap.papers.services.common import KIND, PaperError, _ensure_year_open, _record_paper
from roadmap.papers.services.context import paper_context, paper_filename, paper_title
from tenants.models import User


def _request(paper: Paper, user: User | None, batch: uuid.UUID | None) -> Document:
    with tenant_schema(paper.municipality):
        document = document_request(
            kind=KIND,
            params={"paper_id": paper.pk},
            title=paper_title(paper),
            filename=paper_filename(paper),
            created_by_id=user.pk if user else None,
            batch=batch,
        )
    Paper.objects.filter(pk=paper.pk).update(document=document)
    return document


@transaction.atomic
def paper_render(*, paper: Paper, user: User | None) -> Document:
    """Check the paper completely, then request its PDF (sent after commit)."""
    _ensure_year_open(paper.year)
    paper_context(paper)
    document = _request(paper, user, None)
    _record_paper(
        "paper_render", paper, "PDF angefordert", [], kind=audit.Kind.DOCUMENT, actor=user
    )
    return document


@transaction.atomic
def papers_render_batch(*, year: int, user: User | None) -> uuid.UUID:
    """Record the PDFs of every paper of the year as one batch; workers build and render them.

    The request builds no paper context: the year's figures are read once, every paper is
    checked against them and its Beratungsfolge (one query for all); if one cannot be made, the
    error names all that fail and nothing is requested. Papers whose inputs did not change (the
    same fingerprint as a finished PDF) reuse their stored file at once.
    """
    _ensure_year_open(year)
    # Not papers_of_year: its last document per paper is not needed here.
    papers = list(
        Paper.objects.filter(year=year)
        .select_related("municipality", "template")
        .order_by("municipality__name")
    )
    if not papers:
        raise PaperError(f"Für {year} gibt es noch keine Beschlussvorlagen.")
    with costsharing_selectors.shared_year_reads(None):
        state = batch_state(year, papers)
    problems = [p for paper in papers if (p := batch_problem(paper, state))]
    if problems:
        raise PaperError(" ".join(problems))
    batch = new_batch()
    wanted = [
        Wanted(
            kind=KIND,
            schema_name=paper.municipality.schema_name,
            params={"paper_id": paper.pk},
            title=paper_title(paper),
            filename=paper_filename(paper),
            fingerprint=paper_fingerprint(paper, state),
        )
        for paper in papers
    ]
    documents = documents_request(
        wanted=wanted, created_by_id=user.pk if user else None, batch=batch
    )
    _link_documents({p.pk: d.pk for p, d in zip(papers, documents, strict=True)})
    audit.record(
        action="papers_render_batch", kind=audit.Kind.DOCUMENT,
        summary=f"PDFs der {len(papers)} Beschlussvorlagen {year} angefordert",
        object_type="papers.paper", object_id=str(year), object_label=f"Beschlussvorlagen {year}",
        municipality=None, actor=user,
    )  # fmt: skip
    return batch


def _link_documents(documents: dict[int, int]) -> None:
    """Every paper's latest document, in one UPDATE (bulk_update's CASE per row is slow)."""
    table = connection.ops.quote_name(Paper._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS p SET document_id = d.document_id "  # noqa: S608 (model name)
            "FROM unnest(%s::bigint[], %s::bigint[]) AS d(paper_id, document_id) "
            "WHERE p.id = d.paper_id",
            [array_literal(documents), array_literal(documents.values())],
        )
