"""Pages of roadmap: filing, triage, the workflow through htmx, refusals, roadmap pages."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from izd.models import Document
from roadmap.documents import KIND
from roadmap.models import Measure, RequestStatus, RequestSummary, Service, TargetLevel
from roadmap.municipal.models import ServiceRequest
from tests.conftest import Portal
from tests.roadmap.factories import file_request, make_measure, make_service, move

pytestmark = pytest.mark.django_db
S = RequestStatus
HTMX = {"HTTP_HX_REQUEST": "true"}


def _form(chosen: Service, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "service": chosen.pk,
        "need": "Anbindung des Gewerbeportals an das Fachverfahren.",
        "quantity": "20",
        "priority": "hoch",
        "wished_date": (timezone.localdate() + timedelta(days=60)).isoformat(),
    }
    data.update(changes)
    return data


def _count(portal: Portal, in_tenant) -> int:
    with in_tenant(portal.a):
        return ServiceRequest.objects.count()


def test_an_officer_files_a_request_and_sees_it(portal: Portal, client_for, in_tenant):
    service = make_service(name="OZG-Anbindung Seitentest")
    client = client_for(portal.officer_a, portal.a)
    response = client.post("/roadmap/anfragen/neu/", _form(service))
    assert response.status_code == 302
    summary = RequestSummary.objects.get(service=service)
    assert response["Location"] == f"/roadmap/anfragen/{summary.request_id}/"
    page = client.get(response["Location"]).content.decode()
    assert "OZG-Anbindung Seitentest" in page
    assert 'data-status="eingereicht"' in page
    listing = client.get("/roadmap/anfragen/").content.decode()
    assert "OZG-Anbindung Seitentest" in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"wished_date": (timezone.localdate() - timedelta(days=1)).isoformat()}, "Vergangenheit"),
        ({"quantity": "0"}, "größer als null"),
        ({"service": "999999999"}, "gibt es im Leistungskatalog nicht"),
        ({"quantity": "viele"}, "Zahl"),
    ],
)
def test_bad_input_gets_a_german_message_and_stores_nothing(
    portal: Portal, client_for, in_tenant, changes, message
):
    service = make_service()
    before = _count(portal, in_tenant)
    response = client_for(portal.officer_a, portal.a).post(
        "/roadmap/anfragen/neu/", _form(service, **changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _count(portal, in_tenant) == before


def test_a_reader_may_look_but_not_request(portal: Portal, client_for):
    client = client_for(portal.reader_a, portal.a)
    assert client.get("/roadmap/anfragen/").status_code == 200
    assert client.get("/roadmap/anfragen/neu/").status_code == 403


def test_another_municipalitys_request_id_is_not_found(portal: Portal, client_for, in_tenant):
    request = file_request(portal.a, portal.officer_a, make_service())
    client = client_for(portal.officer_b, portal.b)
    assert client.get(f"/roadmap/anfragen/{request.pk}/").status_code == 404
    response = client.post(f"/roadmap/anfragen/{request.pk}/kommentar/", {"text": "Hallo"})
    assert response.status_code == 404
    response = client.post(
        f"/roadmap/anfragen/{request.pk}/zurueckziehen/",
        {"status": S.WITHDRAWN, "reason": "weg damit"},
    )
    assert response.status_code == 404
    with in_tenant(portal.a):
        stored = ServiceRequest.objects.get(pk=request.pk)
        assert stored.status == S.SUBMITTED
        assert not stored.comments.exists()


def test_the_triage_page_reads_the_read_model_and_filters(portal: Portal, client_for):
    service = make_service(name="Geodaten Triage")
    file_request(portal.a, portal.officer_a, service)
    file_request(portal.b, portal.officer_b, service)
    client = client_for(portal.coordinator)
    page = client.get(f"/roadmap/anfragen/?leistung={service.pk}&status=").content.decode()
    assert "Testhausen" in page and "Beispielstadt" in page
    only_b = client.get(
        f"/roadmap/anfragen/?leistung={service.pk}&kommune={portal.b.slug}", **HTMX
    ).content.decode()
    assert "Beispielstadt" in only_b and "Testhausen" not in only_b
    assert "<html" not in only_b  # the partial only
    assert client_for(portal.officer_a).get("/roadmap/anfragen/").status_code == 403


def _clicked_twice(client: Client, request: ServiceRequest, status: str, expected: str):
    """A status button clicked twice on the same page (htmx): the second click is stale."""
    url = f"/roadmap/anfragen/{request.pk}/status/"
    form, htmx = {"status": status, "expected": expected}, {"HX-Request": "true"}
    return client.post(url, form, headers=htmx), client.post(url, form, headers=htmx)


def test_the_coordinator_moves_a_request_through_htmx(portal: Portal, client_for, in_tenant):
    request = file_request(portal.a, portal.officer_a, make_service())
    client = client_for(portal.coordinator)
    response, again = _clicked_twice(client, request, S.IN_REVIEW, S.SUBMITTED)
    assert response.status_code == 200
    assert 'data-status="in_pruefung"' in response.content.decode()
    # The same click again (a stale page) is refused and changes nothing.
    assert again.status_code == 409
    assert "inzwischen geändert" in again.content.decode()
    url = f"/roadmap/anfragen/{request.pk}/status/"
    jump = client.post(url, {"status": S.DONE}, **HTMX)
    assert jump.status_code == 409
    assert "übersprungen" in jump.content.decode()
    reject = client.post(url, {"status": S.REJECTED, "reason": ""}, **HTMX)
    assert reject.status_code == 400
    assert "Begründung" in reject.content.decode()
    with in_tenant(portal.a):
        assert ServiceRequest.objects.get(pk=request.pk).status == S.IN_REVIEW
    assert RequestSummary.objects.get(request_id=request.pk).status == S.IN_REVIEW


def test_municipal_staff_cannot_use_the_kreis_workflow(portal: Portal, client_for, in_tenant):
    request = file_request(portal.a, portal.officer_a, make_service())
    response = client_for(portal.officer_a).post(
        f"/roadmap/anfragen/{request.pk}/status/", {"status": S.IN_REVIEW}
    )
    assert response.status_code == 403
    treasurer = client_for(portal.centre_treasurer).post(
        f"/roadmap/anfragen/{request.pk}/status/", {"status": S.IN_REVIEW}
    )
    assert treasurer.status_code == 403
    with in_tenant(portal.a):
        assert ServiceRequest.objects.get(pk=request.pk).status == S.SUBMITTED


def test_an_unknown_request_id_on_the_kreis_is_not_found(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    response = client.post(f"/roadmap/anfragen/{uuid.uuid4()}/status/", {"status": S.IN_REVIEW})
    assert response.status_code == 404


def test_both_sides_comment_on_the_request_page(portal: Portal, client_for):
    request = file_request(portal.a, portal.officer_a, make_service())
    officer = client_for(portal.officer_a, portal.a)
    response = officer.post(
        f"/roadmap/anfragen/{request.pk}/kommentar/", {"text": "Bitte bis Ostern."}, **HTMX
    )
    assert response.status_code == 200
    coordinator = client_for(portal.coordinator)
    coordinator.post(f"/roadmap/anfragen/{request.pk}/kommentar/", {"text": "Machen wir."})
    page = officer.get(f"/roadmap/anfragen/{request.pk}/").content.decode()
    assert "Bitte bis Ostern." in page
    assert "Machen wir." in page
    assert "(Zentrum)" in page


def test_the_roadmap_pages_show_an_accessible_timeline_filtered_by_municipality(
    portal: Portal, client_for
):
    make_measure(title="Kreisweite Schulung", start="2026-Q2", end="2026-Q4")
    make_measure(
        title="Nur Testhausen", municipalities=(portal.a.pk,), start="2027-Q1", end="2027-Q2"
    )
    make_measure(title="Nur Beispielstadt", municipalities=(portal.b.pk,))
    kreis = client_for(portal.coordinator).get("/roadmap/zeitplan/").content.decode()
    assert 'role="img"' in kreis and 'aria-label="Zeitplan der Maßnahmen' in kreis
    assert "<table" in kreis and "Q2 2026" in kreis
    assert all(t in kreis for t in ("Kreisweite Schulung", "Nur Testhausen", "Nur Beispielstadt"))
    filtered = (
        client_for(portal.coordinator)
        .get(f"/roadmap/zeitplan/?kommune={portal.a.slug}", **HTMX)
        .content.decode()
    )
    assert "Nur Testhausen" in filtered and "Kreisweite Schulung" in filtered
    assert "Nur Beispielstadt" not in filtered
    own = client_for(portal.officer_a, portal.a).get("/roadmap/zeitplan/").content.decode()
    assert "Nur Testhausen" in own and "Kreisweite Schulung" in own
    assert "Nur Beispielstadt" not in own


def test_a_measure_form_refuses_a_cycle_with_a_message(portal: Portal, client_for, monkeypatch):
    from roadmap import selectors

    monkeypatch.setattr(selectors, "dimensions", lambda: [selectors.DimensionRef("x", "Feld X")])
    base = make_measure(title="Basis", dimension_key="x")
    follower = make_measure(title="Folge", depends_on=(base.pk,))
    data = {
        "title": "Basis", "description": "", "dimension_key": "x",
        "start_quarter": base.start_quarter, "end_quarter": base.end_quarter,
        "responsible": "Koordination", "status": Measure.Status.PLANNED,
        "depends_on": [follower.pk],
    }  # fmt: skip
    client = client_for(portal.coordinator)
    form_page = client.get(f"/roadmap/massnahmen/{base.pk}/").content.decode()
    assert "Basis" in form_page
    response = client.post(f"/roadmap/massnahmen/{base.pk}/", data)
    assert response.status_code == 400
    assert "ergäbe einen Kreis" in response.content.decode()
    base.refresh_from_db()
    assert not base.depends_on.exists()


def test_the_coordinator_keeps_the_catalogue_and_the_target_picture(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    response = client.post(
        "/roadmap/leistungen/neu/",
        {"name": "Smart-Region-Testprojekt", "description": "Sensorik", "category": "smart_region",
         "unit": "projekte", "requester_roles": ["digital_officer", "treasurer"], "is_open": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    service = Service.objects.get(name="Smart-Region-Testprojekt")
    assert service.requester_roles == ["digital_officer", "treasurer"]
    refused = client_for(portal.centre_treasurer).post("/roadmap/leistungen/neu/", {"name": "x"})
    assert refused.status_code == 403
    page = client.get("/roadmap/zielbild/")
    assert page.status_code == 200


def test_documents_of_another_municipality_are_not_handed_out(portal: Portal, client_for):
    document = Document.objects.create(
        kind=KIND, schema_name=portal.a.schema_name, params={"municipality_id": portal.a.pk},
        title="Roadmap Testhausen", filename="roadmap-a.pdf",
    )  # fmt: skip
    download = f"/roadmap/zeitplan/pdf/{document.pk}/"
    status = f"{download}status/"
    for person, town, path, expected in (
        (portal.officer_a, portal.a, status, 200),
        (portal.officer_b, portal.b, status, 404),
        (portal.officer_b, portal.b, download, 404),
        (portal.coordinator, None, download, 404),
    ):
        assert client_for(person, town).get(path).status_code == expected, (person, path)


def test_target_picture_form_saves_levels(portal: Portal, client_for, monkeypatch):
    from roadmap import selectors

    monkeypatch.setattr(
        selectors, "dimensions", lambda: [selectors.DimensionRef("ozg", "OZG-Leistungen")]
    )
    year = timezone.localdate().year
    client = client_for(portal.coordinator)
    response = client.post("/roadmap/zielbild/", {f"ziel_ozg_{year}": "3"})
    assert response.status_code == 302
    assert TargetLevel.objects.get(dimension_key="ozg", year=year).level == 3
    bad = client.post("/roadmap/zielbild/", {f"ziel_ozg_{year}": "7"})
    assert bad.status_code == 400
    assert TargetLevel.objects.get(dimension_key="ozg", year=year).level == 3


def test_a_completed_request_shows_its_recorded_usage(portal: Portal, client_for):
    request = file_request(portal.a, portal.officer_a, make_service())
    move(portal.a, request, portal.coordinator, S.IN_REVIEW, S.ACCEPTED, S.IN_PROGRESS)
    client = client_for(portal.coordinator)
    first, second = _clicked_twice(client, request, S.DONE, S.IN_PROGRESS)
    assert first.status_code == 200
    assert "Als Nutzung für den Kostenverteilungsschlüssel erfasst" in first.content.decode()
    assert second.status_code == 409


def test_years_on_the_roadmap_pages_have_no_thousands_separator(portal: Portal, client_for):
    import re

    make_measure(title="Jahrestest", start="2026-Q2", end="2027-Q1")
    client = client_for(portal.coordinator)
    for path in ("/roadmap/zeitplan/", "/roadmap/zielbild/", "/roadmap/"):
        body = client.get(path).content.decode()
        assert not re.search(r"\b20\.\d{2}\d?\b(?! ?€)", re.sub(r"\d+\.\d{3},\d\d", "", body)), path
        assert "2.026" not in body and "2.027" not in body, path


def test_a_quantity_reads_in_the_right_number():
    from roadmap.templatetags.roadmap_tags import in_units

    assert in_units(1, "projekte") == "1 Projekt"
    assert in_units(2, "projekte") == "2 Projekte"
    assert in_units("2.50", "stunden") == "2,5 Stunden"
    assert in_units(1000, "konten") == "1.000 Konten"


def test_page_titles_name_the_portal_once(portal: Portal, client_for):
    import re

    for path in ("/roadmap/anfragen/", "/roadmap/zeitplan/", "/kosten/", "/beschlussvorlagen/"):
        body = client_for(portal.coordinator).get(path).content.decode()
        title = re.search(r"<title>(.*?)</title>", body, re.S)
        assert title and title.group(1).count("IZD-Portal") == 1, (path, title)
