"""Hostile input on every URL that takes a POST, for the people who may post there.

The URLs come from the resolver (as in tests/tenants/test_access.py), so views that later issues
add are covered without editing this test. The requests carry a valid CSRF token and go through
the CSRF check as in production, where that check is the first to read a POST body.
"""

from __future__ import annotations

import re
from decimal import Decimal

import lxml.html
import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from tests.conftest import BACKEND, Portal
from tests.tenants.test_access import kreis_paths, municipality_paths

pytestmark = pytest.mark.django_db

TOKEN = "a" * 32
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
GERMAN_400 = "Die Anfrage konnte nicht verarbeitet werden"

# Who may post where: the Kreis' staff on the Kreis domain, a municipality's staff on its
# subdomain, anybody on the pages reachable without signing in.
PEOPLE = {
    "kreis": ("coordinator", "centre_treasurer"),
    "kommune": ("officer_a", "treasurer_a"),
}


def _client(portal: Portal, person: str | None, where: str) -> Client:
    client = Client(
        enforce_csrf_checks=True,
        HTTP_HOST=portal.host(portal.a if where == "kommune" else None),
        HTTP_X_CSRFTOKEN=TOKEN,
    )
    client.cookies[settings.CSRF_COOKIE_NAME] = TOKEN
    if person is not None:
        client.force_login(getattr(portal, person), backend=BACKEND)
    return client


def _targets() -> list[tuple[str, str | None, str]]:
    targets: list[tuple[str, str | None, str]] = []
    for where, paths in (("kreis", kreis_paths()), ("kommune", municipality_paths())):
        for path in paths:
            targets.extend((where, person, path) for person in PEOPLE[where])
            # Signed-out visitors reach only these; elsewhere they are sent to sign in first.
            if path.startswith(("/anmelden/", "/passwort/", "/einladung/")):
                targets.append((where, None, path))
    return targets


def _assert_german_400(response, what: str) -> None:
    body = response.content.decode()
    assert response.status_code == 400, f"{what}: {response.status_code}"
    assert GERMAN_400 in body, what
    assert '<html lang="de">' in body and "Bad Request" not in body, what


TOO_BIG = b"feld=" + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
TOO_MANY = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
TOO_MANY_FILES = (
    b"".join(
        b'--grenze\r\nContent-Disposition: form-data; name="f%d"; filename="a.csv"\r\n\r\nx\r\n' % i
        for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    )
    + b"--grenze--\r\n"
)
# Multipart bodies the parser cannot read: no boundary, a boundary outside ASCII.
BROKEN_MULTIPART = [
    ("multipart/form-data", b"x"),
    ("multipart/form-data; boundary=grenz\u00e9", b"--grenz\xc3\xa9\r\n"),
]


@pytest.mark.parametrize(("where", "person", "path"), _targets())
def test_too_big_too_many_fields_and_broken_multipart_get_a_german_400(
    portal: Portal, where, person, path
):
    client = _client(portal, person, where)
    form = "application/x-www-form-urlencoded"
    _assert_german_400(client.post(path, TOO_BIG, content_type=form), f"zu groß {path}")
    _assert_german_400(client.post(path, TOO_MANY, content_type=form), f"zu viele {path}")
    response = client.post(
        path, TOO_MANY_FILES, content_type="multipart/form-data; boundary=grenze"
    )
    _assert_german_400(response, f"zu viele Dateien {path}")
    for content_type, body in BROKEN_MULTIPART:
        _assert_german_400(client.post(path, body, content_type=content_type), f"{body!r} {path}")


# --- non-ASCII digits ------------------------------------------------------------------------

NUMBERISH = re.compile(r"[0-9][0-9.,:\-]*")
IGNORED_TABLES = ("django_session", "axes_")


