from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from maturity import selectors
from maturity.models import Campaign, ModelVersion
from tenants.models import Municipality
from tests.conftest import Portal
from tests.maturity.factories import (
    answer_all,
    fake_municipalities,
    fake_results,
    load_small_model,
    make_campaign,
)

pytestmark = pytest.mark.django_db
CAPTURED: list[str] = []


def _coordinator_reads(client_for, portal: Portal, campaign: Campaign, path: str) -> str:
    """The page at `path` of the campaign, as the Kreis' coordinator sees it."""
    url = f"/reifegrad/erhebungen/{campaign.pk}/{path}"
    return client_for(portal.coordinator).get(url).content.decode()


def _open_campaign(
    client: Client,
    version: ModelVersion,
    name: str,
    start: str = "2026-03-01",
    end: str = "2026-06-30",
    **who: object,
):
    """The Kreis' form for a new campaign, sent with `who` takes part."""
    form = {"name": name, "start_date": start, "end_date": end, "model_version": version.pk}
    return client.post("/reifegrad/erhebungen/neu/", {**form, **who})


def _queries_for_overview(client_for, portal: Portal, count: int) -> tuple[int, str]:
    campaign = make_campaign(load_small_model(), [portal.a])
    fake_results(campaign, fake_municipalities(count))
    client = client_for(portal.coordinator)
    client.get(f"/reifegrad/erhebungen/{campaign.pk}/uebersicht/")  # warm caches and session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/reifegrad/erhebungen/{campaign.pk}/uebersicht/?sort=a&dir=desc")
    assert response.status_code == 200
    CAPTURED[:] = [q["sql"] for q in captured.captured_queries]
    return len(captured), response.content.decode()


def test_county_overview_makes_the_same_number_of_queries_for_3_and_30_municipalities(
    portal: Portal, client_for
):
    few, _body_few = _queries_for_overview(client_for, portal, 3)
    many, body_many = _queries_for_overview(client_for, portal, 30)
    assert few == many
    # Besides the search-path switches: domain, session, user, roles, campaign, read model, and
    # the person's memberships for the header's municipality switcher.
    assert len([sql for sql in CAPTURED if not sql.startswith("SET search_path")]) <= 7
    assert body_many.count('<th scope="row">') == 31  # 30 fake + Testhausen


def test_county_overview_never_touches_a_tenant_schema(portal: Portal, client_for):
    campaign = make_campaign(load_small_model(), [portal.a, portal.b])
    answer_all(campaign, portal.a, 2)
    client = client_for(portal.coordinator)
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/reifegrad/erhebungen/{campaign.pk}/uebersicht/")
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert portal.a.schema_name not in sql and portal.b.schema_name not in sql
    assert "maturity_municipal" not in sql


def test_matrix_is_an_accessible_table_coloured_by_level_with_values(portal: Portal, client_for):
    campaign = make_campaign(load_small_model(), [portal.a, portal.b])
    answer_all(campaign, portal.a, 3)
    body = _coordinator_reads(client_for, portal, campaign, "uebersicht/")
    assert "<caption>" in body and 'scope="col"' in body and 'scope="row"' in body
    assert "maturity-level-3" in body and "75,0" in body and "(Stufe 3)" in body
    assert "begonnen" in body and "nicht begonnen" in body


