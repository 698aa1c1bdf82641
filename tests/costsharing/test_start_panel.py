"""The budget years' freeze status on the Kreis start page."""

from __future__ import annotations

from costsharing import services


def test_kreis_start_page_shows_the_status_of_each_budget_year(portal, client_for):
    services.budget_year_create(year=2031)
    body = client_for(portal.coordinator).get("/").content.decode()
    assert "Haushaltsjahre" in body
    assert "2031" in body and "in Planung" in body
    assert "Haushaltsjahre" not in client_for(portal.officer_a, portal.a).get("/").content.decode()
