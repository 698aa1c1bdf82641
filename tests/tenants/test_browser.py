from __future__ import annotations

import pytest

from tests.conftest import LiveServer, Portal, sign_in

pytestmark = pytest.mark.browser


def test_digital_officer_signs_in_and_reaches_the_municipality_start_page(
    portal: Portal, live: LiveServer, page
):
    sign_in(page, live, portal, portal.officer_a, portal.a)
    page.wait_for_url(live.url(portal, portal.a, "/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Testhausen"
    assert page.get_by_role("navigation", name="Hauptnavigation").is_visible()
    assert page.locator("body").get_attribute("data-hx-headers")


def test_sign_in_on_the_kreis_carries_over_to_the_own_subdomain(
    portal: Portal, live: LiveServer, page
):
    sign_in(page, live, portal, portal.officer_a)
    # A person with one municipality is taken straight to it.
    page.wait_for_url(live.url(portal, portal.a, "/"))
    page.goto(live.url(portal, portal.b, "/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Kein Zugriff"


def test_skip_link_moves_focus_to_the_main_content(portal: Portal, live: LiveServer, page):
    page.goto(live.url(portal, None, "/anmelden/"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
