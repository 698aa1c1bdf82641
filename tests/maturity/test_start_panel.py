"""The maturity panels on the start pages (registered with tenants.start_panels)."""

from __future__ import annotations

from tests.maturity.factories import answer_all, load_small_model, make_campaign


def test_municipality_start_page_shows_assessment_progress_and_deadline(portal, client_for):
    campaign = make_campaign(load_small_model(key="startseite"), [portal.a], name="Erhebung Start")
    body = client_for(portal.officer_a, portal.a).get("/").content.decode()
    assert "Reifegrad: Erhebung Start" in body
    assert "0 von " in body
    assert "31.12.2026" in body
    answer_all(campaign, portal.a, 2, user=portal.officer_a)
    body = client_for(portal.officer_a, portal.a).get("/").content.decode()
    assert "0 von " not in body


def test_kreis_start_page_shows_campaign_progress(portal, client_for):
    campaign = make_campaign(
        load_small_model(key="kreisstart"), [portal.a, portal.b], name="Erhebung Kreis"
    )
    answer_all(campaign, portal.a, 2, submit=True, user=portal.officer_a)
    body = client_for(portal.coordinator).get("/").content.decode()
    assert "Erhebung Kreis" in body
    assert "1 von 2 abgegeben, bis 31.12.2026" in body
