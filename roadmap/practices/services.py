"""Writes of the best-practice exchange: practices and their versions, the centre's review,
attachments, adoptions (and turning one into a measure or a service request), questions and
exchange events with their reminders.

E-mails are sent after the transaction commits, so nobody is told of a change that was rolled
back.

Long because the exchange has six kinds of writes (practices and versions, review, attachments,
adoptions, questions, events) that share one review state machine and send their e-mails after the
commit through the same helpers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from izd import formats
from izd.audit import recording as audit
from izd.errors import validation_message
from izd.exceptions import PortalError
from izd.mail import mail_after_commit
from roadmap import services as roadmap_services
from roadmap.models import Measure, RequestSummary
from roadmap.practices import attachments
from roadmap.practices.models import (
    Adoption,
    Attachment,
    EventRegistration,
    ExchangeEvent,
    Practice,
    PracticeVersion,
    Product,
    Question,
)
from tenants.models import Municipality, User

SEARCH_CONFIG = "german"
State = PracticeVersion.State


class PracticeError(PortalError):
    """A refused write; the message is German and shown to the user, `status` is the HTTP code."""


def _clean(instance: object, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)  # type: ignore[attr-defined]
    except ValidationError as error:
        raise PracticeError(validation_message(error), 400) from error


# --- practices and versions -----------------------------------------------------------------

CONTENT_FIELDS = (
    "title", "summary", "problem", "solution", "result", "dimension_keys", "question_keys",
    "cost_once", "cost_yearly", "effort_days", "duration_months", "project_status",
    "lessons_learned", "contact_name", "contact_email", "contact_phone", "links", "reuse_terms",
    "licence", "service_id", "visibility",
)  # fmt: skip


@dataclass(frozen=True)
class PracticeInput:
    title: str
    summary: str
    contact_name: str
    contact_email: str
    problem: str = ""
    solution: str = ""
    result: str = ""
    dimension_keys: tuple[str, ...] = ()
    question_keys: tuple[str, ...] = ()
    product_ids: tuple[int, ...] = ()
    cost_once: Decimal = Decimal("0")
    cost_yearly: Decimal = Decimal("0")
    effort_days: Decimal = Decimal("0")
    duration_months: int = 0
    project_status: str = "pilot"
    lessons_learned: str = ""
    contact_phone: str = ""
    links: tuple[str, ...] = ()
    reuse_terms: str = "vorlagen"
    licence: str = ""
    service_id: int | None = None
    visibility: str = "mitglieder"


def _fill(version: PracticeVersion, data: PracticeInput) -> list[Product]:
    for name in CONTENT_FIELDS:
        value = getattr(data, name)
        setattr(version, name, list(value) if isinstance(value, tuple) else value)
    version.title = version.title.strip()
    version.summary = version.summary.strip()
    products = list(Product.objects.filter(pk__in=data.product_ids))
    if len(products) != len(set(data.product_ids)):
        raise PracticeError("Eines der gewählten Produkte gibt es nicht.", 400)
    _clean(version, exclude=["practice"])
    return products


def _record_practice(
    action: str,
    practice: Practice,
    summary: str,
    user: User | None,
    changes: list[dict[str, str]] | None = None,
    *,
    title: str = "",
) -> None:
    """A practice's entries belong to the municipality that describes it (none: the centre)."""
    title = title or (latest_version(practice).title if practice.pk else "")
    audit.record(
        action=action,
        kind=audit.Kind.PRACTICE,
        summary=f"{summary}: „{title}“",
        target=practice,
        object_label=f"Praxisbeispiel „{title}“",
        changes=changes or [],
        municipality=practice.municipality,
        actor=audit.UNSET if user is None else user,
    )


_VERSION_FIELDS = ("title", "summary", "visibility", "project_status", "cost_once", "cost_yearly")


def latest_version(practice: Practice) -> PracticeVersion:
    version = practice.versions.order_by("-number").first()
    assert version is not None  # a practice is created with its first version
    return version


