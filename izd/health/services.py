from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from izd.health.models import WorkerHeartbeat


@transaction.atomic
def heartbeat_record(*, hostname: str, pid: int, started_at: datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname,
        defaults={"pid": pid, "started_at": started_at, "seen_at": timezone.now()},
    )


@transaction.atomic
def heartbeat_remove(*, hostname: str, pid: int) -> None:
    # Only our own row: a worker of the same name that took over must not vanish with us.
    WorkerHeartbeat.objects.filter(hostname=hostname, pid=pid).delete()
