"""The list helper: search, filters and pages in the query string, kept across links; bad input
falls back; htmx gets the results partial only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_htmx.middleware import HtmxDetails

from izd.listing import Filter, ListSpec, Search, listing, render_list
from tenants.models import Municipality
from tests import scale
from tests.conftest import Portal

pytestmark = pytest.mark.django_db

SPEC = ListSpec(
    key="probe",
    search=Search(label="Name oder AGS", fields=("name",), prefix_fields=("ags",)),
    filters=(
        Filter(
            "groesse",
            "Einwohnerzahl",
            [("klein", "unter 5.000"), ("gross", "ab 5.000")],
            apply=lambda rows, value: (
                rows.filter(population__lt=5000)
                if value == "klein"
                else rows.filter(population__gte=5000)
            ),
        ),
        Filter("slug", "Kürzel", lambda: [("ort-07990003", "Ort 3")]),
    ),
    ordering=("name",),
    per_page=10,
)


def _get(path: str = "/liste/", htmx: dict[str, str] | None = None, **params: str):
    request = RequestFactory().get(path, params, headers=htmx or {})
    request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]
    request.user = AnonymousUser()
    return request


def _towns(count: int = 45, prefix: str = "0799") -> list[Municipality]:
    return scale.members(count, prefix=prefix, domains=False)


def _rows():
    return Municipality.objects.members().filter(ags__regex="^079[89]")


def test_a_page_holds_per_page_rows_in_a_stable_order(portal: Portal):
    _towns()
    first = listing(_get(), _rows(), SPEC)
    second = listing(_get(seite="2"), _rows(), SPEC)
    assert len(first) == 10 and first.count == 45
    assert first.page.paginator.num_pages == 5
    assert not {m.pk for m in first} & {m.pk for m in second}
    assert [m.name for m in first] == sorted(m.name for m in first)


def test_the_primary_key_makes_the_order_total():
    ordered = SPEC.order(Municipality.objects.all())
    assert isinstance(ordered, QuerySet) and ordered.query.order_by == ("name", "pk")
    exact = ListSpec(key="x", ordering=("-created_at", "-pk")).order(Municipality.objects.all())
    assert isinstance(exact, QuerySet) and exact.query.order_by == ("-created_at", "-pk")


def test_search_matches_names_anywhere_and_the_ags_at_its_start(portal: Portal):
    _towns()
    assert [m.ags for m in listing(_get(q="ort 07990012"), _rows(), SPEC)] == ["07990012"]
    by_prefix = listing(_get(q="0799001"), _rows(), SPEC)
    assert by_prefix.count == 10
    assert listing(_get(q="799001"), _rows(), SPEC).count == 10  # inside the name "Ort 0799…"
    assert listing(_get(q="9001"), _rows().filter(name="x"), SPEC).count == 0


def test_a_filter_narrows_and_an_unknown_value_shows_everything_with_a_german_note(
    portal: Portal,
):
    _towns()
    small = listing(_get(groesse="klein"), _rows(), SPEC)
    assert small.count == sum(1 for m in _rows() if m.population < 5000)
    assert small.filters[0].value == "klein"
    unknown = listing(_get(groesse="riesig"), _rows(), SPEC)
    assert unknown.count == 45 and unknown.filters[0].value == ""
    assert unknown.notices == (
        "Für „Einwohnerzahl“ gibt es „riesig“ nicht; es werden alle gezeigt.",
    )


def test_options_from_a_callable_are_read_per_request(portal: Portal):
    _towns()
    found = listing(_get(slug="ort-07990003"), _rows(), SPEC)
    assert [m.slug for m in found] == ["ort-07990003"]
    assert found.filters[1].options == [("ort-07990003", "Ort 3")]


def test_page_links_keep_the_search_the_filters_and_other_parameters(portal: Portal):
    _towns()
    found = listing(_get(q="Ort", groesse="gross", jahr="2026", seite="2"), _rows(), SPEC)
    assert found.page.number == 2
    assert found.previous_url == "/liste/?q=Ort&groesse=gross&jahr=2026"  # page 1: no number
    if found.next_url:
        assert found.next_url == "/liste/?q=Ort&groesse=gross&jahr=2026&seite=3"
    assert found.kept_params == [("jahr", "2026")]
    assert found.reset_url == "/liste/?jahr=2026"
    assert found.is_filtered


def test_page_links_show_first_last_and_a_window_with_gaps(portal: Portal):
    _towns(95)
    links = listing(_get(seite="5"), _rows(), SPEC).page_links
    assert [link.number for link in links] == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert [link.number for link in links if link.current] == [5]
    assert links[0].url == "/liste/"


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "2.5", "٣", "", "1e3"])
def test_a_bad_page_number_shows_the_first_page(portal: Portal, bad: str):
    _towns()
    assert listing(_get(seite=bad), _rows(), SPEC).page.number == 1


def test_a_page_beyond_the_end_shows_the_last_page(portal: Portal):
    _towns()
    assert listing(_get(seite="99999999999999999999"), _rows(), SPEC).page.number == 5


def test_search_text_without_nul_and_cut_to_a_sane_length(portal: Portal):
    _towns()
    found = listing(_get(q="Ort\x00 0799" + "x" * 500), _rows(), SPEC)
    assert "\x00" not in found.query and len(found.query) == 200
    assert found.count == 0


def test_a_plain_list_is_paged_with_the_specs_callables():
    spec = ListSpec(
        key="liste",
        search=Search(
            label="Text", apply=lambda rows, text: [r for r in rows if text.lower() in r]
        ),
        filters=(
            Filter(
                "lang",
                "Länge",
                [("kurz", "kurz")],
                apply=lambda rows, v: [r for r in rows if len(r) < 6],
            ),
        ),
        per_page=2,
    )
    words = ["apfel", "birne", "apfelsine", "aprikose", "apfelmus"]
    found = listing(_get(q="Apfel", lang="kurz"), words, spec)
    assert found.rows == ["apfel"] and found.count == 1


def test_paging_a_queryset_costs_the_same_queries_at_45_and_at_450_rows(portal: Portal):
    counts = []
    for total, prefix in ((45, "0799"), (450, "0798")):
        _towns(total - _rows().count(), prefix)
        with CaptureQueriesContext(connection) as queries:
            found = listing(_get(q="Ort", seite="3"), _rows(), SPEC)
            list(found)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] == 2  # COUNT and the page


TEMPLATE = (
    "{% load partials %}<html><body>"
    '{% include "izd/_list_form.html" with label="Probe" %}'
    '<div id="{{ listing.target_id }}">{% partialdef ergebnisse inline %}'
    "{% for m in listing %}<p>{{ m.name }}</p>{% endfor %}"
    '{% include "izd/_pagination.html" with label="Probe" %}'
    "{% endpartialdef %}</div></body></html>"
)


@pytest.fixture
def probe_template(settings, tmp_path):
    (tmp_path / "probe_list.html").write_text(TEMPLATE, encoding="utf-8")
    # Changing TEMPLATES makes Django build its template engines anew (and again afterwards).
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return "probe_list.html"


def test_htmx_gets_the_results_partial_only_and_the_answer_varies_on_it(
    portal: Portal, probe_template: str
):
    _towns()
    request = _get(htmx={"HX-Request": "true"}, seite="2")
    response = render_list(request, probe_template, {"listing": listing(request, _rows(), SPEC)})
    body = response.content.decode()
    assert "<html>" not in body and "<form" not in body
    assert body.count("<p>Ort ") == 10
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(portal: Portal, probe_template: str):
    _towns()
    request = _get(htmx={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    response = render_list(request, probe_template, {"listing": listing(request, _rows(), SPEC)})
    assert "<html>" in response.content.decode()


def test_the_whole_page_has_the_form_the_page_links_and_their_htmx_attributes(
    portal: Portal, probe_template: str
):
    _towns()
    request = _get(q="Ort", groesse="gross", seite="2")
    response = render_list(request, probe_template, {"listing": listing(request, _rows(), SPEC)})
    body = response.content.decode()
    assert '<form method="get" action="/liste/"' in body
    assert 'data-hx-target="#probe-ergebnisse"' in body and 'data-hx-push-url="true"' in body
    assert 'value="Ort"' in body and '<option value="gross" selected>' in body
    assert 'aria-label="Seiten der Liste Probe"' in body
    assert 'aria-current="page"' in body
    assert "Seite 2 von" in body and ">Zurück</a>" in body
    assert 'href="/liste/?q=Ort&amp;groesse=gross"' in body  # page 1 keeps the filters
