"""A worker bootstep that writes the worker's heartbeat into PostgreSQL.

/healthz reads it instead of pinging the workers over the broker: a ping per call made every
health check wait a second on Celery's producer pool, and many of them hung the web process.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import bootsteps
from django.utils import timezone

logger = logging.getLogger(__name__)


class Heartbeat(bootsteps.StartStopStep):
    # After the pool: a prefork child must not inherit the connection the heartbeat uses.
    requires = ("celery.worker.components:Timer", "celery.worker.components:Pool")

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None
        self.started_at = timezone.now()

    def start(self, worker: Any) -> None:
        from izd import sizing

        self.beat(worker.hostname)
        self.tref = worker.timer.call_repeatedly(
            sizing.worker_heartbeat_seconds(), self.beat, (worker.hostname,), priority=10
        )

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        self._with_database(lambda: self._remove(worker.hostname))

    def beat(self, hostname: str) -> None:
        self._with_database(lambda: self._record(hostname))

    def _record(self, hostname: str) -> None:
        from izd.health.services import heartbeat_record

        heartbeat_record(hostname=hostname, pid=os.getpid(), started_at=self.started_at)

    @staticmethod
    def _remove(hostname: str) -> None:
        from izd.health.services import heartbeat_remove

        heartbeat_remove(hostname=hostname, pid=os.getpid())

    @staticmethod
    def _with_database(write: Any) -> None:
        from django.db import connection

        from izd.schemas import activate_public

        try:
            activate_public()
            write()
        except Exception:
            # A missed heartbeat shows as a stale one; the worker itself must keep working.
            logger.exception("Lebenszeichen des Workers konnte nicht geschrieben werden.")
        finally:
            # Back to the pool: this thread writes only every few seconds.
            connection.close()