@transaction.atomic
def practice_create(
    *, municipality: Municipality | None, data: PracticeInput, user: User
) -> Practice:
    """A new practice as a draft (version 1); nobody but its authors sees it yet."""
    version = PracticeVersion(number=1, state=State.DRAFT, created_by=user)
    products = _fill(version, data)
    practice = Practice(municipality=municipality, created_by=user, visibility=data.visibility)
    _clean(practice)
    practice.save()
    version.practice = practice
    version.save()
    version.products.set(products)
    _record_practice(
        "practice_create", practice, "Praxisbeispiel als Entwurf angelegt", user,
        audit.diff({}, audit.snapshot(version, *_VERSION_FIELDS), model=PracticeVersion),
        title=version.title,
    )  # fmt: skip
    return practice


def _locked(practice: Practice) -> Practice:
    return Practice.objects.select_for_update().get(pk=practice.pk)


@transaction.atomic
def practice_update(*, practice: Practice, data: PracticeInput, user: User) -> PracticeVersion:
    """Change the draft; a published practice gets a new draft version, the published one
    stays visible (and kept in the history) until the centre publishes the new one."""
    practice = _locked(practice)
    current = latest_version(practice)
    if current.state == State.SUBMITTED:
        raise PracticeError(
            "Diese Fassung liegt dem Zentrum zur Prüfung vor und kann gerade nicht geändert "
            "werden.",
            409,
        )
    before = audit.snapshot(current, *_VERSION_FIELDS)
    if current.state == State.DRAFT:
        version = current
    else:
        version = PracticeVersion(
            practice=practice, number=current.number + 1, state=State.DRAFT, created_by=user
        )
    products = _fill(version, data)
    version.review_note = ""
    version.save()
    version.products.set(products)
    _record_practice(
        "practice_update", practice, f"Fassung {version.number} bearbeitet", user,
        audit.diff(before, audit.snapshot(version, *_VERSION_FIELDS), model=PracticeVersion),
        title=version.title,
    )  # fmt: skip
    return version


@transaction.atomic
def practice_submit(*, practice: Practice, user: User) -> PracticeVersion:
    practice = _locked(practice)
    version = latest_version(practice)
    if version.state != State.DRAFT:
        raise PracticeError("Nur ein Entwurf kann zur Prüfung eingereicht werden.", 409)
    version.state = State.SUBMITTED
    version.submitted_at = timezone.now()
    version.save(update_fields=["state", "submitted_at", "updated_at"])
    _record_practice(
        "practice_submit", practice, f"Fassung {version.number} zur Prüfung eingereicht", user,
        [{"field": "Status", "before": str(State.DRAFT.label),
          "after": version.get_state_display()}],
        title=version.title,
    )  # fmt: skip
    return version


def _search_vector(version: PracticeVersion) -> CombinedExpression:
    products = " ".join(p.name for p in version.products.all())
    return (
        SearchVector(Value(version.title), weight="A", config=SEARCH_CONFIG)
        + SearchVector(Value(version.summary), weight="B", config=SEARCH_CONFIG)
        + SearchVector(
            Value(
                " ".join(
                    (version.problem, version.solution, version.result, version.lessons_learned,
                     products)
                )
            ),
            weight="C",
            config=SEARCH_CONFIG,
        )
    )  # fmt: skip


