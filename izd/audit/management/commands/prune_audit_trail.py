"""Deletes audit entries older than IZD_AUDIT_RETENTION_DAYS; run it daily (cron, systemd)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from izd import formats
from izd.audit.services import audit_entries_prune, retention_cutoff


class Command(BaseCommand):
    help = "Löscht Protokolleinträge, deren Aufbewahrungsfrist (IZD_AUDIT_RETENTION_DAYS) um ist."

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = retention_cutoff()
        if cutoff is None:
            self.stdout.write(
                "Aufbewahrung unbegrenzt (IZD_AUDIT_RETENTION_DAYS=0): nichts gelöscht."
            )
            return
        deleted = audit_entries_prune(before=cutoff)
        self.stdout.write(f"{deleted} Protokolleinträge vor dem {formats.day(cutoff)} gelöscht.")
