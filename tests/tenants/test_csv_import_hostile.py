"""Any byte sequence and any field length gets German per-line errors from the import, never
a 500."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenants.csv_import import parse
from tenants.models import Municipality

HEADER = b"AGS;Name;Einwohner;Stichtag\r\n"
GOOD = b"06435981;Gutdorf;1000;31.12.2024\r\n"


def _lines(raw: bytes) -> dict[int, str]:
    parsed = parse(raw)
    return {error.line: error.message for error in parsed.errors}


def test_byte_0x81_is_named_with_its_line():
    errors = _lines(HEADER + GOOD + b"06435982;Zeichen\x81salat;1000;31.12.2024\r\n")
    assert list(errors) == [3]
    assert "0x81" in errors[3] and "UTF-8" in errors[3]


def test_nul_byte_is_a_per_line_error():
    errors = _lines(HEADER + GOOD + b"06435982;Null\x00dorf;1000;31.12.2024\r\n")
    assert list(errors) == [3]
    assert "Steuerzeichen" in errors[3]


def test_quoted_field_over_the_csv_modules_limit_is_a_per_line_error():
    huge = b'"' + b"x" * 131_073 + b'"'
    errors = _lines(HEADER + GOOD + b"06435982;" + huge + b";1000;31.12.2024\r\n" + GOOD)
    assert 3 in errors
    assert "länger als" in errors[3]


def test_unbalanced_quote_ends_the_file_with_an_error_on_its_line():
    errors = _lines(HEADER + GOOD + b'06435982;"Offen;1000;31.12.2024\r\n')
    assert errors, "an unbalanced quote must not pass silently"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_after_a_header_give_rows_or_german_line_errors(tail):
    parsed = parse(HEADER + tail)
    for error in parsed.errors:
        assert error.line >= 0 and error.message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_at_all_never_raise(raw):
    parse(raw)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        HEADER + b"06435982;Zeichen\x81salat;1000;31.12.2024\r\n",
        HEADER + b"06435982;Null\x00dorf;1000;31.12.2024\r\n",
        HEADER + b'06435982;"' + b"x" * 140_000 + b'";1000;31.12.2024\r\n',
        HEADER
        + b"06\xd9\xa4\xd9\xa3\xd9\xa5\xd9\xa9\xd9\xa9\xd9\xa8;Zifferndorf;100;31.12.2022\r\n",
        b"\xff\xfe\x00A\x00G\x00S",
    ],
    ids=["0x81", "NUL", "langes-Feld", "arabische-Ziffern", "UTF-16"],
)
def test_upload_of_a_hostile_file_is_a_german_400_and_creates_nothing(portal, client_for, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = Municipality.objects.count()
    response = client_for(portal.coordinator).post(
        "/kommunen/import/", {"file": SimpleUploadedFile("kommunen.csv", content)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Zeile" in body and "es wurde nichts importiert" in body
    assert Municipality.objects.count() == before
