from __future__ import annotations

from celery import shared_task

from izd.schemas import current_schema


@shared_task(acks_late=True)
def report_schema() -> str:
    """Tell which schema the worker ran in: the smallest proof that tasks are tenant-aware."""
    return current_schema()


@shared_task(acks_late=True, max_retries=0, ignore_result=True)
def render_document(document_id: int, schema_name: str) -> int | None:
    """Render and store one document job; `schema_name` is the schema tenant-schemas-celery
    switched to, passed too so the task's log names it.

    The message only says "look at this job": the job's state lives in its row (izd.jobs), so
    a duplicate message, a retry or a redelivery never renders a document twice.
    """
    from izd.documents import document_render

    document = document_render(document_id)
    return None if document is None else document.pk


@shared_task(acks_late=True, max_retries=0, ignore_result=True)
def dispatch_jobs(document_ids: list[int]) -> int:
    """Send the messages of a batch's jobs (izd.jobs.dispatch_batch_after_commit): the web
    request sent this one message only."""
    from izd import jobs

    return jobs.dispatch(document_ids)
