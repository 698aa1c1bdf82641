"""Suggestions: dimensions where many municipalities lie below their target, and open requests
grouped by service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from maturity.models import Campaign
from roadmap import selectors
from roadmap.models import RequestStatus, RequestSummary
from tests.conftest import Portal
from tests.maturity.factories import fake_municipalities, load_small_model
from tests.roadmap.factories import file_request, make_measure, make_service, move, submitted_result

pytestmark = pytest.mark.django_db


def _campaign_with_results(below_a: int, above_a: int) -> Campaign:
    """Dimension a: `below_a` towns under their own target; dimension b: every town on target."""
    version = load_small_model()
    towns = fake_municipalities(below_a + above_a, prefix="Vorschlagsort")
    campaign = Campaign.objects.create(
        name=f"Erhebung Vorschläge {version.key}", model_version=version,
        start_date=date(2031, 3, 1), end_date=date(2031, 12, 31),
    )  # fmt: skip
    for i, town in enumerate(towns):
        below = i < below_a
        submitted_result(
            campaign, town,
            scores={"a": "25.0" if below else "75.0", "b": "50.0"},
            targets={"a": "75.0", "b": "50.0"},
        )  # fmt: skip
    return campaign


def test_a_dimension_is_suggested_when_enough_municipalities_lie_below_their_target(
    portal: Portal,
):
    campaign = _campaign_with_results(below_a=3, above_a=7)
    found = selectors.dimension_suggestions(campaign, min_count=3, min_share=50)
    assert [s.dimension.key for s in found] == ["a"]
    assert (found[0].below, found[0].total, found[0].share) == (3, 10, 30)
    assert len(found[0].municipality_ids) == 3


def test_below_both_thresholds_nothing_is_suggested(portal: Portal):
    campaign = _campaign_with_results(below_a=2, above_a=8)
    assert selectors.dimension_suggestions(campaign, min_count=3, min_share=30) == []


def test_the_share_threshold_alone_suffices(portal: Portal):
    campaign = _campaign_with_results(below_a=2, above_a=2)
    found = selectors.dimension_suggestions(campaign, min_count=3, min_share=50)
    assert [(s.dimension.key, s.share) for s in found] == [("a", 50)]


def test_a_dimension_with_an_open_measure_is_not_suggested_again(portal: Portal):
    campaign = _campaign_with_results(below_a=4, above_a=0)
    make_measure(dimension_key="a")
    assert selectors.dimension_suggestions(campaign, min_count=3, min_share=30) == []


def test_the_suggestions_use_the_latest_campaign_with_results(portal: Portal):
    campaign = _campaign_with_results(below_a=3, above_a=0)
    found = selectors.suggestions(min_count=3, min_share=100, min_requesting=99)
    assert found.campaign == campaign
    assert [s.dimension.key for s in found.dimensions] == ["a"]


def test_open_requests_are_grouped_by_service_when_several_municipalities_ask(portal: Portal):
    shared = make_service(name="Ehrenamts-Cloud Vorschlagstest")
    single = make_service()
    file_request(portal.a, portal.officer_a, shared, quantity=Decimal("10"))
    file_request(portal.b, portal.officer_b, shared, quantity=Decimal("5"))
    file_request(portal.a, portal.officer_a, single)
    file_request(portal.a, portal.officer_a, single)
    found = {s.service.pk: s for s in selectors.service_suggestions(min_requesting=2)}
    assert shared.pk in found
    assert single.pk not in found  # two requests, but one municipality
    suggestion = found[shared.pk]
    assert suggestion.quantity == Decimal("15")
    assert suggestion.municipality_names == ["Beispielstadt", "Testhausen"]


def test_requests_answered_by_a_measure_or_closed_are_not_suggested(portal: Portal):
    service = make_service()
    first = file_request(portal.a, portal.officer_a, service)
    second = file_request(portal.b, portal.officer_b, service)
    summary = RequestSummary.objects.get(request_id=first.pk)
    make_measure(requests=(summary.pk,))
    found = {s.service.pk for s in selectors.service_suggestions(min_requesting=2)}
    assert service.pk not in found
    third = file_request(portal.a, portal.officer_a, service)
    move(portal.a, third, portal.coordinator, RequestStatus.IN_REVIEW)
    move(portal.a, third, portal.coordinator, RequestStatus.REJECTED, reason="Doppelt")
    assert RequestSummary.objects.get(request_id=second.pk).status == RequestStatus.SUBMITTED
    found = {s.service.pk for s in selectors.service_suggestions(min_requesting=2)}
    assert service.pk not in found
