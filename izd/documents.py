"""Documents in three steps: a builder makes a plain context, the renderer makes PDF bytes, the
task stores them with their checksums.

Apps register a builder per document kind in their AppConfig.ready(). The builder runs in the
Celery worker, in the schema the request was sent from, and reads only ids from
`document.params`, so it always renders what is committed, never a stale instance.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from izd.models import Document
from izd.pdf import RenderSpec, render_pdf
from izd.schemas import current_schema

Builder = Callable[[Document], RenderSpec]
_BUILDERS: dict[str, Builder] = {}


class DocumentError(ValueError):
    """A document cannot be built from its inputs; the message is shown to the user."""


def register_builder(kind: str, builder: Builder) -> None:
    _BUILDERS[kind] = builder


def builder_for(kind: str) -> Builder:
    try:
        return _BUILDERS[kind]
    except KeyError:
        raise DocumentError(f"Unbekannte Dokumentart {kind}") from None


def _callable_name(function: Callable[..., Any] | None) -> str | None:
    inner = getattr(function, "func", function)  # the function of a functools.partial
    return None if inner is None else f"{inner.__module__}.{inner.__qualname__}"


def context_hash(spec: RenderSpec) -> str:
    """A stable hash of everything that goes into the rendering."""
    payload = {
        "template": spec.template_name,
        "title": spec.title,
        "context": spec.context,
        "attachments": [(n, hashlib.sha256(c).hexdigest(), m) for n, c, m in spec.attachments],
        "variant": spec.pdf_variant,
        "postprocess": _callable_name(spec.postprocess),
    }
    encoded = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


# --- requests (web side) --------------------------------------------------------------------


def _enqueue(document: Document) -> None:
    from izd.tasks import render_document

    transaction.on_commit(
        lambda: render_document.apply_async(args=(document.pk, document.schema_name))
    )


@transaction.atomic
def document_request(
    *,
    kind: str,
    params: dict[str, Any],
    title: str,
    filename: str,
    created_by_id: int | None,
    batch: uuid.UUID | None = None,
) -> Document:
    """Record a document to render and send the task once the transaction has committed."""
    builder_for(kind)
    document = Document(
        kind=kind,
        schema_name=current_schema(),
        params=params,
        title=title,
        filename=filename,
        created_by_id=created_by_id,
        batch=batch,
    )
    document.full_clean()
    document.save()
    _enqueue(document)
    return document


def new_batch() -> uuid.UUID:
    return uuid.uuid4()


# --- the three steps (worker side) ----------------------------------------------------------


def _latest_equal(document: Document, input_hash: str) -> Document | None:
    return (
        Document.objects.filter(
            kind=document.kind,
            schema_name=document.schema_name,
            params=document.params,
            input_hash=input_hash,
            status=Document.Status.DONE,
        )
        .exclude(pk=document.pk)
        .exclude(file="")
        .first()
    )


def _set_progress(document: Document, progress: int, status: str) -> None:
    Document.objects.filter(pk=document.pk).update(progress=progress, status=status)


def document_render(document_id: int) -> Document:
    """Build, render and store one document; does nothing for one that is already done."""
    document = Document.objects.get(pk=document_id)
    if document.status == Document.Status.DONE:
        return document
    _set_progress(document, 10, Document.Status.RUNNING)
    try:
        spec = builder_for(document.kind)(document)
        input_hash = context_hash(spec)
        earlier = _latest_equal(document, input_hash)
        if earlier is not None:
            return _store_reused(document, earlier, input_hash)
        _set_progress(document, 40, Document.Status.RUNNING)
        content = render_pdf(spec)
        return _store(document, content, input_hash, spec)
    except DocumentError as error:
        Document.objects.filter(pk=document.pk).update(
            status=Document.Status.FAILED, error=str(error), progress=100,
            finished_at=timezone.now(),
        )  # fmt: skip
        raise


@transaction.atomic
def _store(document: Document, content: bytes, input_hash: str, spec: RenderSpec) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status == Document.Status.DONE:  # a second delivery of the same task
        return document
    document.file.save(spec.filename, ContentFile(content), save=False)
    document.size = len(content)
    document.sha256 = hashlib.sha256(content).hexdigest()
    document.sha512 = hashlib.sha512(content).hexdigest()
    document.input_hash = input_hash
    document.status = Document.Status.DONE
    document.progress = 100
    document.finished_at = timezone.now()
    document.save()
    return document


@transaction.atomic
def _store_reused(document: Document, earlier: Document, input_hash: str) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    document.file = earlier.file.name
    document.size = earlier.size
    document.sha256 = earlier.sha256
    document.sha512 = earlier.sha512
    document.input_hash = input_hash
    document.reused = True
    document.status = Document.Status.DONE
    document.progress = 100
    document.finished_at = timezone.now()
    document.save()
    return document


# --- selectors and responses ----------------------------------------------------------------


def documents_for(kind: str, schema_name: str) -> QuerySet[Document]:
    return Document.objects.filter(kind=kind, schema_name=schema_name)


def batch_documents(batch: uuid.UUID) -> QuerySet[Document]:
    return Document.objects.filter(batch=batch).order_by("title")


def batch_progress(documents: Iterable[Document]) -> int:
    items = list(documents)
    if not items:
        return 0
    return round(sum(d.progress for d in items) / len(items))


def zip_documents(documents: Iterable[Document]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            if document.status == Document.Status.DONE and document.file:
                with document.file.open("rb") as handle:
                    archive.writestr(document.filename, handle.read())
    return buffer.getvalue()


def status_response(
    request: HttpRequest, document: Document, *, download_url: str, status_url: str
) -> HttpResponse:
    """The progress partial a page polls with htmx until the document is finished."""
    return render(
        request,
        "izd/document_status.html#status",
        {"document": document, "download_url": download_url, "status_url": status_url},
    )


def download_response(document: Document) -> HttpResponse | FileResponse:
    if document.status != Document.Status.DONE or not document.file:
        return HttpResponse("Das Dokument ist noch nicht fertig.", status=409)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.filename,
        content_type=document.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
