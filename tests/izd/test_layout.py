"""At 1366 px (the most common office screen) the wide pages fit: no element reaches past the
viewport, except inside a container that scrolls on its own. Screenshots are kept as artefacts
in `test-artefacts/screenshots/` (or IZD_TEST_ARTEFACTS)."""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer, Portal, sign_in
from tests.maturity.factories import answer_all, load_real_model, make_campaign
from tests.roadmap.factories import make_measure

pytestmark = pytest.mark.browser

WIDTH = 1366
ARTEFACTS = Path(os.environ.get("IZD_TEST_ARTEFACTS", "test-artefacts")) / "screenshots"

# Elements whose right edge lies past the viewport and that are not inside an element that
# scrolls horizontally by itself (overflow-x auto/scroll with content wider than the box).
OVERFLOWING = """
() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if ((style.overflowX === 'auto' || style.overflowX === 'scroll')
          && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 && !scrolls(el)) {
      out.push(`${el.tagName.toLowerCase()}.${el.className}: ${Math.round(box.right)}`);
    }
  }
  return {out: out.slice(0, 10), page: document.documentElement.scrollWidth, width};
}
"""


@pytest.fixture
def wide_world(portal: Portal, committed, settings):
    # The results table at its widest: with the county median and the change since last time.
    settings.BENCHMARK_MIN_SUBMISSIONS = 2
    with committed():
        earlier = make_campaign(
            load_real_model(),
            [portal.a],
            name=f"Layout davor {uuid.uuid4().hex[:8]}",
            start=date(2025, 3, 1),
        )
        answer_all(earlier, portal.a, 1, submit=True)
        campaign = make_campaign(
            load_real_model(), [portal.a, portal.b], name=f"Layout {uuid.uuid4().hex[:8]}"
        )
        answer_all(campaign, portal.a, 2, submit=True)
        answer_all(campaign, portal.b, 3, submit=True)
        make_measure(title="Gemeinsames Dokumentenmanagement", start="2026-Q2", end="2028-Q4")
    return campaign


def _check(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}-{WIDTH}.png"), full_page=True)
    result = page.evaluate(OVERFLOWING)
    assert result["page"] <= result["width"], (name, result)
    assert result["out"] == [], (name, result)


def test_results_matrix_and_roadmap_fit_a_1366_px_screen(
    portal: Portal, live: LiveServer, browser, wide_world
):
    campaign = wide_world
    context = browser.new_context(locale="de-DE", viewport={"width": WIDTH, "height": 768})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, live, portal, portal.officer_a, portal.a)
        page.wait_for_url(live.url(portal, portal.a, "/"))
        page.goto(live.url(portal, portal.a, f"/reifegrad/{campaign.pk}/ergebnis/"))
        _check(page, "ergebnis")
        assert page.locator(".maturity-scores th", has_text="Median im Kreis").count() == 1
        assert page.locator(".maturity-scores th", has_text="Veränderung").count() == 1
        table, column = (
            page.locator(sel).evaluate("el => el.getBoundingClientRect().right")
            for sel in (".maturity-scores", ".maturity-result")
        )
        assert table <= column + 1, ("the scores table runs past the page's column", table, column)
        page.context.clear_cookies()
        sign_in(page, live, portal, portal.coordinator)
        page.wait_for_url(live.url(portal, None, "/"))
        page.goto(live.url(portal, None, f"/reifegrad/erhebungen/{campaign.pk}/uebersicht/"))
        _check(page, "kreismatrix")
        page.goto(live.url(portal, None, "/roadmap/zeitplan/"))
        _check(page, "roadmap")
    finally:
        context.close()


# The words of each cell that are wider than the cell's content box (a word broken apart).
WORDS_WIDER_THAN_THEIR_CELL = """cells => cells.flatMap(cell => {
    const style = getComputedStyle(cell);
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const words = cell.textContent.trim().split(/\\s+/);
    const probe = document.createElement("span");
    probe.style.whiteSpace = "nowrap";
    cell.appendChild(probe);
    const wide = words.filter(word => {
        probe.textContent = word;
        return probe.getBoundingClientRect().width > room + 0.5;
    });
    probe.remove();
    return wide;
})"""


def test_the_audit_trail_fits_with_long_addresses_and_references(
    portal: Portal, live: LiveServer, browser, committed
):
    from django.db import transaction

    from izd.audit import recording

    long_reference = "roadmap-request:" + uuid.uuid4().hex * 2
    with committed(), transaction.atomic():
        probes: list[dict[str, Any]] = [
            {"kind": recording.Kind.MONEY, "object_label": "Nutzung", "municipality": None,
             "summary": "Nutzung erfasst: Sehr-lange-Gemeindebezeichnung-ohne-Leerzeichen-Nord",
             "changes": [{"field": "Referenz", "before": "", "after": long_reference}]},
            # a row as the demo's papers batch writes it: every column with ordinary words
            {"kind": recording.Kind.DOCUMENT, "object_label": "VL-1/2024 (Schöneck, 2025)",
             "municipality": portal.a, "summary": "PDF angefordert: VL-1/2024, Schöneck"},
        ]  # fmt: skip
        entry, _ = (
            recording.record(
                action="layout_probe", object_type="test.layout", object_id=str(number),
                actor=portal.coordinator, **probe,
            )
            for number, probe in enumerate(probes, start=1)
        )  # fmt: skip
    context = browser.new_context(locale="de-DE", viewport={"width": WIDTH, "height": 768})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, live, portal, portal.coordinator)
        page.wait_for_url(live.url(portal, None, "/"))
        page.goto(live.url(portal, None, "/protokoll/"))
        page.get_by_text(long_reference[:20]).first.wait_for()
        _check(page, "protokoll")
        # A person's name breaks between its words only ("Koordination", not "Koordinat|ion"),
        # also where no row has values to show (the documents' rows: the table lays out anew).
        for query in ("", "?bereich=document"):
            page.goto(live.url(portal, None, f"/protokoll/{query}"))
            named = page.locator("td.audit-person:not(.audit-address)")
            assert named.count() >= 1
            assert named.evaluate_all(WORDS_WIDER_THAN_THEIR_CELL) == [], query
        page.goto(live.url(portal, None, "/protokoll/"))
        # The filter fields look like every list's, not the browser's bare defaults.
        borders = page.locator("#id_person, #id_kommune, #id_von").evaluate_all(
            "els => els.map(el => getComputedStyle(el).borderTopWidth)"
        )
        assert borders == ["2px", "2px", "2px"]
    finally:
        context.close()
    assert entry.pk