def _writes() -> dict[tuple[str, str], int]:
    """Rows written in this transaction so far, per table (sessions and sign-in logs aside)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, relname, n_tup_ins + n_tup_upd + n_tup_del "
            "FROM pg_stat_xact_user_tables"
        )
        return {
            (schema, table): count
            for schema, table, count in cursor.fetchall()
            if count and not table.startswith(IGNORED_TABLES)
        }


def _hostile_posts(
    path: str, body: str, table: dict[int, str]
) -> list[tuple[str, dict[str, object], bool]]:
    """Each POST form of the page, its fields filled and every number written with foreign
    digits; with whether only typed fields (no chosen keys) hold such digits."""
    if "<form" not in body:
        return []
    posts = []
    for form in lxml.html.fromstring(body).forms:
        if (form.method or "").lower() != "post":
            continue
        data: dict[str, object] = {}
        foreign = 0
        typed_only = True
        for element in form.inputs:
            name = element.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            kind = (element.get("type") or element.tag).lower()
            if kind in ("checkbox", "radio"):
                if element.checked:
                    checked = data.setdefault(name, [])
                    assert isinstance(checked, list)
                    checked.append(element.get("value", "on"))
                continue
            if kind in ("submit", "button", "file"):
                continue
            value = element.value or ""
            if isinstance(value, list | set):
                value = next(iter(value), "")
            if kind == "select" and not value:
                value = next((v for v in element.value_options if v), "")
            value = str(value)
            if not value:
                value = {"number": "4", "date": "2026-01-01", "email": "x@example.org"}.get(
                    kind, "Testwert"
                )
            if NUMBERISH.fullmatch(value) or kind in ("number", "date"):
                value = value.translate(table)
                foreign += 1
                # A chosen key (select, hidden) may be refused as "unknown" instead.
                typed_only = typed_only and kind in ("text", "number", "date")
            data[name] = value
        if foreign:
            posts.append((form.action or path, data, typed_only))
    return posts


@pytest.mark.parametrize("table", [ARABIC_INDIC, FULLWIDTH], ids=["arabisch-indisch", "vollbreit"])
@pytest.mark.parametrize(("where", "person", "path"), [t for t in _targets() if t[1] is not None])
def test_numbers_in_foreign_digits_are_refused_and_nothing_is_saved(
    portal: Portal, where, person, path, table
):
    client = _client(portal, person, where)
    page = client.get(path)
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return
    for action, data, typed_only in _hostile_posts(path, page.content.decode(), table):
        before = _writes()
        response = client.post(action, data)
        what = f"{path} → POST {action} {data}"
        assert response.status_code < 500, what
        assert response.status_code != 302 or "/anmelden/" in response.get("Location", ""), (
            f"angenommen: {what}"
        )
        assert _writes() == before, f"gespeichert: {what}"
        if typed_only and "html" in response.get("Content-Type", ""):
            assert "nur die Ziffern 0 bis 9" in response.content.decode(), f"ohne Hinweis: {what}"


# --- the pieces behind it --------------------------------------------------------------------


@pytest.mark.parametrize("digits", ["٤", "４", "²", "06٤٣٥٩٩٨", "٢٠٢٦-٠١-٠١", "١٫٥"])
@pytest.mark.parametrize(
    "field",
    [
        forms.IntegerField(),
        forms.DecimalField(localize=True),
        forms.FloatField(),
        forms.DateField(),
        forms.DateTimeField(),
    ],
    ids=lambda f: type(f).__name__,
)
def test_number_and_date_fields_refuse_foreign_digits(field, digits):
    with pytest.raises(ValidationError, match="nur die Ziffern 0 bis 9"):
        field.clean(digits)


def test_assessment_answer_refuses_question_version_and_levels_in_foreign_digits():
    from maturity.forms import AnswerForm

    form = AnswerForm({"question": "١", "version": "٠", "current_level": "٢", "target_level": "3"})
    assert not form.is_valid()
    assert set(form.errors) == {"question", "version", "current_level"}
    assert AnswerForm({"question": "1", "version": "0", "current_level": "2"}).is_valid()


def test_model_choice_refuses_a_key_in_foreign_digits(portal: Portal):
    from tenants.models import Municipality

    field = forms.ModelChoiceField(queryset=Municipality.objects.all())
    assert field.clean(str(portal.a.pk)) == portal.a
    with pytest.raises(ValidationError):
        field.clean(str(portal.a.pk).translate(ARABIC_INDIC))


def test_ascii_numbers_still_work():
    assert forms.IntegerField().clean("2026") == 2026
    assert forms.DecimalField(localize=True).clean("1.234,50") == Decimal("1234.50")


def test_ags_leitweg_id_and_postal_code_refuse_foreign_digits(portal: Portal):
    from tenants.models import Municipality
    from tenants.validators import validate_ags, validate_leitweg_id

    with pytest.raises(ValidationError):
        validate_ags("06٤٣٥٩٩٨")
    with pytest.raises(ValidationError):
        validate_ags("０６４３５９９８")
    with pytest.raises(ValidationError):
        validate_leitweg_id("06435014-0001-42".translate(ARABIC_INDIC))
    town = Municipality.objects.get(pk=portal.a.pk)
    town.postal_code = "٦٣٥٩٩"
    with pytest.raises(ValidationError):
        town.full_clean()


def test_csv_import_refuses_the_reported_arabic_indic_ags():
    from tenants.csv_import import parse

    parsed = parse("AGS;Name;Einwohner;Stichtag\n06٤٣٥٩٩٨;Zifferndorf;100;31.12.2022\n".encode())
    assert parsed.rows == []
    assert [e.line for e in parsed.errors] == [2]
    assert "8 Ziffern" in parsed.errors[0].message
    for line in ("06435998;Zifferndorf;١٠٠;31.12.2022", "06435998;Zifferndorf;100;٣١.١٢.٢٠٢٢"):
        parsed = parse(f"AGS;Name;Einwohner;Stichtag\n{line}\n".encode())
        assert parsed.rows == [] and [e.line for e in parsed.errors] == [2], line


def test_management_command_refuses_a_population_in_foreign_digits():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ganze Zahl"):
        call_command(
            "create_municipality", "--name=Zifferndorf", "--ags=06435998",
            "--population=١٠٠", "--population-date=2022-12-31",
        )  # fmt: skip


def test_system_check_finds_a_schema_with_foreign_digits(portal: Portal):
    from izd.checks import check_schema_names

    assert check_schema_names(databases=["default"]) == []
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "gem_06٤٣٥٩٩٨"')
    errors = check_schema_names(databases=["default"])
    assert [e.id for e in errors] == ["izd.E001"]
    assert "gem_06٤٣٥٩٩٨" in errors[0].msg
