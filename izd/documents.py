"""Documents in three steps: a builder makes a plain context, the renderer makes PDF bytes, the
task stores them with their checksums.

Apps register a builder per document kind in their AppConfig.ready(). The builder runs in the
Celery worker, in the schema the request was sent from, and reads only ids from
`document.params`, so it always renders what is committed, never a stale instance.

Long because it is the one document flow every app uses: the builder registry, the requests on the
web side, the three steps in the worker and the status and download answers all move the same
`Document` through its states, and a reader follows that state machine in one file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_tenants.utils import get_public_schema_name
from psycopg.types.json import Jsonb

from izd import jobs
from izd.arrays import array_literal
from izd.exceptions import PortalError
from izd.models import Document
from izd.pdf import RenderSpec, SharedPart, render_pdf
from izd.schemas import current_schema

logger = logging.getLogger(__name__)

Builder = Callable[[Document], RenderSpec]
_BUILDERS: dict[str, Builder] = {}


class DocumentError(PortalError):
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
        "shared": [shared_key(part) for part in spec.shared_parts],
    }
    encoded = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


# --- requests (web side) --------------------------------------------------------------------


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
    """Record a document to render (the job) and send it once the transaction has committed."""
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
    jobs.dispatch_after_commit([document])
    return document


def new_batch() -> uuid.UUID:
    return uuid.uuid4()


@dataclass(frozen=True)
class Wanted:
    """One document of a batch: what `document_request` takes, with the schema named and a
    fingerprint of its inputs ("" where they cannot be fingerprinted cheaply)."""

    kind: str
    schema_name: str
    params: dict[str, Any]
    title: str
    filename: str
    fingerprint: str = ""


def _reusable(wanted: Sequence[Wanted]) -> dict[str, Document]:
    prints = sorted({w.fingerprint for w in wanted if w.fingerprint})
    if not prints:
        return {}
    found = (
        Document.objects.filter(
            kind__in={w.kind for w in wanted},
            # one array parameter: 420 placeholders cost psycopg more than the query itself
            fingerprint__in=RawSQL("SELECT unnest(%s::varchar[])", [array_literal(prints)]),
            status=Document.Status.DONE,
        )
        .exclude(file="")
        .order_by("fingerprint", "-pk")
        .distinct("fingerprint")
        .only("fingerprint", "file", "size", "sha256", "sha512", "input_hash", "kind")
    )
    return {d.fingerprint: d for d in found}


def _check_lengths(rows: list[Document]) -> None:
    """The checks full_clean would make that can fail here (it costs a millisecond a row)."""
    for name in ("kind", "schema_name", "title", "filename"):
        field = Document._meta.get_field(name)
        limit = getattr(field, "max_length", None) or 0
        too_long = [getattr(d, name) for d in rows if len(getattr(d, name)) > limit]
        if too_long:
            raise DocumentError(f"Zu lang für ein Dokument ({name}): {too_long[0][:80]} …")


def _insert(rows: list[Document]) -> None:
    """Insert the rows in one statement, a column at a time (`unnest` of one array per column)
    and set their ids: what bulk_create does, without preparing 10,000 values one by one (a
    third of a 420-document batch request's time). A column with one value for every row (the
    batch, the kind, the defaults) is sent once, not as an array."""
    now = timezone.now()
    for row in rows:
        row._state.adding = False  # saved below, as bulk_create would mark them
        row.created_at = now  # auto_now_add
    fields = [f for f in Document._meta.concrete_fields if not f.primary_key]
    varying: list[Any] = []
    names: list[str] = []
    arrays: list[str] = []
    constants: list[Any] = []
    selected: list[str] = []
    for f in fields:
        values = [getattr(row, f.attname) for row in rows]
        if f.name == "file":
            values = [v.name or "" for v in values]
        column = connection.ops.quote_name(str(f.column))
        cast = f.cast_db_type(connection)
        if all(v == values[0] for v in values):
            value = values[0]
            constants.append(Jsonb(value) if f.name == "params" else value)
            selected.append(f"%s::{cast}")
        else:
            varying.append(array_literal(values))
            names.append(column)
            arrays.append(f"%s::{cast}[]")
            selected.append(f"u.{column}")
    table = connection.ops.quote_name(Document._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    source = (
        f"unnest({', '.join(arrays)}) WITH ORDINALITY AS u({', '.join(names)}, n)"
        if names
        else "generate_series(1, %s) AS u(n)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(selected)} FROM {source} "  # noqa: S608 (model names)
            "ORDER BY u.n RETURNING id",
            [*constants, *varying] if names else [*constants, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk


@transaction.atomic
def documents_request(
    *, wanted: Sequence[Wanted], created_by_id: int | None, batch: uuid.UUID
) -> list[Document]:
    """Record a batch of documents in one INSERT and send its jobs after commit.

    A document whose fingerprint matches a finished one of the same kind is recorded as done at
    once, with that file (reused): unchanged inputs cost neither a context nor a job.
    """
    for kind in {w.kind for w in wanted}:
        builder_for(kind)
    earlier = _reusable(wanted)
    now = timezone.now()
    rows = []
    for item in wanted:
        document = Document(
            kind=item.kind,
            schema_name=item.schema_name,
            params=item.params,
            title=item.title,
            filename=item.filename,
            fingerprint=item.fingerprint,
            created_by_id=created_by_id,
            batch=batch,
        )
        same = earlier.get(item.fingerprint) if item.fingerprint else None
        if same is not None and same.kind == item.kind:
            document.file = same.file.name
            document.size = same.size
            document.sha256 = same.sha256
            document.sha512 = same.sha512
            document.input_hash = same.input_hash
            document.reused = True
            document.status = Document.Status.DONE
            document.progress = 100
            document.finished_at = now
        rows.append(document)
    _check_lengths(rows)
    _insert(rows)
    jobs.dispatch_batch_after_commit([d for d in rows if d.status == Document.Status.PENDING])
    return rows


# --- shared parts (worker side) -------------------------------------------------------------
#
# A part that every document of a batch carries (the papers' Kostenbeteiligung annex, 420 rows
# at state scale) is typeset once, stored as a document of its own kind in the public schema,
# and joined to each document (izd.pdf_join). The first worker that needs it renders it while
# holding a transaction-level advisory lock on its key; the others wait for that and read it.

_PART_BYTES: OrderedDict[str, bytes] = OrderedDict()
_PART_BYTES_LOCK = threading.Lock()
KEPT_PART_BYTES = 4


def shared_key(part: SharedPart) -> str:
    """The part's context hash, computed once per part (a paper's input hash and the lookup of
    the stored part both need it; at 420 members it is a JSON of 420 rows)."""
    key = part.__dict__.get("_key")
    if key is None:
        key = context_hash(part.spec)
        object.__setattr__(part, "_key", key)  # a frozen dataclass: a cache, not a field
    return str(key)


def _stored_part(kind: str, key: str) -> bytes | None:
    stored = (
        Document.objects.filter(kind=kind, fingerprint=key, status=Document.Status.DONE)
        .exclude(file="")
        .order_by("-pk")
        .first()
    )
    if stored is None:
        return None
    try:
        with stored.file.open("rb") as handle:
            content = handle.read()
    except OSError:  # the file is gone (cleaned up): typeset it again
        return None
    return content if hashlib.sha256(content).hexdigest() == stored.sha256 else None


def shared_part_pdf(part: SharedPart) -> bytes:
    """The part's PDF: from this process's memory, else from storage, else typeset now (once,
    whichever worker comes first) and stored."""
    key = shared_key(part)
    with _PART_BYTES_LOCK:
        content = _PART_BYTES.get(key)
    if content is None:
        content = _stored_part(part.kind, key) or _render_part(part, key)
        with _PART_BYTES_LOCK:
            _PART_BYTES[key] = content
            while len(_PART_BYTES) > KEPT_PART_BYTES:
                _PART_BYTES.popitem(last=False)
    return content


@transaction.atomic
def _render_part(part: SharedPart, key: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])
    content = _stored_part(part.kind, key)  # typeset meanwhile by another worker
    if content is not None:
        return content
    content = render_pdf(part.spec)
    document = Document(
        kind=part.kind,
        schema_name=get_public_schema_name(),
        title=part.spec.title,
        filename=part.spec.filename,
        fingerprint=key,
        input_hash=key,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        sha512=hashlib.sha512(content).hexdigest(),
        status=Document.Status.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    document.file.save(part.spec.filename, ContentFile(content), save=False)
    document.save()
    return content


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


def _set_progress(document: Document, token: uuid.UUID, progress: int) -> None:
    jobs.holds(document.pk, token).update(progress=progress)


def document_render(document_id: int) -> Document | None:
    """Build, render and store one document, if this worker gets the job's claim.

    Does nothing for a job that is taken, finished or gone (a duplicate message). A job that
    cannot be built fails with the builder's German reason; an unexpected error gives the job
    back for another attempt (izd.jobs), so it never stays running.
    """
    token = jobs.claim(document_id)
    if token is None:
        return Document.objects.filter(pk=document_id).first()
    try:
        document = Document.objects.get(pk=document_id)
        spec = builder_for(document.kind)(document)
        input_hash = context_hash(spec)
        earlier = _latest_equal(document, input_hash)
        if earlier is not None:
            return _store_reused(document, token, earlier, input_hash)
        _set_progress(document, token, 40)
        content = render_pdf(spec)
        return _store(document, token, content, input_hash, spec)
    except DocumentError as error:
        jobs.fail(document_id, token, str(error))
        return None
    except Exception as error:
        logger.exception("Rendering document %s failed", document_id)
        jobs.give_back(document_id, token, error)
        return None
    finally:
        jobs.release(token)


def _claimed(document: Document, token: uuid.UUID) -> Document | None:
    """The row, locked, if this claim still holds it: only one attempt ever stores a result."""
    return jobs.holds(document.pk, token).select_for_update().first()


@transaction.atomic
def _store(
    document: Document, token: uuid.UUID, content: bytes, input_hash: str, spec: RenderSpec
) -> Document | None:
    locked = _claimed(document, token)
    if locked is None:  # the job was taken over (our lease ran out) or finished meanwhile
        return None
    document = locked
    document.file.save(spec.filename, ContentFile(content), save=False)
    document.size = len(content)
    document.sha256 = hashlib.sha256(content).hexdigest()
    document.sha512 = hashlib.sha512(content).hexdigest()
    document.input_hash = input_hash
    _finish(document)
    return document


def _finish(document: Document) -> None:
    document.status = Document.Status.DONE
    document.progress = 100
    document.finished_at = timezone.now()
    document.claim = None
    document.lease_until = None
    document.save()


@transaction.atomic
def _store_reused(
    document: Document, token: uuid.UUID, earlier: Document, input_hash: str
) -> Document | None:
    locked = _claimed(document, token)
    if locked is None:
        return None
    document = locked
    document.file = earlier.file.name
    document.size = earlier.size
    document.sha256 = earlier.sha256
    document.sha512 = earlier.sha512
    document.input_hash = input_hash
    document.reused = True
    _finish(document)
    return document


# --- selectors and responses ----------------------------------------------------------------


def documents_for(kind: str, schema_name: str) -> QuerySet[Document]:
    return Document.objects.filter(kind=kind, schema_name=schema_name)


def batch_documents(batch: uuid.UUID) -> QuerySet[Document]:
    return Document.objects.filter(batch=batch).order_by("title")


@dataclass(frozen=True)
class BatchSummary:
    """A batch's state, counted by PostgreSQL: the progress page polls it every second."""

    total: int
    done: int
    reused: int
    failed: int
    progress: int
    waiting: bool

    @property
    def finished(self) -> bool:
        return self.done + self.failed == self.total


def batch_summary(batch: uuid.UUID, kind: str) -> BatchSummary:
    status = Document.Status
    counts = Document.objects.filter(batch=batch, kind=kind).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=status.DONE)),
        reused=Count("pk", filter=Q(status=status.DONE, reused=True)),
        failed=Count("pk", filter=Q(status=status.FAILED)),
        progress=Avg("progress"),
        waiting=Count(
            "pk", filter=Q(status=status.PENDING, sent_at__isnull=True) & ~Q(send_error="")
        ),
    )
    return BatchSummary(
        total=counts["total"],
        done=counts["done"],
        reused=counts["reused"],
        failed=counts["failed"],
        progress=round(counts["progress"] or 0),
        waiting=bool(counts["waiting"]),
    )