@transaction.atomic
def practice_review(*, practice: Practice, user: User, approve: bool, note: str = "") -> Practice:
    """The centre publishes the submitted version or returns it to its authors as a draft."""
    practice = _locked(practice)
    version = latest_version(practice)
    if version.state != State.SUBMITTED:
        raise PracticeError("Es liegt keine eingereichte Fassung zur Prüfung vor.", 409)
    version.reviewed_by = user
    version.review_note = note.strip()
    if not approve:
        if not version.review_note:
            raise PracticeError("Bitte begründen, was vor der Veröffentlichung fehlt.", 400)
        version.state = State.DRAFT
        version.save(update_fields=["state", "reviewed_by", "review_note", "updated_at"])
        _record_practice(
            "practice_review", practice, f"Fassung {version.number} zurückgegeben", user,
            [{"field": "Status", "before": str(State.SUBMITTED.label),
              "after": version.get_state_display()},
             {"field": "Begründung", "before": "", "after": version.review_note}],
            title=version.title,
        )  # fmt: skip
        mail_after_commit(
            f"Praxisbeispiel „{version.title}“: bitte überarbeiten",
            f"Das Zentrum hat das Praxisbeispiel „{version.title}“ zurückgegeben:\n\n"
            f"{version.review_note}",
            [version.contact_email],
        )
        return practice
    now = timezone.now()
    practice.versions.filter(state=State.PUBLISHED).update(state=State.SUPERSEDED)
    version.state = State.PUBLISHED
    version.published_at = now
    version.save()
    practice.published_version = version
    practice.published_at = practice.published_at or now
    practice.visibility = version.visibility
    practice.save()
    Practice.objects.filter(pk=practice.pk).update(search_vector=_search_vector(version))
    _record_practice(
        "practice_review", practice, f"Fassung {version.number} veröffentlicht", user,
        [{"field": "Status", "before": str(State.SUBMITTED.label),
          "after": version.get_state_display()},
         {"field": "Sichtbarkeit", "before": "", "after": practice.get_visibility_display()}],
        title=version.title,
    )  # fmt: skip
    mail_after_commit(
        f"Praxisbeispiel „{version.title}“ veröffentlicht",
        f"Das Zentrum hat Version {version.number} des Praxisbeispiels „{version.title}“ "
        "veröffentlicht.",
        [version.contact_email],
    )
    return practice


# --- attachments ----------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *,
    practice: Practice,
    name: str,
    data: bytes,
    title: str,
    kind: str,
    user: User,
    event: ExchangeEvent | None = None,
) -> Attachment:
    """Store a file after checking its content; a refused file leaves nothing behind."""
    try:
        checked = attachments.check(
            name=name, data=data, max_bytes=settings.PRACTICE_ATTACHMENT_MAX_BYTES
        )
    except attachments.AttachmentRefused as error:
        raise PracticeError(str(error), 400) from error
    attachment = Attachment(
        practice=practice,
        event=event,
        kind=kind,
        title=(title or checked.filename).strip(),
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=user,
    )
    _clean(attachment)
    attachment.save()
    _record_practice(
        "attachment_add", practice, f"Datei „{attachment.filename}“ hinzugefügt", user,
        [{"field": "Datei", "before": "",
          "after": f"{attachment.title} ({attachment.filename}, {attachment.size} Bytes, "
                   f"SHA-256 {attachment.sha256})"}],
    )  # fmt: skip
    return attachment


# --- adoptions ------------------------------------------------------------------------------


@transaction.atomic
def interest_declare(*, practice: Practice, municipality: Municipality, user: User) -> Adoption:
    """One click: the municipality is interested; the author's contact learns who asks."""
    version = practice.published_version
    if version is None:
        raise PracticeError("Dieses Praxisbeispiel ist nicht veröffentlicht.", 404)
    if practice.municipality_id == municipality.pk:
        raise PracticeError("Das eigene Praxisbeispiel kann nicht nachgenutzt werden.", 409)
    adoption, created = Adoption.objects.get_or_create(
        practice=practice, municipality=municipality, defaults={"contact": user}
    )
    if created:
        _record_adoption(
            "interest_declare", adoption, "Interesse an Nachnutzung bekundet", user, {}
        )
        mail_after_commit(
            f"Interesse an Ihrem Praxisbeispiel „{version.title}“",
            f"{municipality.name} möchte Ihr Praxisbeispiel „{version.title}“ nachnutzen.\n\n"
            f"Ansprechperson: {user.get_full_name() or user.email}\nE-Mail: {user.email}\n",
            [version.contact_email],
        )
    return adoption


_ADOPTION_FIELDS = ("status", "note")


