"""In the browser: a list is searched, filtered and paged by htmx without a full page load, the
address follows (so a reload or a shared link shows the same), going back restores the page,
and the list with its page links meets WCAG 2.1 AA."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from costsharing.models import UsageRecord
from tests.conftest import LiveServer, Portal, sign_in
from tests.izd.test_accessibility import _violations

pytestmark = pytest.mark.browser

YEAR = 2087  # no other test records use for this year


def test_search_filter_and_pages_swap_the_results_and_keep_the_address(
    portal: Portal, live: LiveServer, page
):
    UsageRecord.objects.bulk_create(
        UsageRecord(
            municipality=portal.a if n % 2 else portal.b,
            year=YEAR,
            units=Decimal(n + 1),
            source=UsageRecord.Source.IMPORT if n % 5 == 0 else UsageRecord.Source.MANUAL,
            note=f"Browserliste {n:03d}",
        )
        for n in range(60)
    )
    try:
        sign_in(page, live, portal, portal.centre_treasurer)
        page.wait_for_url(live.url(portal, None, "/"))
        url = live.url(portal, None, f"/kosten/{YEAR}/nutzung/")
        page.goto(url)
        results = page.locator("#nutzung-ergebnisse")
        assert "60 Einträge" in results.locator(".list-count").inner_text()

        page.get_by_label("Kommune, AGS, Referenz oder Bemerkung").fill("Browserliste 01")
        page.wait_for_url(re.compile(r"\?q=Browserliste(\+|%20)01(&|$)"))
        results.get_by_text("10 Einträge gefunden").wait_for()
        assert "Browserliste 019" in results.inner_text()

        page.get_by_label("Quelle").select_option(UsageRecord.Source.IMPORT)
        page.wait_for_url(re.compile(r"quelle=import"))
        results.get_by_text("2 Einträge gefunden").wait_for()

        page.get_by_role("link", name="Suche und Filter zurücksetzen").click()
        page.wait_for_url(url)
        results.get_by_text("60 Einträge").wait_for()
        page.evaluate("window.loadedOnce = true")
        pages = page.get_by_role("navigation", name="Seiten der Liste Nutzung")
        pages.get_by_role("link", name="Weiter").click()
        page.wait_for_url(re.compile(r"\?seite=2$"))
        pages.get_by_text("Seite 2 von 3").wait_for()
        assert pages.get_by_role("link", name="Seite 2").get_attribute("aria-current") == "page"
        # Still the page loaded first: htmx swapped the results only.
        assert page.evaluate("window.loadedOnce") is True
        assert _violations(page) == []

        page.go_back()
        page.wait_for_url(url)
        pages.get_by_text("Seite 1 von 3").wait_for()
    finally:
        UsageRecord.objects.filter(year=YEAR).delete()


def test_the_list_works_without_javascript(portal: Portal, live: LiveServer, browser):
    UsageRecord.objects.bulk_create(
        UsageRecord(municipality=portal.a, year=YEAR, units=Decimal(n + 1), note=f"Ohne JS {n}")
        for n in range(30)
    )
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live, portal, portal.centre_treasurer)
        page.goto(live.url(portal, None, f"/kosten/{YEAR}/nutzung/"))
        page.get_by_label("Kommune, AGS, Referenz oder Bemerkung").fill("Ohne JS 2")
        page.get_by_role("button", name="Anzeigen").click()
        page.wait_for_url(re.compile(r"\?q=Ohne(\+|%20)JS(\+|%20)2(&|$)"))
        assert "11 Einträge gefunden" in page.locator(".list-count").inner_text()
    finally:
        context.close()
        UsageRecord.objects.filter(year=YEAR).delete()
