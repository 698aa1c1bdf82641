"""One flow for long-running documents: request, status with progress, download, and a batch's
progress page and ZIP.

In the spirit of pretix's async view helper (AsyncAction): a view says what to make and where it
is shown, the flow answers the rest. Each app configures a `DocumentFlow` per kind of document
and audience (which schema's documents the visitor may see, which URL names serve them, who may
send a failed document again) and a `BatchFlow` for documents made in one go. Its views stay
thin: the access decorator, then one call here.

- request: `document_request` records the job and sends it after commit; an htmx request gets
  the progress partial at once, a plain form goes back to its page.
- status: the progress partial the page polls with htmx; POST ("Neu versuchen") sends a failed
  document again.
- download: the finished file, or 409 while it is not finished.
- batch: counts from PostgreSQL while it runs; a ZIP of the finished files, with a
  `PRUEFSUMMEN.sha256` inside where the kind asks for it, and the ZIP's own SHA-256 in a header.

A document of another municipality is never found (404): lookups are limited to the schema the
flow names for the visitor.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from izd import jobs
from izd.documents import batch_documents, batch_summary, document_request, documents_for
from izd.errors import safe_referer
from izd.exceptions import PortalError
from izd.models import Document


def own_schema(request: HttpRequest) -> str:
    """The documents of the visitor's municipality (its subdomain's schema)."""
    return str(request.tenant.schema_name)  # type: ignore[attr-defined]


def kreis_schema(request: HttpRequest) -> str:
    """The documents requested on the Kreis domain."""
    return str(settings.PUBLIC_SCHEMA_NAME)


def anyone(request: HttpRequest) -> bool:
    return True


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- one document ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentFlow:
    """One kind of document as one audience reaches it.

    `status_url` and `download_url` are URL names taking the document's key: its id, unless
    `key` says otherwise (a decision paper's PDF is named by the paper). `find` replaces the
    default lookup (this kind, in `schema`'s documents) where the key is not the document id.
    """

    kind: str
    status_url: str
    download_url: str
    schema: Callable[[HttpRequest], str] = own_schema
    may_retry: Callable[[HttpRequest], bool] = anyone
    missing: str = "Dieses Dokument gibt es nicht."
    find: Callable[[HttpRequest, int], Document | None] | None = None
    key: Callable[[Document], int] | None = None

    def document(self, request: HttpRequest, key: int) -> Document:
        if self.find is not None:
            found = self.find(request, key)
        else:
            found = documents_for(self.kind, self.schema(request)).filter(pk=key).first()
        if found is None or found.kind != self.kind:
            raise Http404(self.missing)
        return found

    def urls(self, document: Document) -> dict[str, str]:
        key = self.key(document) if self.key is not None else document.pk
        return {
            "status_url": reverse(self.status_url, args=[key]),
            "download_url": reverse(self.download_url, args=[key]),
        }

    def latest(self, request: HttpRequest, **params: Any) -> Document | None:
        """The visitor's newest document of this kind with these parameters."""
        wanted = {f"params__{name}": value for name, value in params.items()}
        return documents_for(self.kind, self.schema(request)).filter(**wanted).first()

    def listing(self, request: HttpRequest, limit: int = 20) -> list[Document]:
        """The visitor's latest documents of this kind, newest first."""
        return list(documents_for(self.kind, self.schema(request))[:limit])

    def request(
        self, request: HttpRequest, *, params: dict[str, Any], title: str, filename: str
    ) -> Document:
        """Record the document and send its job once the transaction has committed."""
        return document_request(
            kind=self.kind,
            params=params,
            title=title,
            filename=filename,
            created_by_id=request.user.pk,
        )

    def requested(self, request: HttpRequest, document: Document, *, back: str) -> HttpResponse:
        """The answer to a request: the progress partial for htmx, else back to the page."""
        if _is_htmx(request):
            return self._partial(request, document, may_retry=False)
        return redirect(back)

    def status(self, request: HttpRequest, key: int) -> HttpResponse:
        """GET: the progress partial. POST ("Neu versuchen"): send a failed document again."""
        document = self.document(request, key)
        may_retry = self.may_retry(request)
        if request.method == "POST":
            if not may_retry:
                raise PermissionDenied
            if document.status == Document.Status.FAILED:
                document = jobs.document_retry(document=document)
            if not _is_htmx(request):
                return redirect(safe_referer(request, self.urls(document)["status_url"]))
        return self._partial(request, document, may_retry=may_retry)

    def download(self, request: HttpRequest, key: int) -> HttpResponse | FileResponse:
        return download_response(self.document(request, key))

    def _partial(
        self, request: HttpRequest, document: Document, *, may_retry: bool
    ) -> HttpResponse:
        return status_partial(request, document, may_retry=may_retry, **self.urls(document))


def status_partial(
    request: HttpRequest,
    document: Document,
    *,
    download_url: str,
    status_url: str,
    may_retry: bool = False,
) -> HttpResponse:
    """The progress partial a page polls with htmx until the document is finished."""
    return render(
        request,
        "izd/document_status.html#status",
        {
            "document": document,
            "download_url": download_url,
            "status_url": status_url,
            # The visitor may send a failed document again (POST to status_url).
            "may_retry": may_retry,
        },
    )


def download_response(document: Document) -> HttpResponse | FileResponse:
    if document.status != Document.Status.DONE or not document.file:
        raise PortalError("Das Dokument ist noch nicht fertig.", 409)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.filename,
        content_type=document.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- a batch --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchFlow:
    """The documents of one kind requested together, on one progress page and in one ZIP.

    `status_url` is the URL name of the progress page; it takes the batch as `batch` and the
    page's own keyword arguments (the year), which the template also gets. `template` has a
    `batch` partial that htmx polls. `list_all` lists every document once the batch is finished
    (with its checksum); otherwise only failed ones are listed, with their reason.
    """

    kind: str
    status_url: str
    template: str
    zip_name: str  # formatted with the page's keyword arguments: "Bescheide-{year}.zip"
    missing: str
    not_ready: str
    checksums: bool = False
    list_all: bool = False
    may_retry: Callable[[HttpRequest], bool] = anyone

    def documents(self, batch: uuid.UUID) -> list[Document]:
        documents = list(batch_documents(batch).filter(kind=self.kind))
        if not documents:
            raise Http404(self.missing)
        return documents

    def started(self, batch: uuid.UUID, **page: Any) -> HttpResponse:
        return redirect(self.status_url, batch=batch, **page)

    def status(self, request: HttpRequest, batch: uuid.UUID, **page: Any) -> HttpResponse:
        """The batch's progress; POST ("Neu versuchen") sends its failed documents again."""
        may_retry = self.may_retry(request)
        if request.method == "POST":
            if not may_retry:
                raise PermissionDenied
            jobs.documents_retry(documents=self.documents(batch))
            if not _is_htmx(request):
                return self.started(batch, **page)
        summary = batch_summary(batch, self.kind)
        if not summary.total:
            raise Http404(self.missing)
        # While the batch runs the page polls the counts only, which PostgreSQL adds up.
        listed: list[Document] = []
        if self.list_all and summary.finished:
            listed = self.documents(batch)
        elif not self.list_all and summary.failed:
            failed = batch_documents(batch).filter(kind=self.kind, status=Document.Status.FAILED)
            listed = list(failed)
        context = {
            **page,
            "batch": batch,
            "documents": listed,
            "total": summary.total,
            "progress": summary.progress,
            "finished": summary.finished,
            "done": summary.done,
            "reused": summary.reused,
            "failed": summary.failed,
            "waiting": summary.waiting,
            "may_retry": may_retry,
        }
        template = f"{self.template}#batch" if _is_htmx(request) else self.template
        return render(request, template, context)

    def zip(self, request: HttpRequest, batch: uuid.UUID, **page: Any) -> HttpResponse:
        documents = self.documents(batch)
        if not all(d.is_finished for d in documents):
            raise PortalError(self.not_ready, 409)
        content = zip_documents(documents, checksums=self.checksums)
        return attachment(content, "application/zip", self.zip_name.format(**page))


def checksums_text(documents: Iterable[Document]) -> str:
    """sha256sum-compatible lines for a ZIP's PRUEFSUMMEN.sha256."""
    return "".join(
        f"{d.sha256}  {d.filename}\n" for d in documents if d.status == Document.Status.DONE
    )


def zip_documents(documents: Iterable[Document], *, checksums: bool = False) -> bytes:
    """The finished documents in one ZIP; with `checksums`, their SHA-256 in PRUEFSUMMEN.sha256."""
    documents = list(documents)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            if document.status == Document.Status.DONE and document.file:
                with document.file.open("rb") as handle:
                    archive.writestr(document.filename, handle.read())
        if checksums:
            archive.writestr("PRUEFSUMMEN.sha256", checksums_text(documents))
    return buffer.getvalue()


def attachment(content: bytes, mime: str, filename: str) -> HttpResponse:
    """A file to save, never to show: with its SHA-256, so a recipient can check it."""
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Checksum-SHA256"] = hashlib.sha256(content).hexdigest()
    return response
