"""German full-text search: stemming and compounds, ranking, combined filters, and the same
number of queries at 10 and 1,000 practices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from roadmap.practices import selectors
from roadmap.practices.models import Practice
from tests.conftest import Portal
from tests.practices.factories import make_practice, product
from tests.statements import page_queries

pytestmark = pytest.mark.django_db
CENTRE = selectors.Viewer(is_centre=True)


def _found(text: str, **filters: object) -> list[str]:
    results = selectors.search(CENTRE, selectors.Filters(text=text, **filters))  # type: ignore[arg-type]
    return [p.published_version.title for p in results]  # type: ignore[union-attr]


@pytest.fixture
def kw(portal: Portal) -> dict[str, object]:
    return {"author": portal.officer_a, "municipality": portal.a, "reviewer": portal.coordinator}


def test_rechnung_finds_e_rechnungen_and_rechnungseingang(kw):
    make_practice(title="E-Rechnungen annehmen", summary="Nach EN 16931.", **kw)
    make_practice(title="Digitaler Rechnungseingang", summary="Mit Workflow.", **kw)
    make_practice(title="Hundesteuer online", summary="Auf Civento.", **kw)
    found = _found("Rechnung")
    assert "E-Rechnungen annehmen" in found
    assert "Digitaler Rechnungseingang" in found
    assert "Hundesteuer online" not in found


def test_inflected_query_words_are_stemmed(kw):
    make_practice(title="Vereine in der Cloud", summary="Speicher für Vereine.", **kw)
    assert _found("Verein") == ["Vereine in der Cloud"]
    assert _found("Vereinen") == ["Vereine in der Cloud"]


def test_title_match_ranks_before_text_match(kw):
    make_practice(title="Bürgerbüro modernisieren", summary="Ohne Bezug.",
                  solution="Terminvergabe im Bürgerbüro eingeführt.", **kw)  # fmt: skip
    make_practice(title="Terminvergabe online", summary="Kurz.", solution="Etwas.", **kw)
    assert _found("Terminvergabe") == ["Terminvergabe online", "Bürgerbüro modernisieren"]


def test_search_input_with_operators_is_harmless(kw):
    make_practice(title="Sicherheit nach WiBA", **kw)
    for text in ("WiBA & | ! ( :*", "' OR 1=1 --", "<script>", "___"):
        selectors.search(CENTRE, selectors.Filters(text=text)).count()
    assert _found("wiba !") == ["Sicherheit nach WiBA"]


def test_filters_combine(portal, kw):
    civento = product("Civento (Test)")
    cloud = product("Cloud (Test)")
    make_practice(title="Alpha Civento günstig", dimension_keys=("onlinedienste",),
                  project_status="betrieb", cost_once=Decimal("1000"), cost_yearly=Decimal("0"),
                  product_ids=(civento.pk,), **kw)  # fmt: skip
    make_practice(title="Alpha Civento teuer", dimension_keys=("onlinedienste",),
                  project_status="betrieb", cost_once=Decimal("30000"),
                  product_ids=(civento.pk,), **kw)  # fmt: skip
    make_practice(title="Alpha Cloud günstig", dimension_keys=("buergerservice",),
                  project_status="pilot", cost_once=Decimal("1000"), cost_yearly=Decimal("0"),
                  product_ids=(cloud.pk,), **kw)  # fmt: skip
    make_practice(title="Alpha Civento klein", dimension_keys=("onlinedienste",),
                  project_status="betrieb", cost_once=Decimal("1000"), cost_yearly=Decimal("0"),
                  product_ids=(civento.pk,), author=portal.officer_b, municipality=portal.b,
                  reviewer=portal.coordinator)  # fmt: skip
    assert _found(
        "Alpha", dimension="onlinedienste", project_status="betrieb", cost_band="bis-5000",
        product_id=civento.pk, size_class="10000-20000",
    ) == ["Alpha Civento günstig"]  # fmt: skip
    assert _found("Alpha", size_class="unter-10000") == ["Alpha Civento klein"]
    assert set(_found("Alpha", cost_band="ueber-25000")) == {"Alpha Civento teuer"}
    assert set(_found("", product_id=cloud.pk)) == {"Alpha Cloud günstig"}


def _bulk(portal: Portal, count: int) -> None:
    """Many published practices at once: rows written in bulk, the search vector computed by
    PostgreSQL with the same configuration and weights as `practice_review` uses."""
    from django.utils import timezone

    from roadmap.practices.models import PracticeVersion

    now = timezone.now()
    practices = Practice.objects.bulk_create(
        [Practice(municipality=portal.a, visibility="mitglieder", published_at=now)
         for _ in range(count)]
    )  # fmt: skip
    versions = PracticeVersion.objects.bulk_create(
        [
            PracticeVersion(
                practice=practice, number=1, state="veroeffentlicht", published_at=now,
                title=f"Masse Rechnungseingang {practice.pk}", summary="Viele Beispiele.",
                contact_name="Masse", contact_email="masse@test.example",
                project_status="pilot" if index % 2 else "betrieb",
            )
            for index, practice in enumerate(practices)
        ]
    )  # fmt: skip
    masse = product("Masse")
    PracticeVersion.products.through.objects.bulk_create(
        [PracticeVersion.products.through(practiceversion_id=v.pk, product_id=masse.pk)
         for v in versions]
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE roadmap_practices_practice p SET published_version_id = v.id, "
            "search_vector = setweight(to_tsvector('german', v.title), 'A') "
            "|| setweight(to_tsvector('german', v.summary), 'B') "
            "FROM roadmap_practices_practiceversion v WHERE v.practice_id = p.id "
            "AND p.id = ANY(%s)",
            [[p.pk for p in practices]],
        )


def test_same_number_of_queries_at_10_and_1000_practices(portal, client_for, kw):
    client = client_for(portal.officer_b, portal.b)
    path = "/praxis/?q=Rechnung&status=pilot"
    _bulk(portal, 10)
    small = page_queries(client, path)
    _bulk(portal, 990)
    assert Practice.objects.filter(published_version__isnull=False).count() >= 1000
    large = page_queries(client, path)
    assert small == large
    # The GIN index answers the text condition (the planner may still prefer another index for
    # the whole query while the table is small).
    query = selectors.search_query("Rechnung")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Practice.objects.filter(search_vector=query).explain()
    assert "practice_search_gin" in plan
