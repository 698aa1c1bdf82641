"""German error pages with DEBUG off, security headers on every answer, and form fields whose
aria-describedby names ids that exist."""

from __future__ import annotations

import lxml.html
import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import Portal
from tests.tenants.test_access import kreis_paths, municipality_paths

pytestmark = pytest.mark.django_db


def _german_page(response, status: int, heading: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert '<html lang="de">' in body
    assert heading in body, body[:400]
    assert 'href="/static/css/portal.css' in body  # styled: the portal's own layout
    for english in (
        "Bad Request",
        "Forbidden",
        "Not Found",
        "Server Error",
        "DEBUG",
        "verification",
    ):
        assert english not in body
    return body


def test_debug_is_off_in_these_tests():
    assert settings.DEBUG is False


def test_body_too_big_gets_the_german_400(portal: Portal):
    client = Client(HTTP_HOST=portal.host(), enforce_csrf_checks=True, HTTP_X_CSRFTOKEN="a" * 32)
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32  # as a browser holds it
    body = b"x=" + b"y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/anmelden/", body, content_type="application/x-www-form-urlencoded")
    page = _german_page(response, 400, "Die Anfrage konnte nicht verarbeitet werden")
    assert "zu groß" in page


def test_forbidden_page_is_german(portal: Portal, client_for):
    response = client_for(portal.officer_a, portal.b).get("/")
    _german_page(response, 403, "Kein Zugriff")


def test_csrf_failure_is_a_german_page_without_debug_hints(portal: Portal):
    client = Client(HTTP_HOST=portal.host(), enforce_csrf_checks=True)
    response = client.post("/anmelden/", {"username": "x@test.example", "password": "y"})
    body = _german_page(response, 403, "Das Formular ist abgelaufen")
    assert "Mehr Information" not in body


def test_unknown_page_and_unknown_subdomain_get_the_german_404(portal: Portal, client_for):
    _german_page(
        client_for(portal.officer_a, portal.a).get("/gibt-es-nicht/"), 404, "nicht gefunden"
    )
    stranger_host = Client(HTTP_HOST=f"nirgendwo.{settings.BASE_DOMAIN}")
    body = _german_page(stranger_host.get("/"), 404, "keine Kommune")
    assert f"//{settings.BASE_DOMAIN}" in body  # the way back to the portal


def test_wrong_method_gets_the_german_405_with_allow_header(portal: Portal, client_for):
    response = client_for(portal.officer_a).get("/abmelden/")
    _german_page(response, 405, "nicht möglich")
    assert "POST" in response["Allow"]


def test_server_error_in_a_view_gets_the_german_500(portal: Portal, monkeypatch):
    import izd.views

    def broken(kind: str) -> None:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(izd.views, "legal_page_content", broken)
    client = Client(HTTP_HOST=portal.host(), raise_request_exception=False)
    body = _german_page(client.get("/impressum/"), 500, "Ein Fehler ist aufgetreten")
    assert "kaputt" not in body and "Traceback" not in body


# --- Content-Security-Policy and Permissions-Policy ------------------------------------------


def _assert_security_headers(response, what: str) -> None:
    policy = response.get("Content-Security-Policy", "")
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    assert directives.get("script-src") == "'self'", what
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, what
    assert directives.get("object-src") == "'none'", what
    assert directives.get("frame-ancestors") == "'none'", what
    assert "camera=()" in response.get("Permissions-Policy", ""), what


def test_every_kind_of_answer_carries_csp_and_permissions_policy(portal: Portal, client_for):
    officer = client_for(portal.officer_a, portal.a)
    answers = {
        "Seite": officer.get("/"),
        "Anmeldung": client_for(None).get("/anmelden/"),
        "Weiterleitung": client_for(None, portal.a).get("/reifegrad/"),
        "403": client_for(portal.officer_a, portal.b).get("/"),
        "404": officer.get("/gibt-es-nicht/"),
        "405": officer.get("/abmelden/"),
        "unbekannte Subdomain": Client(HTTP_HOST=f"nirgendwo.{settings.BASE_DOMAIN}").get("/"),
        "statische Datei": client_for(None).get("/static/css/portal.css"),
        "healthz": client_for(None).get("/healthz"),
    }
    for what, response in answers.items():
        _assert_security_headers(response, what)


def test_no_page_has_inline_script_or_style(portal: Portal, client_for):
    """What the policy would block, found without a browser on every page of both hosts."""
    pages = [(portal.coordinator, None, p) for p in kreis_paths()] + [
        (portal.officer_a, portal.a, p) for p in municipality_paths()
    ]
    for user, town, path in pages:
        response = client_for(user, town).get(path)
        if "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        if "<" not in body:
            continue
        tree = lxml.html.fromstring(body)
        inline = [s for s in tree.iter("script") if not s.get("src")]
        assert not inline, f"{path}: Inline-Skript"
        assert not list(tree.iter("style")), f"{path}: <style>"
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            names = set(element.attrib)
            assert "style" not in names, f"{path}: style-Attribut an <{element.tag}>"
            assert not {n for n in names if n.startswith(("on", "hx-on"))}, f"{path}: {names}"
            assert not str(element.get("href", "")).startswith("javascript:"), path


# --- aria-describedby --------------------------------------------------------------------------


def _described_ids_exist(body: str, what: str) -> int:
    tree = lxml.html.fromstring(body)
    ids = {element.get("id") for element in tree.iter() if isinstance(element.tag, str)}
    checked = 0
    for element in tree.xpath("//*[@aria-describedby]"):
        for name in element.get("aria-describedby").split():
            assert name in ids, f"{what}: aria-describedby nennt „{name}“, das es nicht gibt"
            checked += 1
    return checked


def test_form_errors_and_help_texts_are_named_by_aria_describedby(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    response = client.post("/kommunen/neu/", {"name": "", "ags": "12", "population": "x"})
    assert response.status_code == 400
    body = response.content.decode()
    assert _described_ids_exist(body, "/kommunen/neu/") >= 4
    field = lxml.html.fromstring(body).get_element_by_id("id_ags")
    assert field.get("aria-describedby").split() == ["id_ags_helptext", "id_ags_error"]


def test_every_aria_describedby_on_every_page_names_an_existing_id(portal: Portal, client_for):
    pages = [(portal.coordinator, None, p) for p in kreis_paths()] + [
        (portal.officer_a, portal.a, p) for p in municipality_paths()
    ]
    for user, town, path in pages:
        response = client_for(user, town).get(path)
        if "html" in response.get("Content-Type", "") and b"aria-describedby" in response.content:
            _described_ids_exist(response.content.decode(), path)
