"""The one write of the trail besides recording: deleting entries past their retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from izd import formats
from izd.audit import recording
from izd.audit.models import AuditEntry


def retention_cutoff(now: datetime | None = None) -> datetime | None:
    """Entries older than this are due for deletion; None when the trail is kept for ever."""
    days = settings.AUDIT_RETENTION_DAYS
    if not days:
        return None
    return (now or timezone.now()) - timedelta(days=days)


@transaction.atomic
def audit_entries_prune(*, before: datetime) -> int:
    """Delete the entries older than `before` and record that (and how many) it did.

    The database lets this transaction delete only entries older than the cut-off it names
    (see migration 0002): the guard holds even against a wrong `before` computed here.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('izd.audit_prune_before', %s, true)", [before.isoformat()]
        )
    deleted, _ = AuditEntry.objects.filter(at__lt=before).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('izd.audit_prune_before', '', true)")
    recording.record(
        action="audit_entries_prune",
        kind=recording.Kind.TRAIL,
        summary=(
            f"{deleted} Protokolleinträge vor dem {formats.day(before)} gelöscht "
            "(Aufbewahrungsfrist)"
        ),
        object_type="audit.auditentry",
        object_label="Änderungsprotokoll",
        changes=[{"field": "Einträge", "before": str(deleted), "after": "0"}] if deleted else [],
        municipality=None,
    )
    return deleted
