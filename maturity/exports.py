"""Exports of the county overview: CSV for a German Excel and XLSX."""

from __future__ import annotations

import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font

from izd import formats
from izd.spreadsheet import csv_bytes as spreadsheet_csv
from izd.spreadsheet import xlsx_append
from maturity.selectors import CountyOverview


def german_decimal(value: Decimal | None) -> str:
    """62.5 → "62,5"; empty for no value."""
    if value is None:
        return ""
    return formats.plain_number(value, 1)


def _header(overview: CountyOverview) -> list[str]:
    return [
        "Kommune",
        "AGS",
        "Status",
        "Beantwortet",
        "Fragen",
        "Gesamtindex",
        *[d.title for d in overview.structure.dimensions],
        "Zuletzt geändert",
    ]


def _filename(overview: CountyOverview, extension: str) -> str:
    return f"reifegrad-{slugify(overview.campaign.name)}.{extension}"


def csv_bytes(overview: CountyOverview) -> bytes:
    rows: list[list[object]] = [list(_header(overview))]
    for row in overview.rows:
        rows.append(
            [
                row.name,
                row.ags,
                row.status_label,
                row.answered_count,
                row.question_count,
                row.overall_index,
                *[cell.score for cell in row.cells],
                timezone.localtime(row.updated_at).strftime("%d.%m.%Y %H:%M"),
            ]
        )
    return spreadsheet_csv(rows, number=lambda value: german_decimal(Decimal(value)))


def csv_response(overview: CountyOverview) -> HttpResponse:
    response = HttpResponse(csv_bytes(overview), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(overview, "csv")}"'
    return response


def xlsx_bytes(overview: CountyOverview) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Reifegrad"
    xlsx_append(sheet, _header(overview))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in overview.rows:
        xlsx_append(
            sheet,
            [
                row.name,
                row.ags,
                row.status_label,
                row.answered_count,
                row.question_count,
                float(row.overall_index) if row.overall_index is not None else None,
                *[float(c.score) if c.score is not None else None for c in row.cells],
                timezone.localtime(row.updated_at).replace(tzinfo=None),
            ],
        )
    score_columns = range(6, 7 + len(overview.structure.dimensions))
    for column in score_columns:
        for cells in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cells[0].number_format = "0.0"
    last = sheet.max_column
    for cells in sheet.iter_rows(min_row=2, min_col=last, max_col=last):
        cells[0].number_format = "DD.MM.YYYY HH:MM"
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 28
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xlsx_response(overview: CountyOverview) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(overview),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(overview, "xlsx")}"'
    return response
