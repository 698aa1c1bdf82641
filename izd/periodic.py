"""Periodic tasks without a beat process: the job dispatcher that runs in every worker
(izd.jobs) sends each registered task when its interval has passed.

An app registers a Celery task by name from its AppConfig.ready(), with its interval. Several
workers sweep at the same time, so each task has a row (`PeriodicTurn`): a worker takes the
turn with a compare-and-set on `sent_at` and sends the task in the same transaction; if the
broker is unreachable the transaction rolls back and the next sweep tries again. The task itself
must be idempotent: a message lost with Redis, or a run that overlaps the next, does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from izd.models import PeriodicTurn

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    task_name: str
    # Read at every sweep, so that a setting (or a test's override) takes effect.
    seconds: Callable[[], int]


_registry: dict[str, Periodic] = {}


def periodic_register(task_name: str, seconds: Callable[[], int]) -> None:
    _registry[task_name] = Periodic(task_name, seconds)


def registered() -> list[str]:
    return sorted(_registry)


def send_due(now: datetime | None = None) -> list[str]:
    """Send every registered task whose interval has passed; returns the names sent."""
    now = now or timezone.now()
    if not _registry:
        return []
    PeriodicTurn.objects.bulk_create(
        [PeriodicTurn(name=name) for name in _registry], ignore_conflicts=True
    )
    sent = []
    for periodic in list(_registry.values()):
        try:
            if _take_turn_and_send(periodic, now):
                sent.append(periodic.task_name)
        except Exception as error:  # kombu, redis and socket errors: the broker is unreachable
            logger.warning("Periodic task %s not sent: %s", periodic.task_name, error)
    return sent


@transaction.atomic
def _take_turn_and_send(periodic: Periodic, now: datetime) -> bool:
    due = now - timedelta(seconds=periodic.seconds())
    taken = (
        PeriodicTurn.objects.filter(name=periodic.task_name)
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lte=due))
        .update(sent_at=now)
    )
    if not taken:
        return False
    from celery import current_app

    from izd.jobs import broker_connection

    with broker_connection() as conn:
        current_app.send_task(
            periodic.task_name,
            connection=conn,
            retry=False,
            ignore_result=True,
            headers={"_schema_name": settings.PUBLIC_SCHEMA_NAME},
        )
    return True
