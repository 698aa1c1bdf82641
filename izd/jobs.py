"""Document jobs as an outbox: PostgreSQL holds the job, Redis only carries a wake-up call.

- A job is a `Document` row, written in the transaction that asks for it. After the commit,
  `dispatch_after_commit` sends its message; if Redis is down the row simply stays unsent.
- A worker takes a job by a compare-and-set claim (pending → running, with a fresh claim token
  and a lease). Only the holder of the current claim may store the result, so a second message
  for the same job (a re-send, a redelivery after the visibility timeout) does nothing.
- While a job runs, its process renews the lease every third of `JOB_LEASE_SECONDS`. A worker
  killed mid-job stops renewing; the dispatcher then sends the job again.
- The dispatcher runs in every worker (a bootstep, see config.celery) and sweeps every
  `JOB_SWEEP_SECONDS`: it sends what was never sent (the web process died between commit and
  send, or Redis was down), gives back jobs whose lease ran out, and fails a job after
  `JOB_MAX_ATTEMPTS` claims. Several dispatchers may run: rows are taken with SKIP LOCKED.
- A job that cannot finish ends as failed with a German reason; `document_retry` sends it again.
- The same sweep sends the periodic tasks (izd.periodic), so no beat process is needed.

Long because the outbox is one protocol: sending, the claim with its lease, the sweep and the retry
all change the same columns under the same rules, and only read together do they show that no job
is lost or done twice.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from izd.exceptions import PortalError
from izd.models import Document

logger = logging.getLogger(__name__)

Status = Document.Status
SEND_BATCH = 200


class JobError(PortalError):
    """A job cannot be changed as asked; the message is shown to the user."""


# --- sending (web and dispatcher) -----------------------------------------------------------


@contextmanager
def _broker() -> Iterator[Any]:
    """A broker connection of its own that fails within seconds when Redis is down.

    Celery's shared producer pool retries a lost connection for ever and blocks when it runs
    dry; neither may hold up a web request for a job that is safe in the database anyway.
    """
    # The app the composition root made (config.celery); izd does not import upward.
    from celery import current_app

    conn = current_app.connection_for_write()
    try:
        conn.ensure_connection(max_retries=0, timeout=3)
        yield conn
    finally:
        conn.release()


# Public name for the periodic tasks' sender (izd.periodic), which needs the same fast failure.
broker_connection = _broker


def _publish(conn: Any, document: Document) -> None:
    from izd.tasks import render_document

    options: dict[str, Any] = {
        "connection": conn,
        "retry": False,  # fail now; the job stays unsent and the dispatcher tries again
        "ignore_result": True,  # the state is the row; no result subscription per send
        # The task runs in the document's schema, whichever schema the sender is in.
        "headers": {"_schema_name": document.schema_name},
    }
    render_document.apply_async(args=(document.pk, document.schema_name), **options)


def _send_error_text(error: BaseException) -> str:
    return f"Hintergrunddienst nicht erreichbar ({type(error).__name__})"[:300]


def dispatch(document_ids: Iterable[int] | None = None) -> int:
    """Send the messages of unsent (or long-waiting) pending jobs; returns how many were sent.

    `document_ids` limits the send to those jobs (the web side after its commit); without it,
    every due job is sent (the dispatcher). Never raises for an unreachable broker: the jobs
    stay unsent, with the reason, for the next sweep.
    """
    ids = None if document_ids is None else list(document_ids)
    if ids is not None and not ids:
        return 0
    total = 0
    while True:
        sent, more = _dispatch_some(ids)
        total += sent
        if not more:
            return total


def _dispatch_some(ids: list[int] | None) -> tuple[int, bool]:
    now = timezone.now()
    due = Q(sent_at__isnull=True) | Q(
        sent_at__lt=now - timedelta(seconds=settings.JOB_RESEND_SECONDS)
    )
    query = Document.objects.filter(due, status=Status.PENDING)
    if ids is not None:
        query = query.filter(pk__in=ids)
    with transaction.atomic():
        # Locked until the commit: a worker's claim of a job just sent waits for sent_at.
        rows = list(
            query.select_for_update(skip_locked=True)
            .only("pk", "schema_name")
            .order_by("pk")[:SEND_BATCH]
        )
        if not rows:
            return 0, False
        sent: list[int] = []
        failure: BaseException | None = None
        try:
            with _broker() as conn:
                for row in rows:
                    _publish(conn, row)
                    sent.append(row.pk)
        except Exception as error:  # kombu, redis and socket errors: the broker is unreachable
            failure = error
            logger.warning("Jobs not sent, broker unreachable: %s", error)
        if sent:
            Document.objects.filter(pk__in=sent).update(sent_at=now, send_error="")
        if failure is not None:
            unsent = [row.pk for row in rows if row.pk not in set(sent)]
            reason = _send_error_text(failure)
            # Sweeps repeat every few seconds during an outage: write only what changes.
            Document.objects.filter(pk__in=unsent).exclude(
                send_error=reason, sent_at__isnull=True
            ).update(sent_at=None, send_error=reason)
            return len(sent), False
    return len(sent), len(rows) == SEND_BATCH


def dispatch_after_commit(documents: Iterable[Document]) -> None:
    """Send these jobs once the surrounding transaction has committed: the one way jobs are
    sent. All jobs of one transaction (a batch) go out together over one connection, and the
    instances learn whether the send worked, so the answer can already say so."""
    conn = transaction.get_connection()
    pending: _PendingSend | None = getattr(conn, "_izd_pending_send", None)
    if pending is not None and pending.is_registered(conn):
        pending.documents.extend(documents)
        return
    pending = _PendingSend()
    pending.documents.extend(documents)
    conn._izd_pending_send = pending
    # robust: a failure to send must never turn the committed request into an error.
    # (Outside a transaction this runs at once.)
    transaction.on_commit(pending, robust=True)


WAKE_AT = 20  # from this many jobs a batch is sent by a worker, not by the request


def dispatch_batch_after_commit(documents: list[Document]) -> None:
    """Send a batch's jobs once the transaction has committed.

    A large batch sends one message that asks a worker to send the batch's jobs: publishing
    hundreds of messages would hold the request for seconds. If even that one cannot be sent,
    the jobs say so and the dispatcher's sweep sends them later, as for any unsent job.
    """
    if len(documents) < WAKE_AT:
        dispatch_after_commit(documents)
        return
    ids = [d.pk for d in documents]
    transaction.on_commit(lambda: _wake(ids), robust=True)


def _wake(ids: list[int]) -> None:
    from izd.tasks import dispatch_jobs

    try:
        with _broker() as conn:
            options: dict[str, Any] = {
                "connection": conn,
                "retry": False,
                "ignore_result": True,
                "headers": {"_schema_name": settings.PUBLIC_SCHEMA_NAME},
            }
            dispatch_jobs.apply_async(args=(ids,), **options)
    except Exception as error:  # kombu, redis and socket errors: the broker is unreachable
        logger.warning("Batch not sent, broker unreachable: %s", error)
        Document.objects.filter(pk__in=ids, sent_at__isnull=True).update(
            send_error=_send_error_text(error)
        )


class _PendingSend:
    def __init__(self) -> None:
        self.documents: list[Document] = []

    def is_registered(self, conn: Any) -> bool:
        """Still waiting for the commit (not run, not discarded by a rollback)."""
        return any(callback is self for _sids, callback, _robust in conn.run_on_commit)

    def __call__(self) -> None:
        ids = [d.pk for d in self.documents]
        dispatch(ids)
        fields = ("sent_at", "send_error", "status", "progress")
        state = {
            row["pk"]: row for row in Document.objects.filter(pk__in=ids).values("pk", *fields)
        }
        for document in self.documents:
            for field in fields if document.pk in state else ():
                setattr(document, field, state[document.pk][field])


# --- claiming and the lease (worker) --------------------------------------------------------


def _lease_end() -> Any:
    return timezone.now() + timedelta(seconds=settings.JOB_LEASE_SECONDS)


def claim(document_id: int) -> uuid.UUID | None:
    """Take a pending job: pending → running with a new claim token, or None if it is taken,
    finished or unknown (a duplicate message)."""
    token = uuid.uuid4()
    taken = Document.objects.filter(pk=document_id, status=Status.PENDING).update(
        status=Status.RUNNING,
        claim=token,
        lease_until=_lease_end(),
        attempts=F("attempts") + 1,
        progress=10,
        error="",
    )
    if not taken:
        return None
    _Heartbeat.get().hold(token)
    return token


def release(token: uuid.UUID) -> None:
    _Heartbeat.get().drop(token)


def holds(document_id: int, token: uuid.UUID) -> Any:
    """The job's rows as long as this claim holds it."""
    return Document.objects.filter(pk=document_id, claim=token, status=Status.RUNNING)


