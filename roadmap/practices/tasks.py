"""Thin Celery tasks of the best-practice exchange."""

from __future__ import annotations

from celery import shared_task

from roadmap.practices.services import reminders_send


@shared_task(name="practices.send_event_reminders")
def send_event_reminders() -> int:
    """Idempotent: whoever was reminded is marked in the same transaction."""
    return reminders_send()
