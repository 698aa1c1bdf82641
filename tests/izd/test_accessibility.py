"""WCAG 2.1 A/AA checks with axe-core on every page without URL parameters, for a digital
officer on its municipality's subdomain and for the Kreis coordinator.

The pages come from the URL resolver, so pages later issues add are checked too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import LiveServer, Portal, sign_in

pytestmark = pytest.mark.browser

AXE = (Path(__file__).resolve().parents[1] / "assets" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SKIPPED_PREFIXES = ("/abmelden/", "/healthz", "/oparl/")  # signs out / JSON


def _plain_paths(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths += _plain_paths(pattern.url_patterns, route)
        elif "<" not in route and not re.search(r"[\^$(]", route):
            paths.append("/" + route)
    return sorted(p for p in set(paths) if not p.startswith(SKIPPED_PREFIXES))


def _violations(page) -> list[str]:
    # Evaluated through the DevTools protocol: a <script> tag would be inline script, which the
    # portal's Content-Security-Policy blocks (and the page fixture reports).
    page.evaluate(AXE + "\n;0")
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)",
        WCAG_TAGS,
    )
    return list(found)


def _check_all(page, live: LiveServer, portal: Portal, municipality, paths: list[str]) -> None:
    problems = {}
    checked = 0
    for path in paths:
        try:
            response = page.goto(live.url(portal, municipality, path))
        except PlaywrightError:  # an action that answers GET with an empty 405: not a page
            continue
        if response is None or response.status != 200:
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        checked += 1
        if found := _violations(page):
            problems[path] = found
    assert checked >= 3, "too few pages were checked"
    assert problems == {}


def test_municipality_pages_meet_wcag_21_aa(portal: Portal, live: LiveServer, page):
    sign_in(page, live, portal, portal.officer_a, portal.a)
    page.wait_for_url(live.url(portal, portal.a, "/"))
    paths = _plain_paths(get_resolver(settings.ROOT_URLCONF).url_patterns)
    _check_all(page, live, portal, portal.a, paths)


def test_kreis_pages_meet_wcag_21_aa(portal: Portal, live: LiveServer, page):
    sign_in(page, live, portal, portal.coordinator)
    page.wait_for_url(live.url(portal, None, "/"))
    paths = _plain_paths(get_resolver(settings.PUBLIC_SCHEMA_URLCONF).url_patterns)
    _check_all(page, live, portal, None, paths)


def test_sign_in_and_legal_pages_meet_wcag_21_aa(portal: Portal, live: LiveServer, page):
    paths = ["/anmelden/", "/passwort/vergessen/", "/impressum/", "/datenschutz/",
             "/barrierefreiheit/"]  # fmt: skip
    _check_all(page, live, portal, None, paths)
