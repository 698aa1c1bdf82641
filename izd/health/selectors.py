from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from izd import sizing
from izd.health.models import WorkerHeartbeat


@dataclass(frozen=True)
class WorkerLiveness:
    alive: int  # workers heard from within three heartbeat intervals
    last_seen_seconds: float | None  # age of the newest heartbeat; None: never heard of


def worker_liveness() -> WorkerLiveness:
    now = timezone.now()
    cutoff = now - timedelta(seconds=3 * sizing.worker_heartbeat_seconds())
    beats = WorkerHeartbeat.objects.aggregate(
        newest=Max("seen_at"), alive=Count("id", filter=Q(seen_at__gte=cutoff))
    )
    newest = beats["newest"]
    age = round((now - newest).total_seconds(), 1) if newest else None
    return WorkerLiveness(alive=beats["alive"], last_seen_seconds=age)
