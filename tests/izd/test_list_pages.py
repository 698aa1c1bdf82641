"""Every list page that can grow: the same number of queries at 29 and at 420 rows, search and
filters kept across pages, a plain GET without JavaScript, the results partial for htmx, and a
German fallback for bad page numbers and filter values.

The rows are made in bulk (tests/scale.py and friends): read-model rows without schemas.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from costsharing import services as costsharing_services
from costsharing.models import UsageRecord
from izd.schemas import activate_public, activate_tenant
from maturity.models import Campaign, Participation
from roadmap.models import Measure, Priority, RequestSummary, Service
from roadmap.municipal.models import ServiceRequest
from roadmap.papers.models import PaperTemplate
from roadmap.practices.models import ExchangeEvent, Practice, Visibility
from tenants.models import Membership, Municipality, User
from tests import scale
from tests.conftest import Portal
from tests.costsharing.factories import budget_year
from tests.maturity.factories import fake_results, load_small_model, make_campaign
from tests.papers.factories import paper_template
from tests.practices.test_search import _bulk as practices_bulk
from tests.roadmap.factories import make_service

pytestmark = pytest.mark.django_db

YEAR = 2093


@dataclass
class World:
    portal: Portal
    template: PaperTemplate
    campaign: Campaign
    prefixes: list[str] = field(default_factory=lambda: [f"07{n}" for n in range(50, 99)])
    version_year: int = YEAR

    def prefix(self) -> str:
        return self.prefixes.pop(0)


def _members(world: World, count: int) -> None:
    """Member municipalities, each with a paper for YEAR and submitted maturity results."""
    missing = count - Municipality.objects.members().count()
    if missing > 0:
        towns = scale.members(missing, prefix=world.prefix(), joined=date(YEAR, 1, 1))
        scale.papers(towns, YEAR, world.template)
        fake_results(world.campaign, towns)


def _participants(world: World, count: int) -> None:
    _members(world, count)
    missing = count - Participation.objects.filter(campaign=world.campaign).count()
    if missing > 0:  # the portal's own towns take part too
        towns = scale.members(missing, prefix=world.prefix(), joined=date(YEAR, 1, 1))
        fake_results(world.campaign, towns)


def _people(world: World, count: int) -> None:
    missing = count - User.objects.count()
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(email=f"liste{start + n}@test.example", last_name=f"Liste {start + n:04d}")
        for n in range(missing)
    )
    Membership.objects.bulk_create(
        Membership(user=u, municipality=world.portal.a, role=Membership.Role.READER) for u in users
    )


def _practices(world: World, count: int) -> None:
    missing = count - Practice.objects.filter(published_version__isnull=False).count()
    if missing > 0:
        practices_bulk(world.portal, missing)
        # Public, so that the public page lists them as well.
        Practice.objects.update(visibility=Visibility.PUBLIC)


def _events(world: World, count: int) -> None:
    missing = count - ExchangeEvent.objects.count()
    start = timezone.now() - timedelta(days=10)  # past and coming ones from the start
    events = ExchangeEvent.objects.bulk_create(
        ExchangeEvent(topic=f"Austausch {n:04d}", starts_at=start + timedelta(days=n))
        for n in range(ExchangeEvent.objects.count(), ExchangeEvent.objects.count() + missing)
    )
    ExchangeEvent.presenters.through.objects.bulk_create(
        ExchangeEvent.presenters.through(exchangeevent_id=e.pk, municipality_id=world.portal.a.pk)
        for e in events
    )


def _services(world: World, count: int) -> None:
    start = Service.objects.count()
    Service.objects.bulk_create(
        Service(
            name=f"Leistung {n:04d}",
            description="Für die Liste.",
            category=Service.Category.DATA if n % 2 else Service.Category.EGOVERNMENT,
            unit=Service.Unit.HOURS,
        )
        for n in range(start, count)
    )


def _requests(world: World, count: int) -> None:
    """Requests of Testhausen and Beispielstadt in the Kreis' read model."""
    service = Service.objects.filter(name="Leistung Triage").first() or make_service(
        name="Leistung Triage"
    )
    start = RequestSummary.objects.count()
    now = timezone.now()
    RequestSummary.objects.bulk_create(
        RequestSummary(
            municipality=world.portal.a if n % 2 else world.portal.b,
            request_id=uuid.uuid4(),
            service=service,
            need=f"Bedarf {n:04d}",
            quantity=Decimal(n + 1),
            priority=Priority.HIGH if n % 3 else Priority.LOW,
            wished_date=date(2030, 1, 1),
            submitted_at=now - timedelta(minutes=n),
            updated_at=now,
        )
        for n in range(start, count)
    )


