"""What the health check reads instead of asking the workers over the broker."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of one Celery worker, written by the worker itself.

    Kept in PostgreSQL, not Redis: the health check must tell a dead worker from a missing Redis.
    """

    hostname = models.CharField(max_length=255, unique=True)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("Lebenszeichen eines Workers")
        verbose_name_plural = _("Lebenszeichen der Worker")

    def __str__(self) -> str:
        return self.hostname