def fail(document_id: int, token: uuid.UUID | None, reason: str) -> bool:
    """End a job as failed with a German reason (if this claim still holds it)."""
    query = Document.objects.filter(pk=document_id)
    query = query.filter(claim=token) if token else query
    return bool(
        query.exclude(status=Status.DONE).update(
            status=Status.FAILED,
            error=reason,
            progress=100,
            finished_at=timezone.now(),
            claim=None,
            lease_until=None,
        )
    )


UNEXPECTED = (
    "Beim Erstellen ist {attempts}-mal ein unerwarteter Fehler aufgetreten ({kind}). "
    "Bitte versuchen Sie es später erneut; bleibt der Fehler, informieren Sie die Koordination."
)
ABANDONED = (
    "Die Erstellung wurde {attempts}-mal abgebrochen, weil der Hintergrunddienst nicht mehr "
    "antwortete. Bitte versuchen Sie es erneut; bleibt der Fehler, informieren Sie die "
    "Koordination."
)


def give_back(document_id: int, token: uuid.UUID, error: BaseException) -> None:
    """After an unexpected error: the job waits for the next sweep, or fails after the last
    attempt. It never stays running."""
    with transaction.atomic():
        document = holds(document_id, token).select_for_update().first()
        if document is None:
            return
        if document.attempts >= settings.JOB_MAX_ATTEMPTS:
            reason = UNEXPECTED.format(attempts=document.attempts, kind=type(error).__name__)
            fail(document_id, token, reason)
            return
        holds(document_id, token).update(
            status=Status.PENDING, progress=0, claim=None, lease_until=None, sent_at=None
        )


