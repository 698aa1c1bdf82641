"""Exchange events: saving them, registrations and the reminders sent a day ahead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from izd import formats
from izd.audit import recording as audit
from izd.mail import mail_after_commit
from roadmap.practices.models import EventRegistration, ExchangeEvent, Practice
from roadmap.practices.services.common import PracticeError, _clean
from tenants import selectors as tenant_selectors
from tenants.models import Municipality, User


@dataclass(frozen=True)
class EventInput:
    topic: str
    starts_at: datetime
    duration_minutes: int = 90
    description: str = ""
    online_url: str = ""
    recording_url: str = ""
    presenter_ids: tuple[int, ...] = ()
    practice_ids: tuple[int, ...] = ()


@transaction.atomic
def event_save(*, event: ExchangeEvent | None, data: EventInput, user: User) -> ExchangeEvent:
    event = event if event is not None else ExchangeEvent(created_by=user)
    before = audit.stored_snapshot(event, *_EVENT_FIELDS)
    if event.pk is not None:
        before.update(_event_links(event))
    for name in ("topic", "starts_at", "duration_minutes", "description", "online_url",
                 "recording_url"):  # fmt: skip
        setattr(event, name, getattr(data, name))
    _clean(event)
    presenters = tenant_selectors.members_with_ids(data.presenter_ids)
    practices = list(
        Practice.objects.filter(pk__in=data.practice_ids, published_version__isnull=False)
    )
    if len(presenters) != len(set(data.presenter_ids)) or len(practices) != len(
        set(data.practice_ids)
    ):
        raise PracticeError("Eine der gewählten Kommunen oder Praxisbeispiele gibt es nicht.", 400)
    event.save()
    event.presenters.set(presenters)
    event.practices.set(practices)
    labels = {"presenters": "Vortragende Kommunen", "practices": "Praxisbeispiele"}
    audit.record_saved(
        "event_save", audit.Kind.PRACTICE, f"Austauschtermin „{event.topic}“", event,
        before=before, fields=_EVENT_FIELDS, links=_event_links(event), labels=labels, actor=user,
    )  # fmt: skip
    return event


_EVENT_FIELDS = (
    "topic", "starts_at", "duration_minutes", "description", "online_url", "recording_url",
)  # fmt: skip


def _event_links(event: ExchangeEvent) -> dict[str, list[str]]:
    return {
        "presenters": sorted(event.presenters.values_list("name", flat=True)),
        "practices": sorted(str(pk) for pk in event.practices.values_list("pk", flat=True)),
    }


def _record_registration(
    action: str,
    event: ExchangeEvent,
    user: User,
    municipality: Municipality | None,
    summary: str,
    before: str,
    after: str,
) -> None:
    audit.record(
        action=action, kind=audit.Kind.PRACTICE,
        summary=f"{summary}: {user.email}, „{event.topic}“", target=event,
        changes=[{"field": f"Anmeldung {user.email}", "before": before, "after": after}],
        municipality=municipality, actor=user,
    )  # fmt: skip


@transaction.atomic
def event_register(
    *, event: ExchangeEvent, user: User, municipality: Municipality | None
) -> EventRegistration:
    if event.starts_at < timezone.now():
        raise PracticeError("Dieser Termin liegt in der Vergangenheit.", 409)
    registration, created = EventRegistration.objects.get_or_create(
        event=event, user=user, defaults={"municipality": municipality}
    )
    if created:
        _record_registration(
            "event_register", event, user, municipality, "Zum Austausch angemeldet", "",
            "angemeldet",
        )  # fmt: skip
    return registration


@transaction.atomic
def event_unregister(*, event: ExchangeEvent, user: User) -> None:
    registration = (
        EventRegistration.objects.filter(event=event, user=user)
        .select_related("municipality")
        .first()
    )
    if registration is None:
        return
    _record_registration(
        "event_unregister", event, user, registration.municipality, "Vom Austausch abgemeldet",
        "angemeldet", "",
    )  # fmt: skip
    registration.delete()


REMINDER_AHEAD = timedelta(hours=24)


@transaction.atomic
def reminders_send(*, now: datetime | None = None) -> int:
    """E-mail everyone registered for an event starting within the next 24 hours, once.

    The rows are locked and marked in the same transaction as the mails are queued, so two
    runs at the same time (or a second run later) never remind anyone twice.
    """
    now = now or timezone.now()
    due = list(
        EventRegistration.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("event", "user")
        .filter(
            reminder_sent_at__isnull=True,
            event__starts_at__gt=now,
            event__starts_at__lte=now + REMINDER_AHEAD,
        )
    )
    for registration in due:
        event = registration.event
        starts = timezone.localtime(event.starts_at)
        mail_after_commit(
            f"Erinnerung: {event.topic} am {formats.day(starts)} um {starts:%H:%M} Uhr",
            f"Sie sind zum Austausch „{event.topic}“ angemeldet.\n"
            f"Beginn: {starts:%d.%m.%Y, %H:%M} Uhr ({event.duration_minutes} Minuten)\n"
            + (f"Videokonferenz: {event.online_url}\n" if event.online_url else ""),
            [registration.user.email],
        )
    EventRegistration.objects.filter(pk__in=[r.pk for r in due]).update(reminder_sent_at=now)
    if due:
        audit.record(
            action="reminders_send",
            kind=audit.Kind.PRACTICE,
            summary=f"Erinnerungen an {len(due)} Anmeldungen verschickt",
            object_type="practices.eventregistration",
            object_label="Erinnerungen an Austauschtermine",
            changes=[
                {"field": "erinnert", "before": "",
                 "after": ", ".join(f"{r.user.email} ({r.event.topic})" for r in due[:50])}
            ],
            municipality=None,
        )  # fmt: skip
    return len(due)
