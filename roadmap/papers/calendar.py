"""Reading a committee calendar (Sitzungskalender) as people export it from Excel.

One line per meeting: municipality (AGS or name), committee, date. Excel writes CSV as UTF-8
(with or without byte-order mark) or Windows-1252, with semicolons or commas, and dates as
31.12.2026, 31.12.26 or 2026-12-31. This module only reads the file; whether municipality and
committee are known is checked by `services.calendar_import`, against the database.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from tenants.csv_import import column_positions, decode

MAX_FILE_BYTES = 2 * 1024 * 1024
DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d")

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "municipality": ("kommune", "gemeinde", "stadt", "ags", "gemeindeschluessel",
                     "gemeindeschlüssel", "municipality", "name"),
    "committee": ("gremium", "ausschuss", "committee", "organ"),
    "date": ("datum", "sitzungsdatum", "sitzung", "termin", "date"),
}  # fmt: skip
COLUMN_LABELS = {"municipality": "Kommune (AGS oder Name)", "committee": "Gremium", "date": "Datum"}


@dataclass(frozen=True)
class CalendarRow:
    line: int
    municipality: str
    committee: str
    date: date


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Zeile {self.line}: {self.message}" if self.line else self.message


@dataclass
class ParsedCalendar:
    rows: list[CalendarRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def parse_date(text: str) -> date | None:
    cleaned = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _columns(header: list[str]) -> dict[str, int] | None:
    columns = column_positions(header, COLUMN_ALIASES)
    return columns if len(columns) == len(COLUMN_ALIASES) else None


def parse(raw: bytes) -> ParsedCalendar:
    """Every line with its number, and every problem the file alone shows."""
    result = ParsedCalendar()
    if len(raw) > MAX_FILE_BYTES:
        result.errors.append(LineError(0, "Die Datei ist größer als 2 MB."))
        return result
    text, unreadable = decode(raw)
    if unreadable:
        result.errors.extend(LineError(error.line, error.message) for error in unreadable)
        return result
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.errors.append(LineError(1, "Die Datei ist leer."))
        return result
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    first = next(reader)
    columns = _columns(first)
    if columns is None:
        # No header line: the three columns in their documented order.
        columns = {"municipality": 0, "committee": 1, "date": 2}
        records = [(1, first)] + [(reader.line_num, values) for values in reader]
    else:
        records = [(reader.line_num, values) for values in reader]
    for line, values in records:
        if not any(value.strip() for value in values):
            continue
        cells = {key: values[i].strip() if i < len(values) else "" for key, i in columns.items()}
        missing = [COLUMN_LABELS[key] for key, value in cells.items() if not value]
        if missing:
            result.errors.append(LineError(line, f"Es fehlt: {', '.join(missing)}."))
            continue
        day = parse_date(cells["date"])
        if day is None:
            result.errors.append(
                LineError(
                    line,
                    f"Das Datum „{cells['date']}“ ist kein gültiges Datum "
                    "(erwartet: 31.12.2026, 31.12.26 oder 2026-12-31).",
                )
            )
            continue
        result.rows.append(CalendarRow(line, cells["municipality"], cells["committee"], day))
    if not result.rows and not result.errors:
        result.errors.append(LineError(2, "Die Datei enthält keine Sitzungstermine."))
    return result
