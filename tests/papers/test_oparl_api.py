"""The public OParl 1.1 API under /oparl/v1/: a crawl from the System object across every link,
stable ids, deleted objects, one Organization per committee, public papers only, pagination."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.test import Client

from roadmap.papers import services
from roadmap.papers.models import Committee, Consultation, Meeting, Paper
from roadmap.papers.services import CommitteeSpec
from tests.conftest import Portal
from tests.papers.factories import (
    DECIDING,
    PRE,
    decide,
    finished_document,
    paper_for,
    paper_template,
    simple_year,
)
from tests.papers.oparl_schema import validate_object

pytestmark = pytest.mark.django_db

BASE = f"http://{settings.BASE_DOMAIN}"
API = BASE + "/oparl/v1/"
SECRET = "Geheime Vorlage zur Grundstücksangelegenheit"
AMENDED = "Mit der Änderung in Nr. 2 beschlossen."  # the resolution text of paper_a's decision
OPARL_TYPES = {
    "System",
    "Body",
    "Paper",
    "Organization",
    "Meeting",
    "AgendaItem",
    "Consultation",
    "File",
}


@dataclass(frozen=True)
class World:
    paper_a: Paper
    paper_a2: Paper
    secret: Paper
    paper_b: Paper


def _world(portal: Portal) -> World:
    template = paper_template()
    paper_a = paper_for(portal.a, 2026, template)
    finished_document(paper_a, b"%PDF-1.7 Testhausen 2026")
    decide(paper_a, Paper.Result.ACCEPTED_AMENDED, date(2025, 12, 7), portal.officer_a, AMENDED)
    paper_a2 = paper_for(portal.a, 2027, template)
    secret = paper_for(portal.b, 2026, template, is_public=False, subject_override=SECRET)
    finished_document(secret, b"%PDF-1.7 geheim")
    paper_b = paper_for(portal.b, 2027, template)
    return World(paper_a, paper_a2, secret, paper_b)


def _get(client: Client, url: str) -> Any:
    parsed = urlparse(url)
    assert f"{parsed.scheme}://{parsed.netloc}" == BASE, url
    return client.get(parsed.path + (f"?{parsed.query}" if parsed.query else ""))


def _api_links(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(_api_links(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_api_links(value) for value in node))
    if isinstance(node, str) and node.startswith(API):
        return {node}
    return set()


def _embedded(node: Any) -> list[dict[str, Any]]:
    """Every OParl object in a response, also those embedded in others."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("type"), str) and node["type"].startswith(
            "https://schema.oparl.org/1.1/"
        ):
            found.append(node)
        for value in node.values():
            found += _embedded(value)
    elif isinstance(node, list):
        for value in node:
            found += _embedded(value)
    return found


@dataclass
class Crawl:
    objects: dict[str, dict[str, Any]]  # every object met, by id
    fetched: set[str]
    bodies_text: list[str]
    files: dict[str, bytes]


