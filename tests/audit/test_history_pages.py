"""Each object's page shows its history; a municipality's pages only its own entries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import Portal

pytestmark = pytest.mark.django_db

YEAR = 2071


def test_a_paper_shows_its_history_to_the_kreis_and_to_its_municipality(portal: Portal, client_for):
    from roadmap.papers.services import paper_save
    from tests.papers.factories import paper_for, paper_template

    paper = paper_for(portal.a, YEAR, paper_template("Verlaufsmuster"))
    paper.office = "Amt für Verlauf"
    paper_save(paper)
    kreis = client_for(portal.coordinator).get(f"/beschlussvorlagen/{paper.pk}/")
    assert kreis.status_code == 200
    page = kreis.content.decode()
    assert "Verlauf der Vorlage und des Beschlusses" in page
    assert "Beschlussvorlage geändert" in page and "Amt für Verlauf" in page
    own = client_for(portal.officer_a, portal.a).get(f"/beschlussvorlagen/{paper.pk}/")
    assert own.status_code == 200
    assert "Amt für Verlauf" in own.content.decode()


def test_the_year_page_shows_money_and_key_changes(portal: Portal, client_for):
    from costsharing.services import allocation_key_save, budget_year_update
    from tests.costsharing.factories import budget_year

    year = budget_year(YEAR, staff=(("Leitung", "1.00", "30000.00"),))
    budget_year_update(budget_year=year, kreis_share_percent=Decimal("12.5"))
    allocation_key_save(
        budget_year=year, name="Szenario Verlauf", base=Decimal(40), population=Decimal(60),
        usage=Decimal(0), modules=Decimal(0), population_date=date(YEAR - 1, 12, 31),
    )  # fmt: skip
    page = client_for(portal.centre_treasurer).get(f"/kosten/{YEAR}/").content.decode()
    assert "Haushaltsjahr 2071 geändert" in page
    assert "12,5" in page
    assert "Verteilungsschlüssel „Szenario Verlauf“ für 2071 angelegt" in page
    assert "Personalstelle „Leitung“ hinzugefügt" in page


def test_a_request_page_shows_its_history_on_both_sides(portal: Portal, client_for):
    from roadmap.models import RequestStatus
    from tests.roadmap.factories import file_request, make_service, move

    request = file_request(portal.a, portal.officer_a, make_service(name="Verlaufsdienst"))
    move(portal.a, request, portal.coordinator, RequestStatus.IN_REVIEW)
    own = client_for(portal.officer_a, portal.a).get(f"/roadmap/anfragen/{request.pk}/")
    assert own.status_code == 200
    assert "Status geändert" in own.content.decode()
    assert "in Prüfung" in own.content.decode()
    kreis = client_for(portal.coordinator).get(f"/roadmap/anfragen/{request.pk}/")
    assert "Anfrage gestellt" in kreis.content.decode()


def test_the_membership_page_shows_participation_changes(portal: Portal, client_for):
    from costsharing.services import population_figure_set

    population_figure_set(
        municipality=portal.a, reference_date=date(YEAR, 6, 30), population=14_777
    )
    population_figure_set(municipality=portal.b, reference_date=date(YEAR, 6, 30), population=9_888)
    page = client_for(portal.officer_a, portal.a).get("/kosten/teilnahme/").content.decode()
    assert "14.777" in page
    assert "9.888" not in page  # B's figure is B's data
    detail = client_for(portal.coordinator).get(f"/kommunen/{portal.b.slug}/").content.decode()
    assert "9.888" in detail and "14.777" not in detail


def test_a_public_page_on_the_kreis_domain_shows_no_history(portal: Portal, client_for):
    from tests.practices.factories import make_practice

    practice = make_practice(
        author=portal.officer_a, municipality=portal.a, reviewer=portal.coordinator,
        visibility="oeffentlich",
    )  # fmt: skip
    page = client_for(None).get(f"/praxis/oeffentlich/{practice.pk}/")
    assert page.status_code == 200
    assert "veröffentlicht" in page.content.decode()
    assert "Verlauf" not in page.content.decode()
    kreis = client_for(portal.coordinator).get(f"/praxis/{practice.pk}/").content.decode()
    assert "Fassung 1 veröffentlicht" in kreis


def test_membership_changes_are_one_click_from_the_municipality(portal: Portal, client_for):
    from tenants.models import Membership
    from tenants.services import membership_grant, user_create

    person = user_create(email="verlauf-person@test.example", password=None)
    membership_grant(user=person, municipality=portal.b, role=Membership.Role.READER)
    client = client_for(portal.coordinator)
    detail = client.get(f"/kommunen/{portal.b.slug}/").content.decode()
    link = f"/protokoll/?kommune={portal.b.pk}&amp;bereich=membership"
    assert link in detail
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "Rolle vergeben: verlauf-person@test.example" in listed