def test_matrix_sorts_by_a_dimension_column_without_javascript(portal: Portal, client_for):
    campaign = make_campaign(load_small_model(), [portal.a, portal.b])
    answer_all(campaign, portal.a, 1)
    answer_all(campaign, portal.b, 4)
    client = client_for(portal.coordinator)
    url = f"/reifegrad/erhebungen/{campaign.pk}/uebersicht/"
    desc = client.get(url + "?sort=a&dir=desc").content.decode()
    asc = client.get(url + "?sort=a").content.decode()
    assert desc.index("Beispielstadt") < desc.index("Testhausen")
    assert asc.index("Testhausen") < asc.index("Beispielstadt")
    assert 'aria-sort="descending"' in desc
    partial = client.get(url + "?sort=a", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="matrix"') and "<html" not in partial


def test_unknown_sort_key_falls_back_to_name(portal: Portal):
    campaign = make_campaign(load_small_model(), [portal.a, portal.b])
    overview = selectors.county_overview(campaign, sort="'; drop table", descending=True)
    assert overview.sort == "name"
    assert [r.name for r in overview.rows] == ["Testhausen", "Beispielstadt"]


def test_csv_export_opens_in_german_excel(portal: Portal, client_for):
    campaign = make_campaign(load_small_model(), [portal.a, portal.b])
    answer_all(campaign, portal.a, 1)  # a: 25, b: 25 → index 25
    response = client_for(portal.coordinator).get(f"/reifegrad/erhebungen/{campaign.pk}/export.csv")
    raw = response.content
    assert response.status_code == 200
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Kommune", "AGS", "Status", "Beantwortet", "Fragen", "Gesamtindex"]
    testhausen = next(r for r in rows if r[0] == "Testhausen")
    assert testhausen[5] == "25,0" and testhausen[6] == "25,0"
    assert next(r for r in rows if r[0] == "Beispielstadt")[2] == "nicht begonnen"


def test_xlsx_export_has_numbers(portal: Portal, client_for):
    campaign = make_campaign(load_small_model(), [portal.a, portal.b])
    answer_all(campaign, portal.a, 2)
    response = client_for(portal.coordinator).get(
        f"/reifegrad/erhebungen/{campaign.pk}/export.xlsx"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Kommune"
    testhausen = next(r for r in rows if r[0] == "Testhausen")
    assert testhausen[5] == 50.0


def test_drilldown_shows_one_municipalitys_answers(portal: Portal, client_for):
    campaign = make_campaign(load_small_model(), [portal.a, portal.b])
    answer_all(campaign, portal.a, 2)
    body = _coordinator_reads(client_for, portal, campaign, f"kommunen/{portal.a.slug}/")
    assert "Frage a1?" in body and "Testhausen" in body
    assert connection.schema_name == "public"  # type: ignore[attr-defined]


def test_county_pages_are_for_kreis_staff_only(portal: Portal, client_for):
    campaign = make_campaign(load_small_model(), [portal.a])
    for path in (
        "",
        f"erhebungen/{campaign.pk}/uebersicht/",
        f"erhebungen/{campaign.pk}/export.csv",
    ):
        assert client_for(portal.officer_a).get(f"/reifegrad/{path}").status_code == 403
    assert client_for(portal.centre_treasurer).get("/reifegrad/").status_code == 200
    response = client_for(portal.centre_treasurer).post(
        f"/reifegrad/erhebungen/{campaign.pk}/abschliessen/"
    )
    assert response.status_code == 403


def test_coordinator_opens_a_campaign_and_sees_its_status(portal: Portal, client_for):
    version = load_small_model()
    client = client_for(portal.coordinator)
    both = [portal.a.pk, portal.b.pk]
    response = _open_campaign(client, version, "Erhebung Formular", municipalities=both)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Erhebung Formular" in body and "01.03.2026 bis 30.06.2026" in body
    assert "0 abgegeben, 0 begonnen, 2 nicht begonnen" in body
    bad = _open_campaign(
        client, version, "Kaputt", "2026-06-01", "2026-01-01", municipalities=[portal.a.pk]
    )
    assert bad.status_code == 400
    assert "Das Ende darf nicht vor dem Beginn liegen." in bad.content.decode()


def test_coordinator_reopens_and_closes_via_the_kreis_pages(portal: Portal, client_for):
    campaign = make_campaign(load_small_model(), [portal.a])
    answer_all(campaign, portal.a, 2, submit=True)
    client = client_for(portal.coordinator)
    response = client.post(
        f"/reifegrad/erhebungen/{campaign.pk}/kommunen/{portal.a.slug}/wieder-oeffnen/"
    )
    assert response.status_code == 302
    campaign.participations.get().refresh_from_db()
    assert campaign.participations.get().status == "started"
    again = client.post(
        f"/reifegrad/erhebungen/{campaign.pk}/kommunen/{portal.a.slug}/wieder-oeffnen/"
    )
    assert again.status_code == 400
    assert "nicht abgegeben" in again.content.decode()
    close = f"/reifegrad/erhebungen/{campaign.pk}/abschliessen/"
    asked = client.post(close)
    assert asked.status_code == 200 and "Erhebung abschließen?" in asked.content.decode()
    assert campaign.participations.get().campaign.is_open, "nothing happens before confirming"
    assert client.post(close, {"bestaetigt": "ja"}).status_code == 302
    second = client.post(close, {"bestaetigt": "ja"})
    assert second.status_code == 400


@pytest.mark.parametrize("path", ["", "export.csv", "export.xlsx"])
def test_campaign_page_and_exports_make_the_same_number_of_queries_for_3_and_30(
    portal: Portal, client_for, path: str
):
    client = client_for(portal.coordinator)
    counts = []
    for count in (3, 30):
        campaign = make_campaign(load_small_model(), [portal.a])
        fake_results(campaign, fake_municipalities(count))
        client.get(f"/reifegrad/erhebungen/{campaign.pk}/{path}")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/reifegrad/erhebungen/{campaign.pk}/{path}")
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_matrix_escapes_municipality_names(portal: Portal, client_for):
    campaign = make_campaign(load_small_model(), [portal.a])
    [town] = fake_municipalities(1, prefix="<b>Ober & Unter</b>")
    fake_results(campaign, [town])
    body = _coordinator_reads(client_for, portal, campaign, "uebersicht/")
    assert "&lt;b&gt;Ober &amp; Unter&lt;/b&gt;" in body and "<b>Ober" not in body
    assert f'/kommunen/{town.slug}/">' in body


def test_the_new_campaign_form_preselects_nobody_and_takes_exactly_the_ticked(
    portal: Portal, client_for
):
    import re

    version = load_small_model()
    client = client_for(portal.coordinator)
    form = client.get("/reifegrad/erhebungen/neu/").content.decode()
    boxes = re.findall(r'<input[^>]*name="municipalities"[^>]*>', form)
    assert boxes and not any("checked" in box for box in boxes)
    response = _open_campaign(client, version, "Nur eine", municipalities=[portal.b.pk])
    assert response.status_code == 302
    campaign = Campaign.objects.get(name="Nur eine")
    assert [p.municipality_id for p in campaign.participations.all()] == [portal.b.pk]
    everyone = _open_campaign(client, version, "Alle", all_members="on")
    assert everyone.status_code == 302
    members = Municipality.objects.members().count()
    assert Campaign.objects.get(name="Alle").participations.count() == members
    nobody = _open_campaign(client, version, "Niemand")
    assert nobody.status_code == 400
    assert "mindestens eine teilnehmende Kommune" in nobody.content.decode()


def test_reminders_count_municipalities_and_name_those_without_an_officer(
    portal: Portal, client_for
):
    from tests.conftest import _municipality

    lonely = _municipality("Ohnebeauftragt", "06435903", 1_000)
    campaign = make_campaign(load_small_model(), [portal.a, portal.b, lonely])
    response = client_for(portal.coordinator).post(
        f"/reifegrad/erhebungen/{campaign.pk}/erinnern/", follow=True
    )
    body = response.content.decode()
    assert "Erinnerung an 2 Kommunen verschickt (2 E-Mails)." in body
    assert "Ohnebeauftragt" in body and "niemand Digitalisierungsbeauftragte/r" in body


def test_reopening_mails_the_officers(
    portal: Portal, client_for, django_capture_on_commit_callbacks
):
    from django.core import mail

    campaign = make_campaign(load_small_model(), [portal.a])
    answer_all(campaign, portal.a, 2, submit=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(portal.coordinator).post(
            f"/reifegrad/erhebungen/{campaign.pk}/kommunen/{portal.a.slug}/wieder-oeffnen/"
        )
    assert [m.to for m in mail.outbox] == [[portal.officer_a.email]]
    assert "wieder geöffnet" in mail.outbox[0].body