def _own_requests(world: World, count: int) -> None:
    """Requests in Testhausen's own schema (and one of Beispielstadt that must not show)."""
    service = Service.objects.filter(name="Leistung Eigen").first() or make_service(
        name="Leistung Eigen"
    )
    activate_tenant(world.portal.a)
    try:
        start = ServiceRequest.objects.count()
        ServiceRequest.objects.bulk_create(
            ServiceRequest(
                service_id=service.pk,
                need=f"Eigener Bedarf {n:04d}",
                quantity=Decimal(1),
                priority=Priority.HIGH if n % 3 else Priority.LOW,
                wished_date=date(2030, 1, 1),
            )
            for n in range(start, count)
        )
    finally:
        activate_public()


def _measures(world: World, count: int) -> None:
    start = Measure.objects.count()
    measures = Measure.objects.bulk_create(
        Measure(
            title=f"Maßnahme {n:04d}",
            dimension_key="a" if n % 2 else "b",
            start_quarter="2027-Q1",
            end_quarter="2027-Q4",
            responsible="Zentrum",
            status=Measure.Status.PLANNED if n % 3 else Measure.Status.IN_PROGRESS,
        )
        for n in range(start, count)
    )
    Measure.municipalities.through.objects.bulk_create(
        Measure.municipalities.through(measure_id=m.pk, municipality_id=world.portal.a.pk)
        for m in measures[::2]
    )


def _usage(world: World, count: int) -> None:
    start = UsageRecord.objects.filter(year=YEAR).count()
    UsageRecord.objects.bulk_create(
        UsageRecord(
            municipality=world.portal.a if n % 2 else world.portal.b,
            year=YEAR,
            units=Decimal(n + 1),
            source=UsageRecord.Source.MANUAL if n % 3 else UsageRecord.Source.IMPORT,
            note=f"Nutzung {n:04d}",
        )
        for n in range(start, count)
    )


def _frozen_version(world: World, count: int) -> None:
    """The members, and a new budget year frozen over them (version 1 of that year)."""
    _members(world, count)
    world.version_year += 1
    year = budget_year(world.version_year, staff=(("Leitung", "1.00", "90000.00"),))
    costsharing_services.allocation_freeze(
        budget_year=year, user=world.portal.centre_treasurer, decisions_waiver="Test der Liste."
    )


@dataclass(frozen=True)
class ListPage:
    url: str
    grow: Callable[[World, int], None]
    target: str
    search: str  # matches many of the grown rows
    filter: tuple[str, str] | None  # a valid filter value, if the list has filters
    user: str = "coordinator"  # "" is an anonymous visitor
    municipality: str | None = None  # the subdomain; None is the Kreis domain

    def seen_by(self, user: str, municipality: str | None = None, **changes: Any) -> ListPage:
        """The same list as another person sees it (on a municipality's subdomain)."""
        return replace(self, user=user, municipality=municipality, **changes)


CAMPAIGN = "/reifegrad/erhebungen/{campaign}/"
PARTICIPANTS = ListPage(CAMPAIGN, _participants, "teilnehmende", "Ort", ("status", "submitted"))
PRACTICES = ListPage("/praxis/", _practices, "praxisbeispiele", "Rechnung", ("status", "pilot"))
EVENTS = ListPage("/praxis/termine/", _events, "termine", "Austausch", ("zeit", "vergangene"))
REQUESTS = ListPage("/roadmap/anfragen/", _requests, "anfragen", "Bedarf", ("prioritaet", "hoch"))
SERVICES = ListPage(
    "/roadmap/leistungen/", _services, "leistungen", "Leistung", ("kategorie", "daten")
)
PAPERS = f"/beschlussvorlagen/?jahr={YEAR}"
DECISIONS = f"/beschlussvorlagen/jahr/{YEAR}/beschluesse/"
VERSION = "/kosten/{version_year}/versionen/1/"
USAGE = ListPage(f"/kosten/{YEAR}/nutzung/", _usage, "nutzung", "Nutzung", ("quelle", "import"))
VERSION_SHARES = ListPage(
    VERSION, _frozen_version, "unterschiede", "Ort", ("aenderung", "geaendert")
)

