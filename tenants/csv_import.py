"""Reading the municipality list as people export it from Excel.

Excel writes CSV as UTF-8 (with or without a byte-order mark) or as Windows-1252, with commas or
semicolons, German headers and German number and date formats. Every row is checked before
anything is written, so that a file with an error imports nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from izd import formats
from izd.errors import validation_message
from tenants.inputs import MunicipalityData
from tenants.validators import validate_ags, validate_leitweg_id

MAX_FILE_BYTES = 2 * 1024 * 1024
# No column of a municipality needs more; longer fields are reported per line.
MAX_FIELD_CHARS = 1000
# The csv module refuses fields over 131,072 characters with an exception that ends the whole
# file. With a limit above the file size it never does, and the length check below names the line.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES + 1))
# Control characters (NUL, escape, …) are never part of a name or key; PostgreSQL refuses NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Accepted spellings of each column (see column_positions).
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
class ImportRow(MunicipalityData):
    """A municipality as one line of the file gives it."""

    line: int = field(kw_only=True)


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ParsedFile:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode(raw: bytes) -> tuple[str, list[RowError]]:
    """The text of the file, and a per-line error for each line that is neither encoding."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    for encoding in ("utf-8", "cp1252"):
        try:
            return body.decode(encoding), []
        except UnicodeDecodeError:
            continue
    # Windows-1252 leaves five bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) undefined; every other byte
    # decodes, so the lines that fail here are the ones to name.
    errors: list[RowError] = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        try:
            line.decode("cp1252")
        except UnicodeDecodeError as error:
            errors.append(
                RowError(
                    number,
                    _(
                        "Die Zeile enthält das Byte 0x%(byte)02X, das weder in UTF-8 noch in "
                        "Windows-1252 ein Zeichen ist. Bitte die Datei in Excel als "
                        "„CSV UTF-8 (durch Trennzeichen getrennt)“ speichern."
                    )
                    % {"byte": line[error.start]},
                )
            )
    return body.decode("cp1252", errors="replace"), errors


def column_positions(header: list[str], aliases: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """Where each known column stands in a header line: a label counts for the column whose
    aliases contain it, compared without case, spaces, hyphens, underscores, dots and
    parentheses; the first of two labels for the same column wins."""
    lookup = {alias: key for key, spellings in aliases.items() for alias in spellings}
    columns: dict[str, int] = {}
    for index, label in enumerate(header):
        key = lookup.get(re.sub(r"[\s_\-.()]", "", label.strip().lower()))
        if key and key not in columns:
            columns[key] = index
    return columns


def _parse_population(text: str) -> int:
    cleaned = text.replace(".", "").replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"[0-9]+", cleaned):  # not isdigit(): that accepts "٤" and "²"
        raise ValueError(_("Einwohnerzahl „%(value)s“ ist keine ganze Zahl.") % {"value": text})
    number = int(cleaned)
    if number <= 0:
        raise ValueError(_("Die Einwohnerzahl muss größer als 0 sein."))
    return number


def _parse_date(text: str) -> date:
    # strptime reads any Unicode digit; only 0-9 and the separators are a date here.
    if not re.fullmatch(r"[0-9]{1,4}[.\-][0-9]{1,2}[.\-][0-9]{1,4}", text.strip()):
        raise ValueError(
            _("Stichtag „%(value)s“ ist kein Datum (TT.MM.JJJJ erwartet).") % {"value": text}
        )
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
    if re.fullmatch(r"[0-9]{7}", ags):
        ags = "0" + ags
    validate_ags(ags)
    return ags


def _cell(values: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    if index is None or index >= len(values):
        return ""
    return values[index].strip()


def _check_fields(values: list[str]) -> None:
    for index, value in enumerate(values, start=1):
        if len(value) > MAX_FIELD_CHARS:
            raise ValueError(
                _("Spalte %(column)d ist länger als %(limit)s Zeichen.")
                % {"column": index, "limit": formats.number(MAX_FIELD_CHARS)}
            )
        if CONTROL_CHARACTERS.search(value):
            raise ValueError(
                _("Spalte %(column)d enthält ein Steuerzeichen (z. B. ein Null-Byte).")
                % {"column": index}
            )


def _parse_row(line: int, values: list[str], columns: dict[str, int]) -> ImportRow:
    _check_fields(values)
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


def _rows(reader: Any, result: ParsedFile) -> Iterator[list[str]]:
    """The records of the reader; a record the csv module cannot read ends the file with an
    error on its line (after an unbalanced quote, nothing later can be trusted)."""
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            result.errors.append(
                RowError(
                    reader.line_num,
                    _("Ab hier ist die Datei kein lesbares CSV (Anführungszeichen prüfen)."),
                )
            )
            return
        yield values


def parse(raw: bytes) -> ParsedFile:
    """Parse the file; rows and every problem with its line number."""
    result = ParsedFile()
    if len(raw) > MAX_FILE_BYTES:
        result.errors.append(RowError(0, _("Die Datei ist größer als 2 MB.")))
        return result
    text, undecodable = decode(raw)
    if undecodable:
        result.errors.extend(undecodable)
        return result
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.errors.append(RowError(1, _("Die Datei ist leer oder hat keine Kopfzeile.")))
        return result
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
        _check_fields(header)
    except csv.Error:
        result.errors.append(RowError(1, _("Die Kopfzeile ist kein lesbares CSV.")))
        return result
    except ValueError as error:
        result.errors.append(RowError(1, str(error)))
        return result
    columns = column_positions(header, COLUMN_ALIASES)
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
    for values in _rows(reader, result):
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        try:
            row = _parse_row(line, values, columns)
        except ValidationError as error:
            result.errors.append(RowError(line, validation_message(error)))
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
