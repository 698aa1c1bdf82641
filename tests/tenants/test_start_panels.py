"""Start pages: the panel registry, tenants' own panels and the municipality switcher."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from roadmap.services import comment_add
from tenants import services, start_panels
from tenants.models import Invitation, Membership
from tenants.start_panels import PanelItem, StartPanel
from tests.costsharing.factories import budget_year, join
from tests.maturity.factories import load_small_model, make_campaign
from tests.papers.factories import finished_document, paper_for, paper_template
from tests.roadmap.factories import file_request, make_service
from tests.tenants.factories import START_PAGE_VIEWERS, invite, start_page_viewer


def test_officer_sees_open_and_expired_invitations_on_the_start_page(portal, client_for):
    invite(portal, "offen@test.example", portal.a)
    Invitation.objects.create(
        email="alt@test.example",
        municipality=portal.a,
        role=Membership.Role.READER,
        expires_at=timezone.now() - timedelta(days=3),
    )
    body = client_for(portal.officer_a, portal.a).get("/").content.decode()
    assert "Was offen ist" in body
    assert '<dt><a href="/personen/">offen</a></dt><dd>1</dd>' in body
    assert "abgelaufen, erneut senden oder zurückziehen</a></dt><dd>1</dd>" in body


def test_a_reader_gets_no_invitation_panel(portal, client_for):
    body = client_for(portal.reader_a, portal.a).get("/").content.decode()
    assert "Einladungen" not in body


def test_coordinator_start_page_names_municipalities_without_an_officer(portal, client_for):
    Membership.objects.filter(municipality=portal.b, role="digital_officer").delete()
    body = client_for(portal.coordinator).get("/").content.decode()
    assert "Kommunen ohne Digitalisierungsbeauftragte" in body
    assert "Beispielstadt" in body


def test_a_registered_provider_shows_its_panel_for_the_right_area(portal, client_for):
    def provider(context):
        if context.municipality is None:
            return None
        return StartPanel(
            title="Probe-Tafel", items=(PanelItem("Fragen beantwortet", "3 von 7"),), order=1
        )

    start_panels.register("municipality", "test.probe", provider)
    try:
        body = client_for(portal.officer_a, portal.a).get("/").content.decode()
        assert "Probe-Tafel" in body and "3 von 7" in body
        assert "Probe-Tafel" not in client_for(portal.coordinator).get("/").content.decode()
    finally:
        start_panels.MUNICIPALITY_PANELS.pop("test.probe")


def test_person_with_several_municipalities_switches_from_the_header(portal, client_for):
    services.membership_grant(
        user=portal.officer_a, municipality=portal.b, role=Membership.Role.READER
    )
    body = client_for(portal.officer_a, portal.a).get("/").content.decode()
    assert 'aria-label="Kommune wechseln"' in body
    assert f"//{portal.b.slug}." in body
    assert 'aria-current="true"' in body


def test_no_switcher_with_a_single_municipality(portal, client_for):
    body = client_for(portal.treasurer_a, portal.a).get("/").content.decode()
    assert "Kommune wechseln" not in body


@pytest.mark.parametrize("viewer", list(START_PAGE_VIEWERS))
def test_every_link_on_the_start_page_opens_for_the_person(viewer, portal, client_for):
    """Each panel offers only what the person's role may open: no link answers 403."""
    year = timezone.localdate().year
    budget_year(year, staff=(("Leitung", "1.00", "30000.00"),), key=(100, 0, 0, 0))
    join(portal.a, date(year - 1, 1, 1), budget_line="HH-A")
    finished_document(paper_for(portal.a, year, paper_template("Startseite Links")))
    make_campaign(load_small_model(key="startlinks"), [portal.a])
    service = make_service()
    request = file_request(portal.a, portal.officer_a, service)
    comment_add(
        municipality=portal.a, request_id=request.pk, user=portal.coordinator,
        text="Rückfrage", by_kreis=True,
    )  # fmt: skip
    invite(portal, "links@test.example", portal.a)
    client = start_page_viewer(portal, client_for, viewer)
    body = client.get("/").content.decode()
    panels = re.search(
        r'<section aria-labelledby="offen" class="start-panels">(.*?)\n</section>', body, re.S
    )
    assert panels, body
    links = set(re.findall(r'href="([^"]+)"', panels.group(1)))
    assert links
    refused = {link: status for link in links if (status := client.get(link).status_code) != 200}
    assert refused == {}
