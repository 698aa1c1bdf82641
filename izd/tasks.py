from __future__ import annotations

from celery import shared_task

from izd.schemas import current_schema


@shared_task(acks_late=True)
def report_schema() -> str:
    """Tell which schema the worker ran in: the smallest proof that tasks are tenant-aware."""
    return current_schema()


@shared_task(acks_late=True, max_retries=0)
def render_document(document_id: int, schema_name: str) -> int:
    """Render and store one document; `schema_name` is the schema tenant-schemas-celery
    switched to, passed too so the task's log names it."""
    from izd.documents import document_render

    return document_render(document_id).pk