PAGES = {
    "municipalities": ListPage("/kommunen/", _members, "kommunen", "Ort", ("groesse", "mittel")),
    "people": ListPage("/personen/", _people, "personen", "liste", ("konto", "aktiv")),
    "campaign participants": PARTICIPANTS,
    "maturity county matrix": replace(
        PARTICIPANTS, url=CAMPAIGN + "uebersicht/?sort=index&dir=desc", target="matrix"
    ),
    "papers overview": ListPage(PAPERS, _members, "vorlagen", "Ort", ("beschluss", "offen")),
    "numbering schemes": ListPage(
        "/beschlussvorlagen/nummernkreise/", _members, "nummernkreise", "Ort", None
    ),
    "decisions overview": ListPage(
        DECISIONS, _members, "beschluesse", "Ort", ("ergebnis", "offen")
    ),
    "practices (Kreis)": PRACTICES,
    "practices (public)": PRACTICES.seen_by("", url="/praxis/oeffentlich/"),
    "practices (municipality)": PRACTICES.seen_by("officer_b", "b"),
    "events (Kreis)": EVENTS,
    "events (municipality)": EVENTS.seen_by("officer_a", "a", filter=("zeit", "kommende")),
    "request triage": REQUESTS,
    "own requests": REQUESTS.seen_by(
        "officer_a", "a", grow=_own_requests, filter=("status", "offen")
    ),
    "measures": ListPage(
        "/roadmap/massnahmen/", _measures, "massnahmen", "nahme", ("status", "geplant")
    ),
    "service catalogue (Kreis)": SERVICES,
    "service catalogue (municipality)": SERVICES.seen_by("officer_a", "a"),
    "usage": USAGE.seen_by("centre_treasurer"),
    "cost sharing year: shares": ListPage(
        f"/kosten/{YEAR}/", _members, "anteile", "Ort", None, user="centre_treasurer"
    ),
    "cost sharing version: shares": VERSION_SHARES.seen_by("centre_treasurer"),
}


@pytest.fixture
def world(portal: Portal) -> World:
    budget_year(YEAR, staff=(("Leitung", "1.00", "90000.00"),), key=(40, 60, 0, 0))
    template = paper_template("Listen", facts="Anteil [[anteil_jahr]].", resolution="Ja.")
    return World(portal, template, make_campaign(load_small_model(), [portal.a, portal.b]))


def _client(world: World, page: ListPage, client_for) -> Client:
    municipality = getattr(world.portal, page.municipality) if page.municipality else None
    user = getattr(world.portal, page.user) if page.user else None
    if user is None:
        return Client(HTTP_HOST=world.portal.host(None))
    return client_for(user, municipality)


def _url(world: World, page: ListPage, **params: str) -> str:
    url = page.url.format(campaign=world.campaign.pk, version_year=world.version_year)
    if params:
        url += ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _grown(name: str, world: World, client_for, rows: int) -> tuple[ListPage, Client]:
    """The list page with `rows` rows, and a client of the person it is for."""
    page = PAGES[name]
    page.grow(world, rows)
    return page, _client(world, page, client_for)


