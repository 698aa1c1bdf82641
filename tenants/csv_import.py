"""Reading the municipality list as people export it from Excel.

Excel writes CSV as UTF-8 (with or without a byte-order mark) or as Windows-1252, with commas or
semicolons, German headers and German number and date formats. Every row is checked before
anything is written, so that a file with an error imports nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tenants.validators import validate_ags, validate_leitweg_id

MAX_FILE_BYTES = 2 * 1024 * 1024

# Accepted spellings of each column, compared without case, spaces, hyphens and underscores.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "ags": ("ags", "gemeindeschluessel", "gemeindeschlüssel", "amtlichergemeindeschluessel",
            "amtlichergemeindeschlüssel", "gemeindekennziffer"),
    "name": ("name", "gemeinde", "gemeindename", "kommune", "stadtgemeinde"),
    "population": ("population", "einwohner", "einwohnerzahl", "bevoelkerung", "bevölkerung"),
    "population_date": ("referencedate", "populationdate", "stichtag", "datum", "stand"),
    "slug": ("slug", "subdomain"),
    "leitweg_id": ("leitwegid", "leitweg"),
    "street": ("street", "strasse", "straße", "anschrift"),
    "postal_code": ("postalcode", "plz", "postleitzahl"),
    "city": ("city", "ort"),
}  # fmt: skip
REQUIRED_COLUMNS = ("ags", "name", "population", "population_date")
COLUMN_LABELS = {
    "ags": "AGS",
    "name": "Name",
    "population": "Einwohner",
    "population_date": "Stichtag",
}


@dataclass(frozen=True)
class ImportRow:
    line: int
    ags: str
    name: str
    population: int
    population_date: date
    slug: str = ""
    leitweg_id: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ParsedFile:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _normalise_header(label: str) -> str:
    return re.sub(r"[\s_\-.]", "", label.strip().lower())


def _column_map(header: list[str]) -> dict[str, int]:
    lookup = {alias: key for key, aliases in COLUMN_ALIASES.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, label in enumerate(header):
        key = lookup.get(_normalise_header(label))
        if key and key not in columns:
            columns[key] = index
    return columns


def _parse_population(text: str) -> int:
    cleaned = text.replace(".", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned.isdigit():
        raise ValueError(_("Einwohnerzahl „%(value)s“ ist keine ganze Zahl.") % {"value": text})
    number = int(cleaned)
    if number <= 0:
        raise ValueError(_("Die Einwohnerzahl muss größer als 0 sein."))
    return number


def _parse_date(text: str) -> date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(
        _("Stichtag „%(value)s“ ist kein Datum (TT.MM.JJJJ erwartet).") % {"value": text}
    )


def _parse_ags(text: str) -> str:
    ags = text.strip().replace(" ", "")
    # Excel drops the leading zero of Schleswig-Holstein to Hessen (01–06) when it reads the key
    # as a number; a seven-digit key is such a key.
    if re.fullmatch(r"\d{7}", ags):
        ags = "0" + ags
    validate_ags(ags)
    return ags


def _cell(values: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    if index is None or index >= len(values):
        return ""
    return values[index].strip()


def _parse_row(line: int, values: list[str], columns: dict[str, int]) -> ImportRow:
    missing = [COLUMN_LABELS[key] for key in REQUIRED_COLUMNS if not _cell(values, columns, key)]
    if missing:
        raise ValueError(_("Es fehlt: %(fields)s.") % {"fields": ", ".join(missing)})
    leitweg_id = _cell(values, columns, "leitweg_id").upper()
    if leitweg_id:
        validate_leitweg_id(leitweg_id)
    return ImportRow(
        line=line,
        ags=_parse_ags(_cell(values, columns, "ags")),
        name=_cell(values, columns, "name"),
        population=_parse_population(_cell(values, columns, "population")),
        population_date=_parse_date(_cell(values, columns, "population_date")),
        slug=_cell(values, columns, "slug").lower(),
        leitweg_id=leitweg_id,
        street=_cell(values, columns, "street"),
        postal_code=_cell(values, columns, "postal_code"),
        city=_cell(values, columns, "city"),
    )


def parse(raw: bytes) -> ParsedFile:
    """Parse the file; rows and every problem with its line number."""
    result = ParsedFile()
    if len(raw) > MAX_FILE_BYTES:
        result.errors.append(RowError(0, _("Die Datei ist größer als 2 MB.")))
        return result
    text = decode(raw)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.errors.append(RowError(1, _("Die Datei ist leer oder hat keine Kopfzeile.")))
        return result
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    columns = _column_map(header)
    missing = [COLUMN_LABELS[key] for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        result.errors.append(
            RowError(
                1,
                _("In der Kopfzeile fehlen die Spalten: %(columns)s.")
                % {"columns": ", ".join(missing)},
            )
        )
        return result
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        try:
            row = _parse_row(line, values, columns)
        except ValidationError as error:
            result.errors.append(RowError(line, " ".join(error.messages)))
            continue
        except ValueError as error:
            result.errors.append(RowError(line, str(error)))
            continue
        if row.ags in seen:
            result.errors.append(
                RowError(
                    line,
                    _("Der AGS %(ags)s steht schon in Zeile %(first)d.")
                    % {"ags": row.ags, "first": seen[row.ags]},
                )
            )
            continue
        seen[row.ags] = line
        result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, _("Die Datei enthält keine Zeilen mit Kommunen.")))
    return result
