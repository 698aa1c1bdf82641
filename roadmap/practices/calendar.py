"""iCalendar entries of exchange events (RFC 5545, written by the `icalendar` library)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from icalendar import Calendar, Event

from roadmap.practices.models import ExchangeEvent


def event_ics(event: ExchangeEvent, url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//IZD-Portal//Austauschtermine//DE")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = Event()
    entry.add("uid", f"austausch-{event.pk}@{settings.BASE_DOMAIN}")
    entry.add("summary", event.topic)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.starts_at + timedelta(minutes=event.duration_minutes))
    entry.add("dtstamp", event.created_at)
    description = event.description
    if event.online_url:
        description = f"{description}\n\nVideokonferenz: {event.online_url}".strip()
        entry.add("location", event.online_url)
    entry.add("description", description)
    entry.add("url", url)
    calendar.add_component(entry)
    return bytes(calendar.to_ical())