def _record_adoption(
    action: str,
    adoption: Adoption,
    summary: str,
    user: User | None,
    before: dict[str, object],
    changes: list[dict[str, str]] | None = None,
) -> None:
    """An adoption's entries belong to the adopting municipality."""
    version = Practice.objects.get(pk=adoption.practice_id).published_version
    title = version.title if version else ""
    audit.record(
        action=action,
        kind=audit.Kind.PRACTICE,
        summary=f"{summary}: „{title}“, {adoption.municipality.name}",
        target=adoption,
        object_label=f"Nachnutzung „{title}“ ({adoption.municipality.name})",
        fields=_ADOPTION_FIELDS,
        before=before,
        changes=changes or [],
        municipality=adoption.municipality,
        actor=audit.UNSET if user is None else user,
    )


@transaction.atomic
def adoption_update(*, adoption: Adoption, status: str, note: str) -> Adoption:
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    before = audit.snapshot(adoption, *_ADOPTION_FIELDS)
    adoption.status = status
    adoption.note = note.strip()
    _clean(adoption)
    adoption.save()
    _record_adoption("adoption_update", adoption, "Nachnutzung geändert", None, before)
    return adoption


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _dimension_key(version: PracticeVersion) -> str:
    return version.dimension_keys[0] if version.dimension_keys else "ikz"


@transaction.atomic
def adoption_to_measure(*, adoption: Adoption, user: User) -> Measure:
    """A roadmap measure in which the adopting municipality takes part; linked both ways."""
    adoption = (
        Adoption.objects.select_for_update().select_related("municipality").get(pk=adoption.pk)
    )
    if adoption.measure_id is not None:
        raise PracticeError("Aus dieser Nachnutzung ist bereits eine Maßnahme entstanden.", 409)
    version = Practice.objects.get(pk=adoption.practice_id).published_version
    if version is None:
        raise PracticeError("Dieses Praxisbeispiel ist nicht veröffentlicht.", 404)
    today = timezone.localdate()
    try:
        measure = roadmap_services.measure_save(
            measure=None,
            data=roadmap_services.MeasureInput(
                title=f"Nachnutzung: {version.title}"[:200],
                description=(
                    f"Nachnutzung des Praxisbeispiels „{version.title}“ durch "
                    f"{adoption.municipality.name}. {version.summary}"
                ),
                dimension_key=_dimension_key(version),
                start_quarter=_quarter(today),
                end_quarter=_quarter(today + timedelta(days=180)),
                responsible=adoption.municipality.name,
                status=Measure.Status.PLANNED,
                municipality_ids=(adoption.municipality_id,),
            ),
            user=user,
        )
    except roadmap_services.RoadmapError as error:
        raise PracticeError(error.message, error.status) from error
    before = audit.snapshot(adoption, *_ADOPTION_FIELDS)
    adoption.measure = measure
    if adoption.status == Adoption.Status.INTERESTED:
        adoption.status = Adoption.Status.PLANNED
    adoption.save(update_fields=["measure", "status", "updated_at"])
    _record_adoption(
        "adoption_to_measure", adoption, "Maßnahme aus Nachnutzung angelegt", user, before,
        [{"field": "Maßnahme", "before": "", "after": measure.title}],
    )  # fmt: skip
    return measure


