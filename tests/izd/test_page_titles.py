"""Every page's title says what the page is and where the person is: "Reifegrad – Wächtersbach –
IZD-Portal" on a municipality's pages, the Kreis' name on the Kreis' pages."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from tests.conftest import BACKEND, Portal
from tests.izd.test_accessibility import _plain_paths
from tests.izd.test_html_validity import _world, crawl

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _titles(client: Client, patterns: list) -> dict[str, str]:
    pages = crawl(client, ["/", *_plain_paths(patterns)], limit=150)
    titles = {}
    for path, page in pages.items():
        found = TITLE.search(page)
        titles[path] = html.unescape(found.group(1)).strip() if found else ""
    return titles


@pytest.mark.django_db
def test_every_page_title_names_the_page_and_the_municipality_or_the_kreis(portal: Portal):
    _world(portal)
    tenant = get_resolver(settings.ROOT_URLCONF).url_patterns
    kreis = get_resolver(settings.PUBLIC_SCHEMA_URLCONF).url_patterns
    roles = [
        (portal.officer_a, portal.a, tenant, portal.a.name),
        (portal.treasurer_a, portal.a, tenant, portal.a.name),
        (portal.coordinator, None, kreis, settings.KREIS_NAME),
    ]
    wrong: dict[str, str] = {}
    for user, municipality, patterns, place in roles:
        client = Client(HTTP_HOST=portal.host(municipality))
        client.force_login(user, backend=BACKEND)
        titles = _titles(client, patterns)
        assert len(titles) >= 10, titles
        ending = f" – {place} – IZD-Portal"
        for path, title in titles.items():
            # Something before the place, and the place once: no "Wächtersbach – Wächtersbach".
            if not title.endswith(ending) or title.count(place) > 1:
                wrong[f"{place} {path}"] = title
    assert wrong == {}, wrong
