"""The service request workflow: steps, roles, reasons, e-mails, comments and usage."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from costsharing.models import UsageRecord
from roadmap import services
from roadmap.models import RequestStatus, RequestSummary
from roadmap.municipal.models import ServiceRequest, StatusChange
from roadmap.services import RoadmapError
from tenants.models import Membership
from tests.conftest import Portal
from tests.roadmap.factories import KREIS_PATH, file_request, make_service, move, request_input

pytestmark = pytest.mark.django_db
S = RequestStatus


def _status(portal: Portal, in_tenant, request_id) -> str:
    with in_tenant(portal.a):
        return ServiceRequest.objects.get(pk=request_id).status


def test_filed_request_lives_in_the_tenant_and_is_projected_to_the_read_model(
    portal: Portal, in_tenant
):
    service = make_service()
    request = file_request(portal.a, portal.officer_a, service, quantity=Decimal("7.5"))
    with in_tenant(portal.a):
        stored = ServiceRequest.objects.get(pk=request.pk)
        assert stored.status == S.SUBMITTED
        assert [c.to_status for c in stored.status_changes.all()] == [S.SUBMITTED]
    with in_tenant(portal.b):
        assert not ServiceRequest.objects.filter(pk=request.pk).exists()
    summary = RequestSummary.objects.get(request_id=request.pk)
    assert summary.municipality == portal.a
    assert summary.service == service
    assert summary.quantity == Decimal("7.5")
    assert summary.status == S.SUBMITTED


def test_the_kreis_moves_a_request_step_by_step_to_done_with_history(portal: Portal, in_tenant):
    service = make_service()
    request = file_request(portal.a, portal.officer_a, service)
    move(portal.a, request, portal.coordinator, *KREIS_PATH)
    with in_tenant(portal.a):
        changes = list(StatusChange.objects.filter(request_id=request.pk))
    assert [c.to_status for c in changes] == [S.SUBMITTED, *KREIS_PATH]
    assert all(c.changed_by_id == portal.coordinator.pk for c in changes[1:])
    assert RequestSummary.objects.get(request_id=request.pk).status == S.DONE


@pytest.mark.parametrize(
    ("path", "jump"),
    [
        ((), S.ACCEPTED),
        ((), S.DONE),
        ((S.IN_REVIEW,), S.IN_PROGRESS),
        ((S.IN_REVIEW, S.ACCEPTED), S.DONE),
        ((S.IN_REVIEW, S.REJECTED), S.ACCEPTED),
    ],
)
def test_skipping_a_state_is_refused_and_changes_nothing(portal: Portal, in_tenant, path, jump):
    request = file_request(portal.a, portal.officer_a, make_service())
    move(portal.a, request, portal.coordinator, *path, reason="Begründung")
    before = _status(portal, in_tenant, request.pk)
    with pytest.raises(RoadmapError) as refused:
        move(portal.a, request, portal.coordinator, jump, reason="Begründung")
    assert refused.value.status == 409
    assert _status(portal, in_tenant, request.pk) == before
    assert RequestSummary.objects.get(request_id=request.pk).status == before


@pytest.mark.parametrize("target", [S.IN_REVIEW, S.ACCEPTED, S.REJECTED])
def test_only_the_kreis_reviews_accepts_or_rejects(portal: Portal, in_tenant, target):
    request = file_request(portal.a, portal.officer_a, make_service())
    if target != S.IN_REVIEW:
        move(portal.a, request, portal.coordinator, S.IN_REVIEW)
    before = _status(portal, in_tenant, request.pk)
    with pytest.raises(RoadmapError) as refused:
        services.service_request_transition(
            municipality=portal.a, request_id=request.pk, to_status=target,
            user=portal.officer_a, by_kreis=False, reason="Wir nehmen selbst an.",
        )  # fmt: skip
    assert refused.value.status == 403
    assert "Nur das Zentrum" in refused.value.message
    assert _status(portal, in_tenant, request.pk) == before


def test_rejecting_requires_a_reason(portal: Portal, in_tenant):
    request = file_request(portal.a, portal.officer_a, make_service())
    move(portal.a, request, portal.coordinator, S.IN_REVIEW)
    with pytest.raises(RoadmapError, match="Begründung"):
        move(portal.a, request, portal.coordinator, S.REJECTED, reason="   ")
    assert _status(portal, in_tenant, request.pk) == S.IN_REVIEW
    move(portal.a, request, portal.coordinator, S.REJECTED, reason="Nicht im Budget 2026.")
    with in_tenant(portal.a):
        last = StatusChange.objects.filter(request_id=request.pk).last()
    assert last is not None
    assert (last.to_status, last.reason) == (S.REJECTED, "Nicht im Budget 2026.")


def test_the_municipality_may_withdraw_only_before_acceptance(portal: Portal, in_tenant):
    request = file_request(portal.a, portal.officer_a, make_service())
    move(portal.a, request, portal.coordinator, S.IN_REVIEW, S.ACCEPTED)
    with pytest.raises(RoadmapError):
        services.service_request_transition(
            municipality=portal.a, request_id=request.pk, to_status=S.WITHDRAWN,
            user=portal.officer_a, by_kreis=False, reason="Hat sich erledigt.",
        )  # fmt: skip
    other = file_request(portal.a, portal.officer_a, make_service())
    services.service_request_transition(
        municipality=portal.a, request_id=other.pk, to_status=S.WITHDRAWN,
        user=portal.officer_a, by_kreis=False, reason="Hat sich erledigt.",
    )  # fmt: skip
    assert _status(portal, in_tenant, other.pk) == S.WITHDRAWN


def test_every_status_change_emails_the_requester_after_commit(
    portal: Portal, django_capture_on_commit_callbacks, mailoutbox
):
    request = file_request(portal.a, portal.officer_a, make_service(name="Ehrenamts-Cloud Test"))
    with django_capture_on_commit_callbacks(execute=True):
        move(portal.a, request, portal.coordinator, S.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        move(portal.a, request, portal.coordinator, S.REJECTED, reason="Kein Bedarf erkennbar.")
    assert [m.to for m in mailoutbox] == [[portal.officer_a.email], [portal.officer_a.email]]
    assert "in Prüfung" in mailoutbox[0].subject
    assert "Ehrenamts-Cloud Test" in mailoutbox[0].subject
    assert "abgelehnt" in mailoutbox[1].subject
    assert "Kein Bedarf erkennbar." in mailoutbox[1].body


def test_a_refused_change_sends_no_email(
    portal: Portal, django_capture_on_commit_callbacks, mailoutbox
):
    request = file_request(portal.a, portal.officer_a, make_service())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RoadmapError):
        move(portal.a, request, portal.coordinator, S.DONE)
    assert mailoutbox == []


def test_comments_of_both_sides_are_kept_and_mailed_to_the_other_side(
    portal: Portal, in_tenant, django_capture_on_commit_callbacks, mailoutbox
):
    request = file_request(portal.a, portal.officer_a, make_service())
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            municipality=portal.a, request_id=request.pk, user=portal.officer_a,
            text="Wann können Sie starten?", by_kreis=False,
        )  # fmt: skip
        services.comment_add(
            municipality=portal.a, request_id=request.pk, user=portal.coordinator,
            text="Im dritten Quartal.", by_kreis=True,
        )  # fmt: skip
    with in_tenant(portal.a):
        comments = list(ServiceRequest.objects.get(pk=request.pk).comments.all())
    assert [(c.text, c.by_kreis) for c in comments] == [
        ("Wann können Sie starten?", False),
        ("Im dritten Quartal.", True),
    ]
    assert portal.coordinator.email in mailoutbox[0].to
    assert mailoutbox[1].to == [portal.officer_a.email]
    assert "Im dritten Quartal." in mailoutbox[1].body


def test_an_empty_comment_is_refused(portal: Portal, in_tenant):
    request = file_request(portal.a, portal.officer_a, make_service())
    with pytest.raises(RoadmapError, match="leer"):
        services.comment_add(
            municipality=portal.a, request_id=request.pk, user=portal.officer_a, text="  ",
            by_kreis=False,
        )  # fmt: skip


def test_completion_records_the_quantity_once_as_usage(portal: Portal, in_tenant):
    service = make_service()
    request = file_request(portal.a, portal.officer_a, service, quantity=Decimal("16"))
    move(portal.a, request, portal.coordinator, *KREIS_PATH)
    reference = services.usage_reference(request.pk)
    record = UsageRecord.objects.get(reference=reference)
    assert record.municipality_id == portal.a.pk
    assert record.units == Decimal("16")
    assert record.year == timezone.localdate().year
    assert record.source == UsageRecord.Source.SERVICE_REQUEST
    # A second click on "erledigt" is refused and records nothing more.
    with pytest.raises(RoadmapError) as refused:
        move(portal.a, request, portal.coordinator, S.DONE)
    assert refused.value.status == 409
    assert UsageRecord.objects.filter(reference=reference).count() == 1
    with in_tenant(portal.a):
        stored = ServiceRequest.objects.get(pk=request.pk)
    assert stored.usage_reference == reference
    assert stored.usage_recorded_at is not None


def test_usage_is_recorded_only_on_completion(portal: Portal):
    request = file_request(portal.a, portal.officer_a, make_service())
    move(portal.a, request, portal.coordinator, *KREIS_PATH[:3])
    assert not UsageRecord.objects.filter(reference=services.usage_reference(request.pk)).exists()


def test_recording_the_same_reference_twice_keeps_one_record(portal: Portal):
    reference = "roadmap-request:00000000-0000-0000-0000-00000000abcd"
    for _ in range(2):
        services.usage_record_for_request(
            municipality_id=portal.a.pk, year=2026, units=Decimal("3"), reference=reference
        )
    assert UsageRecord.objects.filter(reference=reference).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"wished_date": timezone.localdate() - timedelta(days=1)}, "Vergangenheit"),
        ({"quantity": Decimal("0")}, "größer als null"),
        ({"quantity": Decimal("-2")}, "größer als null"),
    ],
)
def test_bad_request_input_is_refused_and_nothing_is_stored(
    portal: Portal, in_tenant, fields, message
):
    service = make_service()
    with in_tenant(portal.a):
        count = ServiceRequest.objects.count()
    with pytest.raises(RoadmapError, match=message) as refused:
        services.service_request_create(
            municipality=portal.a, data=request_input(service, **fields), user=portal.officer_a,
            roles=[Membership.Role.DIGITAL_OFFICER],
        )  # fmt: skip
    assert refused.value.status == 400
    with in_tenant(portal.a):
        assert ServiceRequest.objects.count() == count
    assert not RequestSummary.objects.filter(service=service).exists()


def test_unknown_closed_or_role_restricted_services_cannot_be_requested(portal: Portal):
    closed = make_service(is_open=False)
    for_treasurers = make_service(requester_roles=[Membership.Role.TREASURER.value])
    with pytest.raises(RoadmapError, match="gibt es im Leistungskatalog nicht"):
        file_request(portal.a, portal.officer_a, closed, service_id=999_999_999)
    with pytest.raises(RoadmapError, match="nicht angefragt werden"):
        file_request(portal.a, portal.officer_a, closed)
    with pytest.raises(RoadmapError, match="Rollen") as refused:
        file_request(portal.a, portal.officer_a, for_treasurers)
    assert refused.value.status == 403
