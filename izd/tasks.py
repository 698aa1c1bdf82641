from __future__ import annotations

from celery import shared_task
from django.db import connection


@shared_task(acks_late=True)
def report_schema() -> str:
    """Tell which schema the worker ran in: the smallest proof that tasks are tenant-aware."""
    return str(connection.schema_name)
