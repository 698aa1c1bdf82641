"""Practices and their versions: describing, submitting and the centre's review (one review
state machine, `PracticeVersion.State`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import Value
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from izd.audit import recording as audit
from izd.mail import mail_after_commit
from roadmap.practices.models import Practice, PracticeVersion, Product
from roadmap.practices.services.common import (
    _VERSION_FIELDS,
    SEARCH_CONFIG,
    PracticeError,
    State,
    _clean,
    _record_practice,
    latest_version,
)
from tenants.models import Municipality, User

CONTENT_FIELDS = (
    "title", "summary", "problem", "solution", "result", "dimension_keys", "question_keys",
    "cost_once", "cost_yearly", "effort_days", "duration_months", "project_status",
    "lessons_learned", "contact_name", "contact_email", "contact_phone", "links", "reuse_terms",
    "licence", "service_id", "visibility",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class PracticeInput:
    """A practice's content as its author enters it: what it is, its story, what it is about
    and what was learnt, costs, the contact and the terms of reuse."""

    title: str
    summary: str
    problem: str = ""
    solution: str = ""
    result: str = ""
    dimension_keys: tuple[str, ...] = ()
    question_keys: tuple[str, ...] = ()
    product_ids: tuple[int, ...] = ()
    service_id: int | None = None
    project_status: str = "pilot"
    lessons_learned: str = ""
    cost_once: Decimal = Decimal("0")
    cost_yearly: Decimal = Decimal("0")
    effort_days: Decimal = Decimal("0")
    duration_months: int = 0
    contact_name: str
    contact_email: str
    contact_phone: str = ""
    links: tuple[str, ...] = ()
    reuse_terms: str = "vorlagen"
    licence: str = ""
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
