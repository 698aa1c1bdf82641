"""CSV (German Excel) and XLSX of a notice and of a whole year's allocation: presenters of the
typed notice (`costsharing.notices.Notice`) and of a year's allocation."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from costsharing.computation import YearAllocation
from costsharing.notices import Notice
from izd import formats
from izd.spreadsheet import csv_bytes, xlsx_append

EURO_FORMAT = '#,##0.00 "€"'


def decimal_de(value: Decimal | int) -> str:
    """1234.5 → "1234,50": what German Excel reads as a number (no thousands separator)."""
    if isinstance(value, int):
        return str(value)
    return formats.plain_number(value, 2)


def _csv(rows: list[list[Any]]) -> bytes:
    return csv_bytes(rows, number=lambda value: decimal_de(Decimal(value)))


def notice_rows(notice: Notice) -> list[list[Any]]:
    """The notice as rows. Positions and their components have amount columns of their own,
    so that adding up the "Betrag" column gives the total and nothing is counted twice."""
    rows: list[list[Any]] = [
        ["Position", "Jahr", "Version", "Betrag (EUR)", "davon Bestandteil (EUR)", "Erläuterung"]
    ]
    for line in notice.lines:
        rows.append([line.label, line.year, line.version or "", line.amount, "", line.note])
        for component in line.components:
            rows.append(
                ["  " + component.label, line.year, "", "", component.amount, component.text]
            )
    rows.append(["Summe", notice.year, "", notice.total, "", ""])
    return rows


def notice_csv(notice: Notice) -> bytes:
    return _csv(notice_rows(notice))


def _xlsx(title: str, rows: list[list[Any]], money_columns: set[int]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in rows:
        xlsx_append(sheet, row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in money_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = EURO_FORMAT
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJ", (44, 8, 9, 16, 16, 60, 16, 16, 16, 16), strict=False):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def notice_xlsx(notice: Notice) -> bytes:
    return _xlsx(f"Kostenanteil {notice.year}", notice_rows(notice), {4, 5})


def allocation_rows(allocation: YearAllocation) -> list[list[Any]]:
    modules = list(allocation.modules)
    header = [
        "Kommune", "AGS", "Monate", "Einwohner", "Leistungseinheiten", "Sockelbetrag",
        "Einwohneranteil", "Nutzungsanteil", "Module gesamt",
        *[f"Modul {m.name}" for m in modules],
        "Anteil nach Schlüssel", "Fördermittel (fest)", "Zu zahlen",
    ]  # fmt: skip
    rows: list[list[Any]] = [header]
    for row in allocation.rows:
        rows.append(
            [
                row.name,
                row.ags,
                row.months,
                row.population,
                row.usage_units,
                row.base,
                row.population_amount,
                row.usage,
                row.modules,
                *[row.module_parts.get(m.key, Decimal("0.00")) for m in modules],
                row.total,
                row.grant_credit,
                row.payable,
            ]
        )
    sums = [
        "Summe", "", "", allocation.population_total, allocation.usage_total,
        sum((r.base for r in allocation.rows), Decimal(0)),
        sum((r.population_amount for r in allocation.rows), Decimal(0)),
        sum((r.usage for r in allocation.rows), Decimal(0)),
        sum((r.modules for r in allocation.rows), Decimal(0)),
        *[m.pot for m in modules],
        sum((r.total for r in allocation.rows), Decimal(0)),
        sum((r.grant_credit for r in allocation.rows), Decimal(0)),
        allocation.payable_total,
    ]  # fmt: skip
    rows.append(sums)
    return rows


def allocation_xlsx(allocation: YearAllocation) -> bytes:
    rows = allocation_rows(allocation)
    money = set(range(6, len(rows[0]) + 1))
    return _xlsx(f"Verteilung {allocation.year}", rows, money)


def allocation_csv(allocation: YearAllocation) -> bytes:
    return _csv(allocation_rows(allocation))