def _page(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


@pytest.mark.parametrize("name", list(PAGES))
def test_list_page_makes_the_same_queries_at_29_and_at_420_rows(name: str, world, client_for):
    page = PAGES[name]
    client = _client(world, page, client_for)
    client.get(_url(world, page))  # the session's first request writes to it
    counts = {}
    for rows in (29, 420):
        page.grow(world, rows)
        for params in (
            {},
            {"q": page.search, **dict([page.filter or ("q", page.search)]), "seite": "2"},
        ):
            with CaptureQueriesContext(connection) as queries:
                body = _page(client, _url(world, page, **params))
            counts[rows, bool(params)] = len(queries.captured_queries)
    assert "Seite 1 von" in body or "Seite 2 von" in body  # 420 rows are more than one page
    assert counts[29, False] == counts[420, False], counts
    assert counts[29, True] == counts[420, True], counts


@pytest.mark.parametrize("name", list(PAGES))
def test_page_links_keep_the_search_and_the_filters(name: str, world, client_for):
    page, client = _grown(name, world, client_for, 120)
    body = _page(client, _url(world, page))
    next_link = re.search(r'<a href="([^"]+)" rel="next"', body)
    assert next_link, "more rows than one page holds: a link to the next page"
    assert "seite=2" in next_link.group(1)
    body = _page(client, _url(world, page, q=page.search))
    links = re.findall(r'<a href="([^"]+)"[^>]*data-hx-get', body)
    assert links and all(f"q={page.search}" in link for link in links), links
    if page.filter is None:
        return
    key, value = page.filter
    filtered = _page(client, _url(world, page, **{key: value}))
    assert re.search(rf'<option value="{value}"[^>]*selected', filtered)
    for link in re.findall(r'<a href="([^"]+)" rel="(?:next|prev)"', filtered):
        assert f"{key}={value}" in link


@pytest.mark.parametrize("name", list(PAGES))
def test_a_list_page_works_without_javascript_and_htmx_gets_only_the_results(
    name: str, world, client_for
):
    page, client = _grown(name, world, client_for, 60)
    whole = _page(client, _url(world, page))
    target = f"{page.target}-ergebnisse"
    assert "<html" in whole and f'id="{target}"' in whole
    assert re.search(r'<form method="get" action="[^"]+"[^>]*role="search"', whole)
    assert 'data-hx-push-url="true"' in whole
    partial = client.get(
        _url(world, page, seite="2"), headers={"HX-Request": "true", "HX-Target": target}
    )
    assert partial.status_code == 200
    text = partial.content.decode()
    assert "<html" not in text and '<form method="get"' not in text
    assert "Seite 2 von" in text
    assert "HX-Request" in partial["Vary"]


@pytest.mark.parametrize("name", list(PAGES))
def test_bad_page_numbers_and_filter_values_fall_back_with_a_german_note(
    name: str, world, client_for
):
    page, client = _grown(name, world, client_for, 30)
    for bad in ("abc", "-3", "0", "99999999999999999999999", "%00", "٣"):
        _page(client, _url(world, page, seite=bad))
    _page(client, _url(world, page, q="%00%27%22<script>"))
    if page.filter is None or name.startswith("practices"):
        return  # practices: a search form of its own, which ignores an invalid choice
    body = _page(client, _url(world, page, **{page.filter[0]: "gibt-es-nicht"}))
    assert "gibt es „gibt-es-nicht“ nicht;" in body


def test_list_pages_with_page_links_filters_and_notes_are_valid_html(world, client_for, tmp_path):
    """The site-wide HTML check sees few rows; here every list shows its page links, a chosen
    filter, a note on an unknown filter value and the reset link."""
    from tests.izd.test_html_validity import validate

    documents = {}
    for name, page in PAGES.items():
        page.grow(world, 60)
        params = {"seite": "2", "q": page.search}
        if page.filter:
            params[page.filter[0]] = page.filter[1]
        client = _client(world, page, client_for)
        documents[name] = _page(client, _url(world, page, seite="2"))
        documents[f"{name} (gesucht)"] = _page(client, _url(world, page, **params))
        if page.filter:
            wrong = {page.filter[0]: "gibt-es-nicht"}
            documents[f"{name} (falscher Filter)"] = _page(client, _url(world, page, **wrong))
    errors = validate(documents, tmp_path)
    assert errors == {}, errors


def test_a_municipality_lists_only_its_own_requests(world, client_for):
    from tests.roadmap.factories import file_request

    for town, officer in (("a", "officer_a"), ("b", "officer_b")):
        service = make_service(name=f"Leistung nur {town.upper()}")
        file_request(getattr(world.portal, town), getattr(world.portal, officer), service)
    for user, town, own, other in (
        ("officer_a", "a", "Leistung nur A", "Leistung nur B"),
        ("officer_b", "b", "Leistung nur B", "Leistung nur A"),
    ):
        client = client_for(getattr(world.portal, user), getattr(world.portal, town))
        for url in (
            "/roadmap/anfragen/",
            "/roadmap/anfragen/?q=Leistung+nur",
            "/roadmap/anfragen/?q=B",
        ):
            body = _page(client, url)
            results = body.split('id="anfragen-ergebnisse"')[1]  # the filter offers every service
            assert other not in results
        found = _page(client, "/roadmap/anfragen/?q=Leistung+nur")
        assert own in found and "1 Anfrage gefunden" in found


def test_a_municipality_lists_only_its_own_papers(world, client_for):
    _members(world, 29)
    client = client_for(world.portal.officer_a, world.portal.a)
    body = _page(client, "/beschlussvorlagen/")
    assert "Ort 07" not in body  # the other members' papers of the year


def test_the_kreis_filters_requests_by_municipality(world, client_for):
    _requests(world, 40)
    client = client_for(world.portal.coordinator)
    body = _page(client, f"/roadmap/anfragen/?status=&kommune={world.portal.b.slug}")
    assert "Beispielstadt" in body and "<td>Testhausen</td>" not in body
    assert "20 Anfragen gefunden" in body


def test_papers_without_meeting_dates_show_ten_and_link_to_the_filtered_list(world, client_for):
    from roadmap.papers.models import Consultation

    _members(world, 40)
    undated = Consultation.objects.filter(paper__year=YEAR, position=0).order_by("pk")[:12]
    Consultation.objects.filter(pk__in=[c.pk for c in undated]).update(meeting_date=None)
    client = client_for(world.portal.coordinator)
    home = _page(client, f"/beschlussvorlagen/?jahr={YEAR}")
    assert "Vorlagen ohne Sitzungsdatum (12)" in home
    assert home.count("Sitzungsdatum eintragen</a>") == 10
    link = f"/beschlussvorlagen/?jahr={YEAR}&amp;datum=fehlt"
    assert f'<a href="{link}">Alle 12 Vorlagen ohne Sitzungsdatum in der Liste zeigen</a>' in home
    filtered = _page(client, link.replace("&amp;", "&"))
    assert "12 Beschlussvorlagen gefunden" in filtered
