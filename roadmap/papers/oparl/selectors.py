"""Reads of the public OParl API: only what council information systems publish.

One rule decides what is public: a paper marked öffentlich. Its consultations, agenda items and
its file are public with it; a committee or a meeting is public while at least one public paper
is consulted there. Everything else does not exist for the API, whoever asks.
"""

from __future__ import annotations

from django.db.models import Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from izd.models import Document
from roadmap.papers.models import Committee, Consultation, Meeting, Paper
from roadmap.papers.services import KIND
from tenants import selectors as tenant_selectors
from tenants.models import Municipality


def bodies() -> QuerySet[Municipality]:
    """The Kreis and every municipality, in a stable order."""
    return tenant_selectors.tenants_by_pk()


def body_get(body_id: int) -> Municipality | None:
    return bodies().filter(pk=body_id).first()


def _public_consultations() -> QuerySet[Consultation]:
    """Live consultations of public papers."""
    return Consultation.objects.filter(paper__is_public=True)


def _paper_consultations() -> Prefetch:
    return Prefetch(
        "consultations",
        queryset=Consultation.objects.select_related("committee", "meeting").order_by(
            "position", "pk"
        ),
    )


def papers(body: Municipality) -> QuerySet[Paper]:
    return (
        Paper.objects.filter(municipality=body, is_public=True)
        .select_related("municipality", "template", "document")
        .prefetch_related(_paper_consultations())
        .order_by("pk")
    )


def paper_get(paper_id: int) -> Paper | None:
    return (
        Paper.objects.filter(pk=paper_id, is_public=True)
        .select_related("municipality", "template", "document")
        .prefetch_related(_paper_consultations())
        .first()
    )


def _with_visibility(queryset: QuerySet, link: str) -> QuerySet:
    used = _public_consultations().filter(**{link: OuterRef("pk")})
    return queryset.annotate(visible=Exists(used))


def organizations(body: Municipality) -> QuerySet[Committee]:
    return (
        _with_visibility(Committee.objects.filter(municipality=body), "committee")
        .filter(visible=True)
        .order_by("pk")
    )


def organization_get(committee_id: int) -> Committee | None:
    """The committee with `visible` annotated (False: shown as deleted)."""
    return _with_visibility(Committee.objects.filter(pk=committee_id), "committee").first()


def _visible_meetings(**where: object) -> QuerySet[Meeting]:
    return (
        _with_visibility(Meeting.objects.filter(**where), "meeting")
        .filter(visible=True)
        .select_related("committee")
        .order_by("pk")
    )


def meetings(body: Municipality) -> QuerySet[Meeting]:
    return _visible_meetings(committee__municipality=body)


def meetings_of(committee: Committee) -> QuerySet[Meeting]:
    return _visible_meetings(committee=committee)


def meeting_get(meeting_id: int) -> Meeting | None:
    """The meeting with `visible` annotated (False: shown as deleted)."""
    return (
        _with_visibility(Meeting.objects.filter(pk=meeting_id), "meeting")
        .select_related("committee")
        .first()
    )


def agenda(meetings: list[Meeting]) -> dict[int, list[Consultation]]:
    """The public agenda items (consultations) of each meeting, in a stable order."""
    items: dict[int, list[Consultation]] = {m.pk: [] for m in meetings}
    rows = (
        _public_consultations()
        .filter(meeting__in=[m.pk for m in meetings])
        .select_related("paper__template", "paper__municipality", "committee")
        .order_by("pk")
    )
    for row in rows:
        assert row.meeting_id is not None
        items[row.meeting_id].append(row)
    return items


def consultations(body: Municipality) -> QuerySet[Consultation]:
    return (
        _public_consultations()
        .filter(paper__municipality=body)
        .select_related("committee", "meeting", "paper__template", "paper__municipality")
        .order_by("pk")
    )


def agenda_items(body: Municipality) -> QuerySet[Consultation]:
    return consultations(body).filter(meeting__isnull=False)


def consultation_get(consultation_id: int) -> Consultation | None:
    """The consultation of a public paper, also when it was removed from the Beratungsfolge
    (then `deleted_at` is set)."""
    return (
        Consultation.all_objects.filter(pk=consultation_id, paper__is_public=True)
        .select_related("committee", "meeting", "paper__template", "paper__municipality")
        .first()
    )


def _finished_documents() -> QuerySet[Document]:
    return Document.objects.filter(kind=KIND, status=Document.Status.DONE).exclude(file="")


def _latest_finished() -> QuerySet[Document]:
    """For a subquery on papers: the paper's PDFs, newest first."""
    same_paper = {"paper_key": OuterRef("pk")}
    return (
        _finished_documents()
        .alias(paper_key=Cast(KeyTextTransform("paper_id", "params"), IntegerField()))
        .filter(schema_name=OuterRef("municipality__schema_name"), **same_paper)
        .order_by("-finished_at", "-pk")
    )


def main_document(paper: Paper) -> Document | None:
    """The paper's published PDF: the last finished one. While a new one is being made, the
    previous one stays published."""
    return (
        _finished_documents()
        .filter(params__paper_id=paper.pk, schema_name=paper.municipality.schema_name)
        .order_by("-finished_at", "-pk")
        .first()
    )


def main_documents(papers: list[Paper]) -> dict[int, Document]:
    """`main_document` for many papers in one query."""
    schemas = {p.pk: p.municipality.schema_name for p in papers}
    found: dict[int, Document] = {}
    rows = (
        _finished_documents()
        .filter(params__paper_id__in=list(schemas))
        .order_by("-finished_at", "-pk")
    )
    for document in rows:
        paper_id = int(document.params["paper_id"])
        if paper_id not in found and schemas.get(paper_id) == document.schema_name:
            found[paper_id] = document
    return found


def file_papers(body: Municipality) -> QuerySet[Paper]:
    """Public papers that have a finished PDF (each is one File), with the PDF's times as
    `file_created` and `file_modified` for the list filters."""
    latest = _latest_finished()
    return (
        papers(body)
        .annotate(
            file_created=Subquery(latest.values("created_at")[:1]),
            file_modified=Subquery(latest.values("finished_at")[:1]),
        )
        .filter(file_created__isnull=False)
    )