@transaction.atomic
def adoption_to_request(
    *,
    adoption: Adoption,
    user: User,
    service_id: int,
    wished_date: date,
    roles: Iterable[str],
    is_coordinator: bool = False,
) -> RequestSummary:
    """A service request to the centre, in the adopting municipality's schema; linked both
    ways through the public read model of the request."""
    adoption = (
        Adoption.objects.select_for_update().select_related("municipality").get(pk=adoption.pk)
    )
    if adoption.request_id is not None:
        raise PracticeError("Aus dieser Nachnutzung ist bereits eine Anfrage entstanden.", 409)
    version = Practice.objects.get(pk=adoption.practice_id).published_version
    if version is None:
        raise PracticeError("Dieses Praxisbeispiel ist nicht veröffentlicht.", 404)
    try:
        request = roadmap_services.service_request_create(
            municipality=adoption.municipality,
            data=roadmap_services.RequestInput(
                service_id=service_id,
                need=f"Unterstützung bei der Nachnutzung des Praxisbeispiels „{version.title}“.",
                quantity=Decimal("1"),
                priority="mittel",
                wished_date=wished_date,
            ),
            user=user,
            roles=roles,
            is_coordinator=is_coordinator,
        )
    except roadmap_services.RoadmapError as error:
        raise PracticeError(error.message, error.status) from error
    summary = RequestSummary.objects.get(request_id=request.pk)
    adoption.request = summary
    adoption.save(update_fields=["request", "updated_at"])
    _record_adoption(
        "adoption_to_request", adoption, "Anfrage aus Nachnutzung gestellt", user,
        audit.snapshot(adoption, *_ADOPTION_FIELDS),
        [{"field": "Anfrage", "before": "", "after": str(request.pk)}],
    )  # fmt: skip
    return summary


# --- questions ------------------------------------------------------------------------------


@transaction.atomic
def question_ask(
    *, practice: Practice, user: User, municipality: Municipality | None, text: str
) -> Question:
    version = practice.published_version
    if version is None:
        raise PracticeError("Fragen sind nur zu veröffentlichten Praxisbeispielen möglich.", 409)
    question = Question(practice=practice, asked_by=user, municipality=municipality, text=text)
    question.text = question.text.strip()
    _clean(question)
    question.save()
    _record_practice(
        "question_ask", practice, "Frage gestellt", user,
        [{"field": "Frage", "before": "", "after": question.text}], title=version.title,
    )  # fmt: skip
    mail_after_commit(
        f"Neue Frage zu Ihrem Praxisbeispiel „{version.title}“",
        f"{user.get_full_name() or user.email} fragt:\n\n{question.text}",
        [version.contact_email],
    )
    return question


@transaction.atomic
def question_answer(*, question: Question, user: User, text: str) -> Question:
    question = Question.objects.select_for_update().get(pk=question.pk)
    answer_before = question.answer
    question.answer = text.strip()
    if not question.answer:
        raise PracticeError("Bitte eine Antwort eingeben.", 400)
    question.answered_by = user
    question.answered_at = timezone.now()
    _clean(question)
    question.save()
    asker = (
        User.objects.filter(pk=question.asked_by_id, is_active=True).first()
        if question.asked_by_id is not None
        else None
    )
    practice = Practice.objects.get(pk=question.practice_id)
    version = practice.published_version
    title = version.title if version else ""
    _record_practice(
        "question_answer", practice, "Frage beantwortet", user,
        [{"field": "Antwort", "before": answer_before, "after": question.answer}],
        title=title,
    )  # fmt: skip
    mail_after_commit(
        f"Antwort auf Ihre Frage zu „{title}“",
        f"Ihre Frage:\n{question.text}\n\nAntwort:\n{question.answer}",
        [asker.email] if asker else [],
    )
    return question


# --- exchange events ------------------------------------------------------------------------


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
    presenters = list(Municipality.objects.members().filter(pk__in=data.presenter_ids))
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
    audit.record(
        action="event_save",
        kind=audit.Kind.PRACTICE,
        summary=f"Austauschtermin „{event.topic}“ " + ("geändert" if before else "angelegt"),
        target=event,
        changes=audit.diff(
            before,
            {**audit.snapshot(event, *_EVENT_FIELDS), **_event_links(event)},
            model=ExchangeEvent,
            labels={"presenters": "Vortragende Kommunen", "practices": "Praxisbeispiele"},
        ),
        municipality=None,
        actor=user,
    )
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
        action=action,
        kind=audit.Kind.PRACTICE,
        summary=f"{summary}: {user.email}, „{event.topic}“",
        target=event,
        changes=[{"field": f"Anmeldung {user.email}", "before": before, "after": after}],
        municipality=municipality,
        actor=user,
    )


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
