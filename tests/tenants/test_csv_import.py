from __future__ import annotations

import pytest

from tenants.csv_import import parse
from tenants.models import Municipality
from tenants.services import municipality_import

pytestmark = pytest.mark.django_db

HEADER_DE = "AGS;Name;Einwohner;Stichtag\r\n"


def _csv(text: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    raw = text.encode(encoding)
    return b"\xef\xbb\xbf" + raw if bom else raw


def test_excel_utf8_with_bom_and_semicolons_is_read():
    parsed = parse(_csv(HEADER_DE + "06435991;Großenhausen;12.345;31.12.2024\r\n", bom=True))
    assert parsed.errors == []
    assert parsed.rows[0].name == "Großenhausen"
    assert parsed.rows[0].population == 12345
    assert parsed.rows[0].population_date.isoformat() == "2024-12-31"


def test_windows_1252_with_commas_is_read():
    text = "ags,name,population,reference_date\n06435992,Wächtersdorf,9876,2024-12-31\n"
    parsed = parse(_csv(text, encoding="cp1252"))
    assert parsed.errors == []
    assert parsed.rows[0].name == "Wächtersdorf"


def test_ags_without_leading_zero_from_excel_is_restored():
    parsed = parse(_csv(HEADER_DE + "6435993;Nullingen;1000;31.12.2024\n"))
    assert parsed.rows[0].ags == "06435993"


def test_every_bad_row_is_reported_with_its_line_number():
    text = (
        HEADER_DE
        + "06435994;Gut;1000;31.12.2024\n"
        + "1234;Kurz;1000;31.12.2024\n"
        + "06435995;Ohne Einwohner;;31.12.2024\n"
        + "06435996;Null;0;31.12.2024\n"
        + "06435997;Datum;1000;32.13.2024\n"
        + "06435994;Doppelt;1000;31.12.2024\n"
    )
    errors = {error.line: error.message for error in parse(_csv(text)).errors}
    assert set(errors) == {3, 4, 5, 6, 7}
    assert "8 Ziffern" in errors[3]
    assert "Einwohner" in errors[4]
    assert "größer als 0" in errors[5]
    assert "Stichtag" in errors[6]
    assert "Zeile 2" in errors[7]


def test_missing_columns_are_named():
    parsed = parse(_csv("AGS;Name\n06435994;Gut\n"))
    assert parsed.errors[0].line == 1
    assert "Einwohner" in parsed.errors[0].message
    assert "Stichtag" in parsed.errors[0].message


def test_empty_file_is_reported():
    assert parse(b"").errors[0].message.startswith("Die Datei ist leer")


def test_file_with_an_error_imports_nothing(portal):
    before = Municipality.objects.count()
    text = HEADER_DE + "06435981;Richtig;1000;31.12.2024\n06435982;Falsch;-5;31.12.2024\n"
    report = municipality_import(raw=_csv(text))
    assert not report.ok
    assert [error.line for error in report.errors] == [3]
    assert Municipality.objects.count() == before


def test_importing_the_same_file_again_updates_and_never_duplicates(portal):
    first = HEADER_DE + f"{portal.a.ags};Testhausen;14000;31.12.2024\n"
    again = HEADER_DE + f"{portal.a.ags};Testhausen;14250;30.06.2025\n"
    assert municipality_import(raw=_csv(first)).ok
    report = municipality_import(raw=_csv(again))
    assert report.ok
    assert [m.ags for m in report.updated] == [portal.a.ags]
    assert report.created == []
    assert Municipality.objects.filter(ags=portal.a.ags).count() == 1
    assert Municipality.objects.get(ags=portal.a.ags).population == 14250


def test_a_new_row_whose_subdomain_is_taken_is_refused(portal):
    text = HEADER_DE + "06435983;Testhausen;1000;31.12.2024\n"
    report = municipality_import(raw=_csv(text))
    assert not report.ok
    assert "testhausen" in report.errors[0].message


def test_import_page_reports_errors_in_german_with_400(portal, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "kommunen.csv", _csv(HEADER_DE + "abc;X;1;31.12.2024\n"), content_type="text/csv"
    )
    response = client_for(portal.coordinator).post("/kommunen/import/", {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Zeile 2" in body
    assert "es wurde nichts importiert" in body


def test_import_page_is_for_the_coordinator_only(portal, client_for):
    assert client_for(portal.centre_treasurer).get("/kommunen/import/").status_code == 403
