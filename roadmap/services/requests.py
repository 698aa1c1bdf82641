"""Service requests and their workflow.

A service request lives in its municipality's schema; every write of it also updates the public
read model `RequestSummary` in the same transaction (search_path is "<tenant>, public"), so the
workflow and its projection stay together here. A write by the Kreis switches to that one
municipality's schema for the tenant row."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from izd.audit import recording as audit
from izd.errors import validation_message
from izd.mail import mail_after_commit
from izd.schemas import tenant_schema
from roadmap import workflow
from roadmap.models import RequestStatus, RequestSummary, Service
from roadmap.municipal.models import Comment, ServiceRequest, StatusChange
from roadmap.services.errors import RoadmapError
from tenants import selectors as tenant_selectors
from tenants.models import Municipality, User


@dataclass(frozen=True)
class RequestInput:
    service_id: int
    need: str
    quantity: Decimal
    priority: str
    wished_date: date


def _requester_may_request(service: Service, roles: Iterable[str], *, is_coordinator: bool) -> bool:
    return is_coordinator or bool(set(roles).intersection(service.requester_roles))


def _project(
    request: ServiceRequest, municipality: Municipality, requester_name: str | None
) -> None:
    """Write the public read model row of a request (inside the caller's transaction)."""
    defaults: dict[str, Any] = {
        "municipality": municipality,
        "service_id": request.service_id,
        "need": request.need,
        "quantity": request.quantity,
        "priority": request.priority,
        "wished_date": request.wished_date,
        "status": request.status,
        "submitted_at": request.created_at,
        "updated_at": request.updated_at,
    }
    if requester_name is not None:
        defaults["requester_name"] = requester_name
    RequestSummary.objects.update_or_create(request_id=request.pk, defaults=defaults)


@transaction.atomic
def service_request_create(
    *,
    municipality: Municipality,
    data: RequestInput,
    user: User,
    roles: Iterable[str],
    is_coordinator: bool = False,
) -> ServiceRequest:
    """File a request of the municipality for a service of the catalogue."""
    service = Service.objects.filter(pk=data.service_id).first()
    if service is None:
        raise RoadmapError("Diese Leistung gibt es im Leistungskatalog nicht.", 400)
    if not service.is_open:
        raise RoadmapError(
            f"Die Leistung „{service.name}“ kann derzeit nicht angefragt werden.", 400
        )
    if not _requester_may_request(service, roles, is_coordinator=is_coordinator):
        raise RoadmapError(
            f"Die Leistung „{service.name}“ dürfen nur folgende Rollen anfragen: "
            f"{', '.join(service.requester_role_labels())}.",
            403,
        )
    if data.wished_date < timezone.localdate():
        raise RoadmapError("Das Wunschdatum darf nicht in der Vergangenheit liegen.", 400)
    if data.quantity <= 0:
        raise RoadmapError("Die Menge muss größer als null sein.", 400)
    with tenant_schema(municipality):
        request = ServiceRequest(
            service_id=service.pk,
            need=data.need.strip(),
            quantity=data.quantity,
            priority=data.priority,
            wished_date=data.wished_date,
            requested_by_id=user.pk,
        )
        try:
            request.full_clean()
        except ValidationError as error:
            raise RoadmapError(validation_message(error), 400) from error
        request.save()
        StatusChange.objects.create(
            request=request, from_status="", to_status=RequestStatus.SUBMITTED,
            changed_by_id=user.pk,
        )  # fmt: skip
        _project(request, municipality, str(user))
        service_name = service.name
        _record_request(
            "service_request_create", request, municipality, "Anfrage gestellt", user,
            [{"field": "Status", "before": "", "after": workflow.label(request.status)},
             *audit.diff({}, audit.snapshot(request, *_REQUEST_FIELDS), model=ServiceRequest)],
            service_name,
        )  # fmt: skip
    return request


_REQUEST_FIELDS = ("need", "quantity", "priority", "wished_date")


def _record_request(
    action: str,
    request: ServiceRequest,
    municipality: Municipality,
    summary: str,
    user: User,
    changes: list[dict[str, str]],
    service_name: str | None = None,
) -> None:
    name = service_name if service_name is not None else _service_name(request.service_id)
    audit.record(
        action=action, kind=audit.Kind.REQUEST, summary=f"{summary}: „{name}“, {municipality.name}",
        target=request, object_label=f"Anfrage „{name}“ ({municipality.name})", changes=changes,
        municipality=municipality, actor=user,
    )  # fmt: skip


def _lock(request_id: uuid.UUID) -> ServiceRequest:
    request = ServiceRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise RoadmapError("Diese Anfrage gibt es in Ihrer Kommune nicht.", 404)
    return request


def usage_reference(request_id: uuid.UUID) -> str:
    return f"roadmap-request:{request_id}"


def usage_record_for_request(
    *, municipality_id: int, year: int, units: Decimal, reference: str, note: str = ""
) -> int:
    """Hand the units of a completed request to cost sharing, once (idempotent by reference).

    A year already frozen after the council decisions takes no more usage: it then counts in
    the next year, as cost sharing asks. Returns the year it was recorded in.
    """
    from costsharing import services as costsharing

    for attempt_year in (year, year + 1):
        try:
            record = costsharing.usage_record(
                municipality_id=municipality_id, year=attempt_year, units=units,
                source="service_request", reference=reference, note=note,
            )  # fmt: skip
        except costsharing.FrozenYearError:
            continue
        except costsharing.CostsharingError as error:
            raise RoadmapError(f"Die Nutzung konnte nicht erfasst werden: {error}", 409) from error
        return int(record.year)
    raise RoadmapError(
        f"Die Nutzung konnte nicht erfasst werden: die Jahre {year} und {year + 1} sind "
        "bereits abgeschlossen.",
        409,
    )


def _requester_email(request: ServiceRequest) -> str | None:
    requester = tenant_selectors.active_user(request.requested_by_id)
    return requester.email if requester is not None else None


def _service_name(service_id: int) -> str:
    return Service.objects.filter(pk=service_id).values_list("name", flat=True).first() or ""


@transaction.atomic
def service_request_transition(
    *,
    municipality: Municipality,
    request_id: uuid.UUID,
    to_status: str,
    user: User,
    by_kreis: bool,
    reason: str = "",
    expected_status: str | None = None,
) -> ServiceRequest:
    """Move a request one step along the workflow.

    The row is locked, so two clicks at once are serialised: the second finds the status
    already moved and is refused. On "erledigt" the quantity is recorded once as use.
    """
    reason = reason.strip()
    with tenant_schema(municipality):
        request = _lock(request_id)
        if expected_status is not None and request.status != expected_status:
            now_label = workflow.label(request.status)
            raise RoadmapError(
                f"Die Anfrage wurde inzwischen geändert: Sie ist jetzt „{now_label}“.", 409
            )
        refusal = workflow.refusal(request.status, to_status, by_kreis=by_kreis)
        if refusal is not None:
            return _refuse(refusal, request.status, to_status, by_kreis=by_kreis)
        if to_status in workflow.REASON_REQUIRED and not reason:
            raise RoadmapError("Bitte eine Begründung angeben.", 400)
        previous = request.status
        request.status = to_status
        request.full_clean()
        request.save()
        StatusChange.objects.create(
            request=request, from_status=previous, to_status=to_status, reason=reason,
            changed_by_id=user.pk,
        )  # fmt: skip
        if to_status == RequestStatus.DONE and request.usage_recorded_at is None:
            reference = usage_reference(request.pk)
            now = timezone.now()
            usage_record_for_request(
                municipality_id=municipality.pk,
                year=timezone.localdate(now).year,
                units=request.quantity,
                reference=reference,
                note=f"Leistungsanfrage „{_service_name(request.service_id)}“ erledigt",
            )
            request.usage_reference = reference
            request.usage_recorded_at = now
            request.save(update_fields=["usage_reference", "usage_recorded_at"])
        _project(request, municipality, None)
        _notify_status(request, municipality, previous, reason)
        _record_request(
            "service_request_transition", request, municipality, "Status geändert", user,
            [{"field": "Status", "before": workflow.label(previous),
              "after": workflow.label(request.status)},
             *([{"field": "Begründung", "before": "", "after": reason}] if reason else [])],
        )  # fmt: skip
    return request


def _refuse(message: str, current: str, target: str, *, by_kreis: bool) -> ServiceRequest:
    allowed_elsewhere = target in workflow.next_statuses(current, by_kreis=not by_kreis)
    raise RoadmapError(message, 403 if allowed_elsewhere else 409)


def _notify_status(
    request: ServiceRequest, municipality: Municipality, previous: str, reason: str
) -> None:
    email = _requester_email(request)
    if email is None:
        return
    service = _service_name(request.service_id)
    lines = [
        "Guten Tag,",
        "",
        f"Ihre Anfrage zur Leistung „{service}“ für {municipality.name} hat einen neuen Status:",
        f"{workflow.label(previous)} → {workflow.label(request.status)}",
    ]
    if reason:
        lines += ["", f"Begründung: {reason}"]
    lines += ["", "Die Anfrage und alle Kommentare finden Sie im IZD-Portal unter Leistungen."]
    mail_after_commit(
        f"Leistungsanfrage „{service}“: {workflow.label(request.status)}",
        "\n".join(lines),
        [email],
    )


@transaction.atomic
def comment_add(
    *,
    municipality: Municipality,
    request_id: uuid.UUID,
    user: User,
    text: str,
    by_kreis: bool,
) -> Comment:
    """A comment on a request; the other side is told by e-mail."""
    text = text.strip()
    if not text:
        raise RoadmapError("Der Kommentar ist leer.", 400)
    with tenant_schema(municipality):
        request = _lock(request_id)
        comment = Comment(request=request, text=text, author_id=user.pk, by_kreis=by_kreis)
        try:
            comment.full_clean()
        except ValidationError as error:
            raise RoadmapError(validation_message(error), 400) from error
        comment.save()
        service = _service_name(request.service_id)
        if by_kreis:
            requester = _requester_email(request)
            recipients = [requester] if requester and requester != user.email else []
        else:
            recipients = tenant_selectors.coordinator_emails()
        mail_after_commit(
            f"Neuer Kommentar zur Leistungsanfrage „{service}“ ({municipality.name})",
            f"{user} schreibt:\n\n{text}\n\nAntworten Sie im IZD-Portal.",
            recipients,
        )
        _record_request(
            "comment_add", request, municipality, "Kommentar geschrieben", user,
            [{"field": "Kommentar", "before": "", "after": text}], service,
        )  # fmt: skip
    return comment
