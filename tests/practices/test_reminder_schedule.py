"""Exchange-event reminders go out on a schedule: every worker's dispatcher sends the reminder
task when its interval has passed (izd.periodic), and each registered person is reminded once,
however many workers sweep and however many turns pass."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from izd import periodic
from izd.models import PeriodicTurn
from roadmap.practices import services
from roadmap.practices.models import EventRegistration, ExchangeEvent
from roadmap.practices.services import EventInput
from tests.conftest import Portal
from tests.workers import own_queue, wait_for, worker

pytestmark = pytest.mark.celery

TASK = "practices.send_event_reminders"


def test_the_reminder_task_is_registered_with_the_dispatcher():
    assert TASK in periodic.registered()


def test_one_turn_per_interval_whoever_sweeps(db):
    now = timezone.now()
    PeriodicTurn.objects.filter(name=TASK).delete()
    with own_queue():  # the messages go to a queue nobody reads
        assert TASK in periodic.send_due(now)
        assert TASK not in periodic.send_due(now + timedelta(seconds=1))
        assert TASK in periodic.send_due(now + timedelta(hours=1))


def _event(topic: str, hours: int, user) -> ExchangeEvent:
    return services.event_save(
        event=None,
        data=EventInput(topic=topic, starts_at=timezone.now() + timedelta(hours=hours),
                        duration_minutes=60, online_url="https://video.example.de/raum",
                        presenter_ids=(), practice_ids=()),
        user=user,
    )  # fmt: skip


def _reminders(mail_dir: Path, topic: str) -> list[str]:
    """The recipients of the reminder mails the workers wrote, one entry per mail."""
    found = []
    for path in sorted(mail_dir.glob("*")):
        for message in path.read_text(errors="replace").split("-" * 79):
            if f"Erinnerung: {topic} am " in message:
                found += [
                    line[4:].strip() for line in message.splitlines() if line.startswith("To: ")
                ]
    return found


def _turn() -> datetime | None:
    return PeriodicTurn.objects.get(name=TASK).sent_at


def test_two_workers_remind_each_registered_person_once(portal: Portal, committed, tmp_path):
    topic = f"Treffen {uuid.uuid4().hex[:6]}"
    mail_dir = tmp_path / "mail"
    with committed():
        soon = _event(topic, 2, portal.coordinator)
        later = _event(f"{topic} spaeter", 72, portal.coordinator)
        for user, town in ((portal.officer_a, portal.a), (portal.officer_b, portal.b)):
            services.event_register(event=soon, user=user, municipality=town)
            services.event_register(event=later, user=user, municipality=town)
        PeriodicTurn.objects.filter(name=TASK).delete()
    options = {
        "IZD_JOB_SWEEP_SECONDS": "1",
        "IZD_EVENT_REMINDER_SECONDS": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "IZD_MAIL_DIR": str(mail_dir),
    }
    try:
        with committed():
            with (
                own_queue() as queue,
                worker(tmp_path, queue, **options) as first,
                worker(tmp_path, queue, **options) as second,
            ):

                def reminded() -> int:
                    return EventRegistration.objects.filter(
                        event=soon, reminder_sent_at__isnull=False
                    ).count()

                try:
                    wait_for(lambda: reminded() == 2, 240, "keine Erinnerungen verschickt")
                except AssertionError as error:
                    raise AssertionError(f"{first.output()}\n{second.output()}") from error
                wait_for(lambda: len(_reminders(mail_dir, topic)) >= 2, 60, "keine Mails")
                # Several more turns pass: nobody gets a second reminder.
                seen = {_turn()}

                def two_more_turns() -> bool:
                    seen.add(_turn())
                    return len(seen) >= 3

                wait_for(two_more_turns, 60, "keine weiteren Runden")
            recipients = _reminders(mail_dir, topic)
            assert sorted(recipients) == sorted([portal.officer_a.email, portal.officer_b.email])
            assert not EventRegistration.objects.filter(
                event=later, reminder_sent_at__isnull=False
            ).exists()
    finally:
        with committed():
            ExchangeEvent.objects.filter(pk__in=[soon.pk, later.pk]).delete()
