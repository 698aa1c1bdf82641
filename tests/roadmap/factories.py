"""Test data for roadmap: services, requests moved along the workflow, measures, results."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from maturity.models import Campaign, Participation
from roadmap import services
from roadmap.models import Measure, Priority, RequestStatus, Service
from roadmap.municipal.models import ServiceRequest
from roadmap.services import MeasureInput, RequestInput
from tenants.models import Membership, Municipality, User

_counter = itertools.count(1)

KREIS_PATH = (
    RequestStatus.IN_REVIEW,
    RequestStatus.ACCEPTED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.DONE,
)


def make_service(**fields: object) -> Service:
    defaults: dict[str, object] = {
        "name": f"Testleistung {uuid.uuid4().hex[:8]}",
        "description": "Eine Leistung für Tests.",
        "category": Service.Category.EGOVERNMENT,
        "unit": Service.Unit.HOURS,
        "requester_roles": [Membership.Role.DIGITAL_OFFICER.value],
        "is_open": True,
    }
    defaults.update(fields)
    return services.service_save(service=Service(**defaults))


def future(days: int = 30) -> date:
    return timezone.localdate() + timedelta(days=days)


def request_input(service: Service, **fields: object) -> RequestInput:
    values: dict[str, object] = {
        "service_id": service.pk,
        "need": "Zwei Verfahren an das Fachverfahren anbinden.",
        "quantity": Decimal("12"),
        "priority": Priority.HIGH,
        "wished_date": future(),
    }
    values.update(fields)
    return RequestInput(**values)  # type: ignore[arg-type]


def file_request(
    municipality: Municipality, user: User, service: Service, **fields: object
) -> ServiceRequest:
    return services.service_request_create(
        municipality=municipality,
        data=request_input(service, **fields),
        user=user,
        roles=[Membership.Role.DIGITAL_OFFICER],
    )


def move(
    municipality: Municipality,
    request: ServiceRequest,
    coordinator: User,
    *statuses: str,
    reason: str = "",
) -> ServiceRequest:
    for status in statuses:
        request = services.service_request_transition(
            municipality=municipality, request_id=request.pk, to_status=status,
            user=coordinator, by_kreis=True, reason=reason,
        )  # fmt: skip
    return request


def make_measure(
    *,
    title: str = "",
    dimension_key: str = "a",
    start: str = "2026-Q1",
    end: str = "2026-Q4",
    municipalities: tuple[int, ...] = (),
    depends_on: tuple[int, ...] = (),
    requests: tuple[int, ...] = (),
    status: str = Measure.Status.PLANNED,
) -> Measure:
    data = MeasureInput(
        title=title or f"Maßnahme {next(_counter)}", description="Beschreibung",
        dimension_key=dimension_key, start_quarter=start, end_quarter=end,
        responsible="Frau Koordination", status=status, municipality_ids=municipalities,
        request_ids=requests, depends_on_ids=depends_on,
    )  # fmt: skip
    return services.measure_save(measure=None, data=data, user=None)


def submitted_result(
    campaign: Campaign,
    municipality: Municipality,
    scores: dict[str, str],
    targets: dict[str, str],
) -> Participation:
    return Participation.objects.create(
        campaign=campaign,
        municipality=municipality,
        status=Participation.Status.SUBMITTED,
        dimension_scores=scores,
        target_dimension_scores=targets,
        overall_index=Decimal(50),
        target_index=Decimal(60),
        answered_count=3,
        question_count=3,
    )
