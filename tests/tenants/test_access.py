"""Tenant isolation: every URL the project defines, for every role.

The URL patterns come from the resolver, so views that later issues add are covered without
editing this test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from tenants.middleware import ANONYMOUS_PATH_PREFIXES, SIGNED_IN_PATH_PREFIXES
from tests.conftest import Portal

pytestmark = pytest.mark.django_db

SAMPLE_VALUES = {
    "int": "1",
    "slug": "testhausen",
    "str": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "x",
}


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        else:
            yield _concrete(route)


def _concrete(route: str) -> str:
    route = route.lstrip("^").rstrip("$")
    route = re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES.get(m.group(1) or "str", "x"), route
    )
    return "/" + route


def municipality_paths() -> list[str]:
    return sorted(set(_walk(get_resolver(settings.ROOT_URLCONF).url_patterns)))


def kreis_paths() -> list[str]:
    return sorted(set(_walk(get_resolver(settings.PUBLIC_SCHEMA_URLCONF).url_patterns)))


@pytest.mark.parametrize("path", municipality_paths())
@pytest.mark.parametrize("person", ["officer_a", "treasurer_a", "reader_a"])
def test_member_of_a_is_refused_on_every_url_of_b(portal: Portal, client_for, path, person):
    client = client_for(getattr(portal, person), portal.b)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if path.startswith("/healthz"):
            continue
        if path.startswith(SIGNED_IN_PATH_PREFIXES):
            # Open to every signed-in person: an unknown invitation is a 404, signing out works.
            assert response.status_code in (302, 404, 405), f"{method.upper()} {path}"
            assert portal.b.name not in response.content.decode()
            continue
        assert response.status_code == 403, f"{method.upper()} {path}: {response.status_code}"
        assert portal.b.name not in response.content.decode()


@pytest.mark.parametrize("path", municipality_paths())
def test_stranger_without_membership_is_refused_on_every_url(portal: Portal, client_for, path):
    response = client_for(portal.stranger, portal.a).get(path)
    if not path.startswith(("/healthz", *SIGNED_IN_PATH_PREFIXES)):
        assert response.status_code == 403


@pytest.mark.parametrize("path", municipality_paths())
def test_anonymous_visitor_is_sent_to_sign_in(portal: Portal, client_for, path):
    response = client_for(None, portal.a).get(path)
    if path.startswith(ANONYMOUS_PATH_PREFIXES):
        assert response.status_code in (200, 302, 404, 405, 503)
        assert portal.a.population != 0
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/anmelden/?next=")


@pytest.mark.parametrize("path", municipality_paths())
def test_coordinator_enters_every_municipality(portal: Portal, client_for, path):
    for town in (portal.a, portal.b):
        response = client_for(portal.coordinator, town).get(path)
        assert response.status_code != 403, path
        if not path.startswith("/healthz"):  # 503 there only means no worker runs
            assert response.status_code < 500, path


@pytest.mark.parametrize("path", kreis_paths())
def test_kreis_pages_refuse_municipal_staff_and_never_show_a_500(portal: Portal, client_for, path):
    response = client_for(portal.officer_a).get(path)
    if not path.startswith("/healthz"):
        assert response.status_code < 500, path
    kreis_only = path.startswith(
        ("/kommunen", "/seiten", "/reifegrad", "/kosten", "/roadmap", "/beschlussvorlagen")
    )
    if kreis_only:
        assert response.status_code in (403, 404, 405), path


def test_member_sees_own_municipality_start_page(portal: Portal, client_for):
    response = client_for(portal.officer_a, portal.a).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Testhausen" in body
    assert "Beispielstadt" not in body


def test_one_sign_in_spans_the_kreis_and_its_municipalities(portal: Portal, client):
    assert settings.SESSION_COOKIE_DOMAIN == f".{settings.BASE_DOMAIN}"
    client.defaults["HTTP_HOST"] = settings.BASE_DOMAIN
    response = client.post(
        "/anmelden/", {"username": portal.officer_a.email, "password": "Test-Passwort-2026"}
    )
    assert response.status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["domain"] == f".{settings.BASE_DOMAIN}"
    client.defaults["HTTP_HOST"] = f"{portal.a.slug}.{settings.BASE_DOMAIN}"
    assert client.get("/").status_code == 200
    client.defaults["HTTP_HOST"] = f"{portal.b.slug}.{settings.BASE_DOMAIN}"
    assert client.get("/").status_code == 403
