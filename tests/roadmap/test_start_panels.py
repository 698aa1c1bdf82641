"""Requests on the start pages: what waits for the centre's answer, questions of the centre the
municipality has not answered, and the Kreis' requests to triage."""

from __future__ import annotations

import re

from roadmap import services
from roadmap.models import RequestStatus
from roadmap.municipal.models import ServiceRequest
from tenants.models import Municipality, User
from tests.roadmap.factories import file_request, make_service, move


def _panel(body: str, title: str) -> str:
    found = re.search(rf"<h3 [^>]*>{re.escape(title)}</h3>(.*?)</section>", body, re.S)
    assert found, f"no panel {title!r}"
    return found.group(1)


def _requests_panel(client_for, person: User, town: Municipality) -> str:
    """The requests panel of `town`'s start page, as `person` sees it."""
    return _panel(client_for(person, town).get("/").content.decode(), "Leistungsanfragen")


def _comment(
    town: Municipality, request: ServiceRequest, user: User, text: str, *, by_kreis: bool
) -> None:
    services.comment_add(
        municipality=town, request_id=request.pk, user=user, text=text, by_kreis=by_kreis
    )


def test_officer_sees_requests_waiting_and_a_question_of_the_centre(portal, client_for):
    service = make_service(name="Startseiten-Leistung")
    first = file_request(portal.a, portal.officer_a, service)
    second = file_request(portal.a, portal.officer_a, service)
    move(portal.a, second, portal.coordinator, RequestStatus.IN_REVIEW)
    _comment(portal.a, first, portal.coordinator, "Welche Verfahren genau?", by_kreis=True)
    panel = _requests_panel(client_for, portal.officer_a, portal.a)
    assert (
        f'href="/roadmap/anfragen/{first.pk}/">Rückfrage des Zentrums: Startseiten-Leistung'
        in panel
    )
    assert "warten auf Antwort des Zentrums</a></dt><dd>2</dd>" in panel
    assert 'href="/roadmap/anfragen/neu/">Leistung des Zentrums anfragen' in panel

    _comment(
        portal.a, first, portal.officer_a, "Das Meldewesen und die Hundesteuer.", by_kreis=False
    )
    panel = _requests_panel(client_for, portal.officer_a, portal.a)
    assert "Rückfrage des Zentrums" not in panel


def test_reader_sees_the_requests_but_is_not_offered_to_file_one(portal, client_for):
    file_request(portal.a, portal.officer_a, make_service())
    panel = _requests_panel(client_for, portal.reader_a, portal.a)
    assert "warten auf Antwort des Zentrums" in panel
    assert "/roadmap/anfragen/neu/" not in panel


def test_another_municipality_does_not_count_these_requests(portal, client_for):
    file_request(portal.a, portal.officer_a, make_service())
    panel = _requests_panel(client_for, portal.officer_b, portal.b)
    assert "warten auf Antwort" not in panel
    assert "Keine offene Anfrage" in panel


def test_kreis_start_page_counts_the_requests_to_triage_by_status(portal, client_for):
    service = make_service()
    file_request(portal.a, portal.officer_a, service)
    file_request(portal.b, portal.officer_b, service)
    request = file_request(portal.b, portal.officer_b, service)
    move(portal.b, request, portal.coordinator, RequestStatus.IN_REVIEW)
    for user in (portal.coordinator, portal.centre_treasurer):
        panel = _panel(
            client_for(user).get("/").content.decode(), "Leistungsanfragen zu bearbeiten"
        )
        assert (
            '<a href="/roadmap/anfragen/?status=eingereicht">eingereicht</a></dt><dd>2</dd>'
            in panel
        )
        assert (
            '<a href="/roadmap/anfragen/?status=in_pruefung">in Prüfung</a></dt><dd>1</dd>' in panel
        )