def crawl(client: Client) -> Crawl:
    """Follow every URL into /oparl/v1/ from the System object; each answers 200 and each
    object validates against the OParl 1.1 schema."""
    result = Crawl(objects={}, fetched=set(), bodies_text=[], files={})
    queue = [API]
    seen = {API}
    while queue:
        url = queue.pop()
        response = _get(client, url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        result.fetched.add(url)
        if not response["Content-Type"].startswith("application/json"):
            assert response["Content-Type"] == "application/pdf", url
            result.files[url] = b"".join(response.streaming_content)
            continue
        assert response["Access-Control-Allow-Origin"] == "*"
        text = response.content.decode()
        result.bodies_text.append(text)
        data = json.loads(text)
        if "data" in data:
            assert set(data) == {"data", "pagination", "links"}, url
            assert set(data["links"]) <= {"first", "prev", "self", "next", "last"}
            for item in data["data"]:
                validate_object(item)
        else:
            validate_object(data)
            assert data["id"] == url, "an object answers at its own id"
        for found in _embedded(data):
            result.objects.setdefault(found["id"], found)
        for link in _api_links(data) - seen:
            seen.add(link)
            queue.append(link)
    return result


def _type(data: dict[str, Any]) -> str:
    return data["type"].rsplit("/", 1)[-1]


def test_crawl_from_system_reaches_every_public_paper_and_validates_everything(
    portal: Portal, client_for
):
    world = _world(portal)
    result = crawl(client_for(None))

    types = {_type(o) for o in result.objects.values()}
    assert types >= OPARL_TYPES
    papers = {o["id"] for o in result.objects.values() if _type(o) == "Paper"}
    public = {
        f"{API}paper/{pk}/"
        for pk in Paper.objects.filter(is_public=True).values_list("pk", flat=True)
    }
    assert papers == public
    # the paper that is not public appears nowhere: not as object, not in a list, not its file
    assert f"{API}paper/{world.secret.pk}/" not in result.fetched | set(result.objects)
    assert f"{API}file/{world.secret.pk}/" not in result.fetched | set(result.objects)
    assert not any(SECRET in text for text in result.bodies_text)
    assert b"%PDF-1.7 geheim" not in result.files.values()
    assert result.files[f"{API}file/{world.paper_a.pk}/inhalt/"] == b"%PDF-1.7 Testhausen 2026"
    # the bodies: the Kreis and every municipality, each with its lists
    body_names = {o["name"] for o in result.objects.values() if _type(o) == "Body"}
    assert {portal.kreis.name, portal.a.name, portal.b.name} <= body_names


def test_meeting_carries_the_date_and_the_council_decision_on_the_deciding_item(
    portal: Portal, client_for
):
    world = _world(portal)
    client = client_for(None)
    paper = _get(client, f"{API}paper/{world.paper_a.pk}/").json()
    deciding = next(c for c in paper["consultation"] if c["authoritative"])
    meeting = _get(client, deciding["meeting"]).json()
    assert meeting["start"].startswith("2025-12-07T00:00:00")
    assert meeting["name"] == "Gemeindevertretung, Sitzung am 07.12.2025"
    assert meeting["organization"] == deciding["organization"]
    (item,) = meeting["agendaItem"]
    assert item["consultation"] == deciding["id"] == _get(client, item["id"]).json()["consultation"]
    assert item["result"] == "geändert angenommen"
    assert item["resolutionText"] == AMENDED
    assert deciding["agendaItem"] == item["id"]
    preliminary = next(c for c in paper["consultation"] if not c["authoritative"])
    other = _get(client, preliminary["agendaItem"]).json()
    assert "result" not in other and "resolutionText" not in other


def test_one_organization_per_committee_reused_by_all_papers_of_the_municipality(
    portal: Portal, client_for
):
    world = _world(portal)
    client = client_for(None)
    first = _get(client, f"{API}paper/{world.paper_a.pk}/").json()
    second = _get(client, f"{API}paper/{world.paper_a2.pk}/").json()
    organizations = [c["organization"][0] for c in first["consultation"]]
    assert organizations == [c["organization"][0] for c in second["consultation"]]
    listed = _get(client, f"{API}body/{portal.a.pk}/organization/").json()
    assert sorted(o["id"] for o in listed["data"]) == sorted(organizations)
    assert listed["pagination"]["totalElements"] == 3
    # Beispielstadt's committees of the same names are its own organizations
    other = _get(client, f"{API}paper/{world.paper_b.pk}/").json()
    assert not {c["organization"][0] for c in other["consultation"]} & set(organizations)
    assert Committee.objects.filter(municipality=portal.a).count() == 3
    # every meeting of the committee is listed under it
    organization = _get(client, organizations[2]).json()
    meetings = _get(client, organization["meeting"]).json()["data"]
    assert [m["start"][:10] for m in meetings] == ["2025-12-07", "2026-12-07"]


def _save_beratungsfolge(client: Client, paper: Paper, text: str) -> None:
    response = client.post(f"/beschlussvorlagen/{paper.pk}/beratungsfolge/", {"committees": text})
    assert response.status_code == 302, response.content.decode()


def test_ids_stay_when_the_beratungsfolge_is_saved_again_and_removed_rows_are_deleted(
    portal: Portal, client_for
):
    world = _world(portal)
    anonymous = client_for(None)
    coordinator = client_for(portal.coordinator)
    before = _get(anonymous, f"{API}paper/{world.paper_a2.pk}/").json()["consultation"]
    # saved again unchanged, then with a new date: every id stays
    text = (
        "Gemeindevorstand | vorberatend | 20.11.2026\n"
        "Haupt- und Finanzausschuss | vorberatend | 28.11.2026\n"
        "Gemeindevertretung | beschließend | 07.12.2026"
    )
    _save_beratungsfolge(coordinator, world.paper_a2, text)
    _save_beratungsfolge(coordinator, world.paper_a2, text.replace("28.11.2026", "01.12.2026"))
    after = _get(anonymous, f"{API}paper/{world.paper_a2.pk}/").json()["consultation"]
    assert [c["id"] for c in after] == [c["id"] for c in before]
    assert [c["organization"] for c in after] == [c["organization"] for c in before]
    assert after[1]["meeting"] != before[1]["meeting"]
    # the meeting of the old date had only this paper: it is now deleted, not missing
    old_meeting = _get(anonymous, before[1]["meeting"]).json()
    assert old_meeting["deleted"] is True and set(old_meeting) == {
        "id",
        "type",
        "created",
        "modified",
        "deleted",
    }
    # the same committees in another order keep their consultations
    _save_beratungsfolge(
        coordinator,
        world.paper_a2,
        "Haupt- und Finanzausschuss | vorberatend | 01.12.2026\n"
        "Gemeindevorstand | vorberatend | 20.11.2026\n"
        "Gemeindevertretung | beschließend | 07.12.2026",
    )
    moved = _get(anonymous, f"{API}paper/{world.paper_a2.pk}/").json()["consultation"]
    assert [c["id"] for c in moved] == [after[1]["id"], after[0]["id"], after[2]["id"]]
    # a committee left out: its consultation and agenda item answer deleted, the paper drops it
    _save_beratungsfolge(
        coordinator,
        world.paper_a2,
        "Gemeindevorstand | vorberatend | 20.11.2026\n"
        "Gemeindevertretung | beschließend | 07.12.2026",
    )
    final = _get(anonymous, f"{API}paper/{world.paper_a2.pk}/").json()
    assert [c["id"] for c in final["consultation"]] == [after[0]["id"], after[2]["id"]]
    for url in (after[1]["id"], after[1]["agendaItem"]):
        gone = _get(anonymous, url)
        assert gone.status_code == 200
        data = gone.json()
        validate_object(data)
        assert data["deleted"] is True and data["id"] == url
        assert data["modified"] >= data["created"]
    assert after[1]["id"] not in json.dumps(
        _get(anonymous, f"{API}body/{portal.a.pk}/consultation/").json()
    )
    assert final["modified"] >= before_modified(before)
    # the committee itself is still consulted for the 2026 paper: not deleted
    assert "deleted" not in _get(anonymous, after[1]["organization"][0]).json()
    # nothing was removed from the database
    assert Consultation.all_objects.filter(paper=world.paper_a2).count() == 3


def before_modified(consultations: list[dict[str, Any]]) -> str:
    return max(c["modified"] for c in consultations)


def test_services_match_by_committee_and_position_and_revive_nothing(portal: Portal):
    simple_year(2030, (portal.a,))
    paper = paper_for(portal.a, 2030, paper_template())
    ids = list(paper.consultations.values_list("pk", flat=True))
    board = CommitteeSpec("Gemeindevorstand", PRE, date(2029, 11, 20))
    council = CommitteeSpec("Gemeindevertretung", DECIDING, date(2029, 12, 7))
    renamed = CommitteeSpec("Finanzausschuss (neu)", PRE, date(2029, 11, 28))
    services.consultations_replace(paper=paper, committees=[board, renamed, council])
    rows = list(paper.consultations.select_related("committee"))
    # a renamed committee at the same position keeps the consultation's id
    assert [r.pk for r in rows] == ids
    assert rows[1].committee.name == "Finanzausschuss (neu)"
    assert Meeting.objects.filter(committee=rows[1].committee, date=date(2029, 11, 28)).exists()
    elders = CommitteeSpec("Ältestenrat", PRE, date(2029, 12, 1))
    services.consultations_replace(paper=paper, committees=[board, council, elders])
    rows = list(paper.consultations.all())
    assert [r.pk for r in rows][:2] == [ids[0], ids[2]]
    assert rows[2].pk not in ids  # a new row, not a deleted one brought back
    assert Consultation.all_objects.get(pk=ids[1]).deleted_at is not None


def test_anonymous_visitors_read_public_papers_and_files_only(portal: Portal, client_for):
    world = _world(portal)
    for client in (client_for(None), client_for(portal.coordinator), client_for(portal.officer_b)):
        assert _get(client, f"{API}paper/{world.paper_a.pk}/").status_code == 200
        download = _get(client, f"{API}file/{world.paper_a.pk}/herunterladen/")
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment")
        assert b"".join(download.streaming_content) == b"%PDF-1.7 Testhausen 2026"
        secret_consultation = world.secret.consultations.first()
        assert secret_consultation is not None
        for path in (
            f"paper/{world.secret.pk}/",
            f"file/{world.secret.pk}/",
            f"file/{world.secret.pk}/inhalt/",
            f"file/{world.secret.pk}/herunterladen/",
            f"consultation/{secret_consultation.pk}/",
            f"agendaItem/{secret_consultation.pk}/",
        ):
            response = _get(client, API + path)
            assert response.status_code == 404, path
            assert response.json()["status"] == 404
            assert SECRET not in response.content.decode()
        papers = _get(client, f"{API}body/{portal.b.pk}/paper/").json()
        assert [p["id"] for p in papers["data"]] == [f"{API}paper/{world.paper_b.pk}/"]
        assert papers["pagination"]["totalElements"] == 1
        files = _get(client, f"{API}body/{portal.b.pk}/file/").json()
        assert files["data"] == [] and files["pagination"]["totalElements"] == 0
        # the meeting only the secret paper is consulted in shows no agenda, in no list
        meeting = world.secret.consultations.get(role=DECIDING).meeting
        assert meeting is not None
        assert _get(client, f"{API}meeting/{meeting.pk}/").json()["deleted"] is True
        meetings = json.dumps(_get(client, f"{API}body/{portal.b.pk}/meeting/").json())
        assert f"{API}meeting/{meeting.pk}/" not in meetings
    # everything else of the portal still needs signing in
    assert client_for(None).get("/beschlussvorlagen/").status_code == 302
    assert (
        client_for(None).get(f"/beschlussvorlagen/{world.paper_a.pk}/oparl.json").status_code == 302
    )
    # and the API is not served on a municipality's subdomain
    assert client_for(None, portal.a).get("/oparl/v1/").status_code == 302


def test_a_paper_made_non_public_disappears_from_the_api(portal: Portal, client_for):
    world = _world(portal)
    client = client_for(None)
    consultation = _get(client, f"{API}paper/{world.paper_b.pk}/").json()["consultation"][0]
    world.paper_b.is_public = False
    services.paper_save(world.paper_b)
    assert _get(client, f"{API}paper/{world.paper_b.pk}/").status_code == 404
    assert _get(client, consultation["id"]).status_code == 404
    assert _get(client, consultation["meeting"]).json()["deleted"] is True
    assert _get(client, consultation["organization"][0]).json()["deleted"] is True
    assert _get(client, f"{API}body/{portal.b.pk}/paper/").json()["data"] == []


def test_lists_are_paginated_and_keep_filters_in_their_links(portal: Portal, client_for):
    world = _world(portal)
    client = client_for(None)
    url = (
        f"{API}body/{portal.a.pk}/paper/"
        "?elementsPerPage=1&modified_since=2000-01-01T00:00:00%2B01:00"
    )
    first = _get(client, url).json()
    assert first["pagination"] == {
        "totalElements": 2,
        "elementsPerPage": 1,
        "currentPage": 1,
        "totalPages": 2,
    }
    assert "prev" not in first["links"]
    second = _get(client, first["links"]["next"]).json()
    assert "next" not in second["links"]
    assert second["links"]["prev"] == first["links"]["self"]
    query = parse_qs(urlparse(first["links"]["next"]).query)
    assert query == {
        "modified_since": ["2000-01-01T00:00:00+01:00"],
        "elementsPerPage": ["1"],
        "page": ["2"],
    }
    ids = [first["data"][0]["id"], second["data"][0]["id"]]
    assert ids == [f"{API}paper/{world.paper_a.pk}/", f"{API}paper/{world.paper_a2.pk}/"]
    # a filter that leaves nothing, and the empty person list
    future = _get(client, f"{API}body/{portal.a.pk}/paper/?created_since=2999-01-01T00:00:00Z")
    assert future.json()["data"] == [] and "next" not in future.json()["links"]
    persons = _get(client, f"{API}body/{portal.a.pk}/person/").json()
    assert persons["data"] == [] and persons["pagination"]["totalElements"] == 0


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("modified_since=gestern", 400, "ISO 8601"),
        ("elementsPerPage=0", 400, "ganze Zahl ab 1"),
        ("page=x", 400, "ganze Zahl ab 1"),
        ("page=99", 404, "Listenseite"),
    ],
)
def test_bad_list_parameters_are_answered_in_german_json(
    portal: Portal, client_for, query, status, message
):
    response = client_for(None).get(f"/oparl/v1/body/{portal.a.pk}/paper/?{query}")
    assert response.status_code == status
    assert message in response.json()["message"]