class _Heartbeat:
    """One thread per process renews the leases of the jobs this process is working on.

    A process that dies stops renewing, which is exactly how the dispatcher learns of it.
    """

    _instance: _Heartbeat | None = None
    _instance_lock = threading.Lock()

    def __init__(self) -> None:
        self._tokens: set[uuid.UUID] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="izd-job-lease", daemon=True)
        self._thread.start()

    @classmethod
    def get(cls) -> _Heartbeat:
        with cls._instance_lock:
            # A forked pool process inherits the object but not its thread.
            if cls._instance is None or not cls._instance._thread.is_alive():
                cls._instance = cls()
            return cls._instance

    def hold(self, token: uuid.UUID) -> None:
        with self._lock:
            self._tokens.add(token)

    def drop(self, token: uuid.UUID) -> None:
        with self._lock:
            self._tokens.discard(token)

    def _run(self) -> None:
        interval = settings.JOB_LEASE_SECONDS / 3
        while True:
            self._wake.wait(interval)
            with self._lock:
                tokens = list(self._tokens)
            if not tokens:
                connection.close()  # nothing to renew: give the connection back
                continue
            try:
                close_old_connections()
                Document.objects.filter(claim__in=tokens, status=Status.RUNNING).update(
                    lease_until=_lease_end()
                )
            except Exception:
                logger.exception("Renewing job leases failed")
                connection.close()


# --- the dispatcher's sweep -----------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    failed: int
    sent: int


def recover_abandoned() -> tuple[int, int]:
    """Jobs whose worker stopped renewing the lease: back to pending, or failed after the last
    attempt. Returns (requeued, failed)."""
    now = timezone.now()
    requeued = failed = 0
    with transaction.atomic():
        rows = list(
            Document.objects.select_for_update(skip_locked=True)
            .filter(Q(lease_until__lt=now) | Q(lease_until__isnull=True), status=Status.RUNNING)
            .order_by("pk")[:SEND_BATCH]
        )
        for row in rows:
            if row.attempts >= settings.JOB_MAX_ATTEMPTS:
                fail(row.pk, None, ABANDONED.format(attempts=row.attempts))
                failed += 1
            else:
                Document.objects.filter(pk=row.pk).update(
                    status=Status.PENDING, progress=0, claim=None, lease_until=None, sent_at=None
                )
                requeued += 1
    if rows:
        logger.warning("Jobs of a dead worker: %d sent again, %d failed", requeued, failed)
    return requeued, failed


def sweep() -> SweepResult:
    from izd import periodic

    requeued, failed = recover_abandoned()
    result = SweepResult(requeued=requeued, failed=failed, sent=dispatch())
    periodic.send_due()  # the reminders and other periodic tasks ride on the same sweep
    return result


def dispatcher_loop(stop: threading.Event, interval: float | None = None) -> None:
    """Sweep until `stop` is set; the first sweep runs at once, so a worker that starts sends
    whatever waited for it."""
    pause = settings.JOB_SWEEP_SECONDS if interval is None else interval
    while not stop.is_set():
        try:
            close_old_connections()
            sweep()
        except Exception:
            logger.exception("Job sweep failed")
            connection.close()
        stop.wait(pause)
    connection.close()


# --- retry (web) ----------------------------------------------------------------------------


@transaction.atomic
def document_retry(*, document: Document) -> Document:
    """Send a failed job again, with a fresh count of attempts."""
    updated = Document.objects.filter(pk=document.pk, status=Status.FAILED).update(
        status=Status.PENDING,
        progress=0,
        error="",
        attempts=0,
        claim=None,
        lease_until=None,
        sent_at=None,
        send_error="",
        finished_at=None,
    )
    if not updated:
        raise JobError("Nur ein fehlgeschlagenes Dokument kann neu erstellt werden.")
    document.refresh_from_db()
    dispatch_after_commit([document])
    return document


def documents_retry(*, documents: Iterable[Document]) -> int:
    """Retry every failed job among `documents`; returns how many."""
    count = 0
    with transaction.atomic():
        for document in documents:
            if document.status == Status.FAILED:
                document_retry(document=document)
                count += 1
    return count
