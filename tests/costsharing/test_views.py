"""Pages of cost sharing: German 4xx for bad input, nothing changed, and who sees what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from costsharing import services
from costsharing.models import AllocationKey, BudgetYear, CostLine, MemberProfile
from tests.conftest import Portal
from tests.costsharing.factories import NO_PAPERS, budget_year, centre_treasurer, issuer, join

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def year_2026(portal: Portal) -> BudgetYear:
    join(portal.a, date(2024, 1, 1))
    join(portal.b, date(2024, 1, 1))
    return budget_year(2026, costs=(("material", "Betrieb", "1000.00"),))


def _add_cost_line(client_for, portal: Portal, kind: str, label: str, amount: str):
    """The coordinator's form for a new cost line of 2026."""
    form = {"kosten-kind": kind, "kosten-label": label, "kosten-amount": amount}
    return client_for(portal.coordinator).post("/kosten/2026/kosten/neu/", form)


def test_coordinator_sees_the_year_with_every_members_share(portal: Portal, client_for, year_2026):
    response = client_for(portal.coordinator).get("/kosten/2026/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Testhausen" in body and "Beispielstadt" in body
    assert "500,00 €" in body


def test_key_not_adding_up_to_100_gets_a_german_400_and_changes_nothing(
    portal: Portal, client_for, year_2026
):
    response = client_for(portal.coordinator).post(
        "/kosten/2026/schluessel/neu/",
        {"schluessel-name": "B", "schluessel-base": "50", "schluessel-population": "40",
         "schluessel-usage": "0", "schluessel-modules": "0",
         "schluessel-population_date": "2025-12-31"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "ergeben 90,00 % statt 100 %" in response.content.decode()
    assert AllocationKey.objects.filter(budget_year=year_2026).count() == 1


def test_negative_amount_gets_a_german_400(portal: Portal, client_for, year_2026):
    response = _add_cost_line(client_for, portal, "material", "x", "-5")
    assert response.status_code == 400
    assert "größer oder gleich 0" in response.content.decode()
    assert CostLine.objects.filter(budget_year=year_2026).count() == 1


def test_decimal_comma_is_accepted(portal: Portal, client_for, year_2026):
    response = _add_cost_line(client_for, portal, "service", "Hosting", "1234,56")
    assert response.status_code == 302
    assert CostLine.objects.get(label="Hosting").amount == D("1234.56")


def test_population_of_zero_gets_a_german_400(portal: Portal, client_for):
    response = client_for(portal.coordinator).post(
        "/kosten/einwohner/",
        {"municipality": portal.a.pk, "reference_date": "2025-06-30", "population": "0"},
    )
    assert response.status_code == 400
    assert "Die Einwohnerzahl muss größer als null sein." in response.content.decode()


def test_year_without_members_shows_the_reason_and_freezing_it_gets_a_400(
    portal: Portal, client_for
):
    budget_year(2033, costs=(("material", "Betrieb", "1.00"),))
    page = client_for(portal.coordinator).get("/kosten/2033/")
    assert page.status_code == 200
    assert "keine Mitglieder" in page.content.decode()
    response = client_for(portal.centre_treasurer).post(
        "/kosten/2033/festschreiben/", {"settle_in_year": "2033"}
    )
    assert response.status_code == 400
    assert "keine Mitglieder" in response.content.decode()
    assert not BudgetYear.objects.get(year=2033).is_frozen


def test_frozen_year_refuses_a_change_with_409(portal: Portal, client_for, year_2026):
    response = client_for(portal.centre_treasurer).post(
        "/kosten/2026/festschreiben/", {"settle_in_year": "2026", "decisions_waiver": NO_PAPERS}
    )
    assert response.status_code == 302
    response = _add_cost_line(client_for, portal, "material", "spät", "5")
    assert response.status_code == 409
    assert "festgeschrieben" in response.content.decode()
    assert not CostLine.objects.filter(label="spät").exists()


def test_only_the_centre_treasurer_freezes(portal: Portal, client_for, year_2026):
    response = client_for(portal.coordinator).post(
        "/kosten/2026/festschreiben/", {"settle_in_year": "2026"}
    )
    assert response.status_code == 403


def test_scenarios_side_by_side_show_each_members_difference(portal: Portal, client_for, year_2026):
    services.allocation_key_save(
        budget_year=year_2026, name="Nach Einwohnern", base=D(0), population=D(100),
        usage=D(0), modules=D(0), population_date=date(2025, 12, 31),
    )  # fmt: skip
    a, b = AllocationKey.objects.filter(budget_year=year_2026).order_by("pk")
    response = client_for(portal.coordinator).get(f"/kosten/2026/vergleich/?a={a.pk}&b={b.pk}")
    assert response.status_code == 200
    body = response.content.decode()
    # 1,000.00 by population 14,000 : 9,500 → 595.74 / 404.26 against 500.00 each
    assert "595,74 €" in body and "+95,74 €" in body
    assert "404,26 €" in body and "-95,74 €" in body


def test_treasurer_sees_own_share_and_downloads(portal: Portal, client_for, year_2026):
    client = client_for(portal.treasurer_a, portal.a)
    page = client.get("/kosten/2026/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Kostenanteil 2026" in body and "500,00 €" in body and "Sockelbetrag" in body
    assert "Beispielstadt" not in body
    csv = client.get("/kosten/2026/anteil.csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert client.get("/kosten/2026/anteil.xlsx").status_code == 200
    # Not frozen yet: no invoice, so no link that would only lead to "Das hat nicht geklappt".
    assert "/kosten/2026/anteil.xml" not in body and "/kosten/2026/anteil.ubl.xml" not in body
    assert "sobald die Verteilung für 2026 festgeschrieben ist" in body


def test_the_einvoice_links_appear_once_the_year_is_frozen(portal: Portal, client_for, year_2026):
    issuer()
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=year_2026, user=centre_treasurer()
    )
    body = client_for(portal.treasurer_a, portal.a).get("/kosten/2026/").content.decode()
    assert "/kosten/2026/anteil.xml" in body and "/kosten/2026/anteil.ubl.xml" in body
    assert "sobald die Verteilung" not in body


def test_treasurer_of_a_cannot_see_the_share_of_b(portal: Portal, client_for, year_2026):
    client = client_for(portal.treasurer_a, portal.b)
    for path in ("/kosten/", "/kosten/2026/", "/kosten/2026/anteil.csv", "/kosten/2026/anteil.xml"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Beispielstadt" not in response.content.decode()


def test_digital_officer_does_not_see_the_share(portal: Portal, client_for, year_2026):
    assert client_for(portal.officer_a, portal.a).get("/kosten/2026/").status_code == 403


def test_einvoice_without_leitweg_id_gets_a_clear_german_4xx(portal: Portal, client_for, year_2026):
    issuer()
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=year_2026, user=centre_treasurer()
    )
    assert portal.a.leitweg_id == ""
    response = client_for(portal.treasurer_a, portal.a).get("/kosten/2026/anteil.xml")
    assert response.status_code == 422
    assert "keine Leitweg-ID" in response.content.decode()


def test_participation_form_saves_and_projects_membership(portal: Portal, client_for):
    response = client_for(portal.treasurer_a, portal.a).post(
        "/kosten/teilnahme/",
        {"joined_on": "2025-04-01", "budget_line": "1.11.01", "contact_email": "k@a.example"},
    )
    assert response.status_code == 302
    profile = MemberProfile.objects.get(municipality=portal.a)
    assert profile.joined_on == date(2025, 4, 1) and profile.budget_line == "1.11.01"


def test_participation_with_exit_before_entry_gets_a_german_400(portal: Portal, client_for):
    response = client_for(portal.treasurer_a, portal.a).post(
        "/kosten/teilnahme/", {"joined_on": "2025-04-01", "left_on": "2024-01-01"}
    )
    assert response.status_code == 400
    assert "Austritt kann nicht vor dem Beitritt" in response.content.decode()
    assert not MemberProfile.objects.filter(municipality=portal.a).exists()


def test_kreis_exports_all_members_as_xlsx(portal: Portal, client_for, year_2026):
    response = client_for(portal.centre_treasurer).get("/kosten/2026/verteilung.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_treasurer_can_recompute_every_explained_figure_from_the_page(portal: Portal, client_for):
    """A part-year member: every component names pot, weight and divisor, and the rounding rule
    is stated, so the page's own numbers give the charged cents."""
    import re
    from html import unescape

    join(portal.a, date(2024, 1, 1))
    join(portal.b, date(2027, 7, 1))  # half of 2027
    services.population_figure_set(
        municipality=portal.b, reference_date=date(2024, 12, 31), population=12_948
    )
    budget_year(2027, costs=(("material", "Betrieb", "100000.01"),), key=(40, 60, 0, 0),
                population_date=date(2026, 12, 31))  # fmt: skip
    body = unescape(client_for(portal.treasurer_b, portal.b).get("/kosten/2027/").content.decode())
    text = re.sub(r"<[^>]+>", " ", body)
    number = r"([\d.]+(?:,\d+)?)"
    sentences = re.findall(
        rf"Genau: {number} € × {number} / {number} (=|≈) {number} €, auf Cent gerundet {number} €",
        text,
    )
    assert len(sentences) == 2, sentences  # Sockelbetrag and Einwohner

    def de(value: str) -> Decimal:
        return Decimal(value.replace(".", "").replace(",", "."))

    for pot, weight, total, sign, exact, charged in sentences:
        quotient = de(pot) * de(weight) / de(total)
        assert abs(quotient - de(exact)) < Decimal("0.00005") and (sign == "=") == (
            quotient == de(exact)
        )
        low = quotient.quantize(Decimal("0.01"), rounding="ROUND_FLOOR")
        assert de(charged) in (low, low + Decimal("0.01"))
    assert "6 von 12 Monaten" in text
    assert "12.948 Einwohner (amtliche Zahl zum 31.12.2024" in text
    assert "Stichtag des Schlüssels 31.12.2026" in text
    assert "Hare-Niemeyer" in text and "seltener aufgerundet" in text
    # The two components add up to the charged share.
    amounts = [de(charged) for *_ignored, charged in sentences]
    assert f"{sum(amounts):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") in text
