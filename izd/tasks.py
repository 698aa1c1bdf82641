from __future__ import annotations

from celery import shared_task

from izd.schemas import current_schema


@shared_task(acks_late=True)
def report_schema() -> str:
    """Tell which schema the worker ran in: the smallest proof that tasks are tenant-aware."""
    return current_schema()
