"""Adoptions: a municipality's interest in a practice, its progress, and turning it into a
measure or a service request."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from izd.audit import recording as audit
from izd.mail import mail_after_commit
from roadmap import services as roadmap_services
from roadmap.models import Measure, RequestSummary
from roadmap.practices.models import Adoption, Practice, PracticeVersion
from roadmap.practices.services.common import PracticeError, _clean
from tenants.models import Municipality, User

_ADOPTION_FIELDS = ("status", "note")


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
            "interest_declare", adoption, "Interesse an Nachnutzung bekundet", user, before={}
        )
        mail_after_commit(
            f"Interesse an Ihrem Praxisbeispiel „{version.title}“",
            f"{municipality.name} möchte Ihr Praxisbeispiel „{version.title}“ nachnutzen.\n\n"
            f"Ansprechperson: {user.get_full_name() or user.email}\nE-Mail: {user.email}\n",
            [version.contact_email],
        )
    return adoption


def _record_adoption(
    action: str,
    adoption: Adoption,
    summary: str,
    user: User | None,
    *,
    before: dict[str, object],
    changes: list[dict[str, str]] | None = None,
) -> None:
    """An adoption's entries belong to the adopting municipality."""
    version = Practice.objects.get(pk=adoption.practice_id).published_version
    title = version.title if version else ""
    audit.record(
        action=action, kind=audit.Kind.PRACTICE,
        summary=f"{summary}: „{title}“, {adoption.municipality.name}", target=adoption,
        object_label=f"Nachnutzung „{title}“ ({adoption.municipality.name})",
        fields=_ADOPTION_FIELDS, before=before, changes=changes or [],
        municipality=adoption.municipality, actor=audit.UNSET if user is None else user,
    )  # fmt: skip


@transaction.atomic
def adoption_update(*, adoption: Adoption, status: str, note: str) -> Adoption:
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    before = audit.snapshot(adoption, *_ADOPTION_FIELDS)
    adoption.status = status
    adoption.note = note.strip()
    _clean(adoption)
    adoption.save()
    _record_adoption("adoption_update", adoption, "Nachnutzung geändert", None, before=before)
    return adoption


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _dimension_key(version: PracticeVersion) -> str:
    return version.dimension_keys[0] if version.dimension_keys else "ikz"


def _unlinked(adoption: Adoption, link: str, what: str) -> tuple[Adoption, PracticeVersion]:
    """The adoption, locked, and its practice's published version; refused where the adoption
    already led to `what` (its field `link` is set) or the practice is not published."""
    adoption = (
        Adoption.objects.select_for_update().select_related("municipality").get(pk=adoption.pk)
    )
    if getattr(adoption, link) is not None:
        raise PracticeError(f"Aus dieser Nachnutzung ist bereits {what} entstanden.", 409)
    version = Practice.objects.get(pk=adoption.practice_id).published_version
    if version is None:
        raise PracticeError("Dieses Praxisbeispiel ist nicht veröffentlicht.", 404)
    return adoption, version


@transaction.atomic
def adoption_to_measure(*, adoption: Adoption, user: User) -> Measure:
    """A roadmap measure in which the adopting municipality takes part; linked both ways."""
    adoption, version = _unlinked(adoption, "measure_id", "eine Maßnahme")
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
        "adoption_to_measure", adoption, "Maßnahme aus Nachnutzung angelegt", user,
        before=before, changes=[{"field": "Maßnahme", "before": "", "after": measure.title}],
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
    adoption, version = _unlinked(adoption, "request_id", "eine Anfrage")
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
        before=audit.snapshot(adoption, *_ADOPTION_FIELDS),
        changes=[{"field": "Anfrage", "before": "", "after": str(request.pk)}],
    )  # fmt: skip
    return summary
