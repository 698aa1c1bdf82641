"""The Celery app: tasks run in the tenant schema they were sent from.

tenant-schemas-celery puts the sender's schema into the message headers and switches the worker's
connection to it before the task runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.db import transaction
from tenant_schemas_celery.app import CeleryApp

from izd.health.heartbeat import Heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "izd.settings")

app = CeleryApp("izd")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Workers tell /healthz that they live by a row in the database (see izd/health/heartbeat.py).
app.steps["worker"].add(Heartbeat)


def send_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send a task once the surrounding transaction has committed.

    A worker must never see an id whose row is not yet visible to it.
    """
    send: Callable[[], Any] = lambda: task.apply_async(args=args, kwargs=kwargs)  # noqa: E731
    transaction.on_commit(send)
