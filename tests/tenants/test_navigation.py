"""The main menu offers only what the person may open: every entry, for every role, on the
Kreis domain and on a municipality, answers without a refusal."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.conftest import PEOPLE, Portal

pytestmark = pytest.mark.django_db

ROLES = tuple(name for name in PEOPLE if name != "stranger")
NAV = re.compile(r'<nav aria-label="Hauptnavigation".*?</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def _menu(html: str) -> list[str]:
    match = NAV.search(html)
    return HREF.findall(match.group(0)) if match else []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("area", ["kreis", "municipality"])
def test_every_menu_entry_opens_for_the_person_who_sees_it(
    portal: Portal, client_for, role: str, area: str
) -> None:
    user = getattr(portal, role)
    home = portal.kreis if area == "kreis" else portal.a
    start = client_for(user, home).get("/")
    if start.status_code == 302:
        return  # members land on their municipality's start page, tested there
    # Someone refused here still gets a menu, and it leads only where they may go.
    assert start.status_code in (200, 403), start.status_code
    entries = _menu(start.content.decode())
    assert entries, "the start page shows a menu"
    for href in entries:
        parts = urlsplit(href)
        target = portal.kreis if parts.hostname == settings.BASE_DOMAIN else home
        response = client_for(user, target).get(parts.path or "/", follow=True)
        assert response.status_code < 400, f"{role}: {href} answers {response.status_code}"


def test_an_officer_finds_the_participation_page_in_the_menu(portal: Portal, client_for) -> None:
    html = client_for(portal.officer_a, portal.a).get("/").content.decode()
    assert "/kosten/teilnahme/" in _menu(html)
    assert "/kosten/" not in _menu(html), "the share itself is the treasurer's"


def test_the_centre_treasurer_sees_no_municipal_pages_they_cannot_open(
    portal: Portal, client_for
) -> None:
    html = client_for(portal.centre_treasurer, portal.a).get("/").content.decode()
    labels = " ".join(_menu(html))
    for refused in ("/reifegrad/", "/leistungen/", "/roadmap/"):
        assert refused not in labels


def test_the_refusal_on_the_kreis_domain_does_not_speak_of_a_municipality(
    portal: Portal, client_for
) -> None:
    kreis = client_for(portal.officer_a, portal.kreis).get("/kosten/")
    assert kreis.status_code == 403
    assert "diese Kommune" not in kreis.content.decode()
    municipal = client_for(portal.officer_b, portal.a).get("/")
    assert municipal.status_code == 403 and "für diese Kommune" in municipal.content.decode()