def test_unknown_objects_are_json_404_and_post_is_refused(portal: Portal, client_for):
    client = client_for(None)
    for path in ("body/999999/", "paper/999999/", "meeting/999999/", "organization/999999/"):
        response = client.get("/oparl/v1/" + path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
    assert client.post("/oparl/v1/").status_code == 405


def test_staff_export_links_the_committee_organization_and_old_urls_redirect(
    portal: Portal, client_for
):
    world = _world(portal)
    client = client_for(portal.coordinator)
    export = client.get(f"/beschlussvorlagen/{world.paper_a.pk}/oparl.json").json()
    consultation = world.paper_a.consultations.get(role=DECIDING)
    organization = f"{API}organization/{consultation.committee_id}/"
    assert export["consultation"][2]["organization"] == [organization]
    old = client.get(f"/beschlussvorlagen/{world.paper_a.pk}/oparl/gremium/{consultation.pk}.json")
    assert old.status_code == 301 and old["Location"] == organization
    # the staff export still covers the paper that is not public
    assert client.get(f"/beschlussvorlagen/{world.secret.pk}/oparl.json").status_code == 200


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert _get(client, url).status_code == 200
    return len(captured.captured_queries)


def test_list_pages_make_the_same_number_of_queries_for_more_papers(portal: Portal, client_for):
    template = paper_template()
    first = paper_for(portal.a, 2026, template)
    finished_document(first)
    client = client_for(None)
    kinds = ("paper", "meeting", "agendaItem", "consultation", "file", "organization")
    before = {k: _queries(client, f"{API}body/{portal.a.pk}/{k}/") for k in kinds}
    for year in (2027, 2028, 2029):
        paper = paper_for(portal.a, year, template)
        finished_document(paper)
    after = {k: _queries(client, f"{API}body/{portal.a.pk}/{k}/") for k in kinds}
    assert after == before
    assert (
        _get(client, f"{API}body/{portal.a.pk}/meeting/").json()["pagination"]["totalElements"]
        == 12
    )
