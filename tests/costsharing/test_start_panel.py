"""The budget years' freeze status on the Kreis start page."""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone

from costsharing import services
from costsharing.models import BudgetYear
from tests.costsharing.factories import budget_year, join


def test_kreis_start_page_shows_the_status_of_each_budget_year(portal, client_for):
    services.budget_year_create(year=2031)
    body = client_for(portal.coordinator).get("/").content.decode()
    assert "Haushaltsjahre" in body
    assert "2031" in body and "in Planung" in body
    assert "Haushaltsjahre" not in client_for(portal.officer_a, portal.a).get("/").content.decode()


def _panel(body: str, title: str) -> str:
    found = re.search(rf"<h3 [^>]*>{re.escape(title)}</h3>(.*?)</section>", body, re.S)
    assert found, f"no panel {title!r}"
    return found.group(1)


def test_treasurer_sees_this_years_share_and_its_status(portal, client_for):
    this_year = timezone.localdate().year
    budget_year(this_year, staff=(("Leitung", "1.00", "30000.00"),), key=(100, 0, 0, 0))
    for town in (portal.a, portal.b):
        join(town, date(this_year - 1, 1, 1), budget_line=f"HH-{town.ags}")
    panel = _panel(
        client_for(portal.treasurer_a, portal.a).get("/").content.decode(), "Kostenbeteiligung"
    )
    assert (
        f'<a href="/kosten/{this_year}/">Anteil {this_year}</a></dt>'
        "<dd>15.000,00 € – vorläufig, der Haushalt ist in Planung</dd>"
    ) in panel
    assert "Teilnahme und Module</a></dt><dd>erklärt</dd>" in panel

    services.allocation_freeze(
        budget_year=BudgetYear.objects.get(year=this_year),
        user=portal.centre_treasurer,
        decisions_waiver="Test ohne Beschlussvorlagen",
    )
    panel = _panel(
        client_for(portal.treasurer_a, portal.a).get("/").content.decode(), "Kostenbeteiligung"
    )
    assert "15.000,00 € – festgeschrieben (Version 1), Bescheid abrufbar" in panel


def test_officer_is_shown_the_participation_but_not_the_share(portal, client_for):
    panel = _panel(
        client_for(portal.officer_b, portal.b).get("/").content.decode(), "Kostenbeteiligung"
    )
    assert "/kosten/teilnahme/" in panel
    assert "Anteil" not in panel
    body = client_for(portal.reader_a, portal.a).get("/").content.decode()
    assert "Kostenbeteiligung" not in body
