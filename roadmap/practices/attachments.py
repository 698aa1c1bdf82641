"""Which files a practice accepts: decided by their content (magic bytes and, for the office
formats, the package inside the ZIP), never by the name or the browser's content type."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from izd import formats
from izd.exceptions import PortalError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ACCEPTED_LABEL = "PDF, ODT, DOCX, XLSX, PNG oder JPEG"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", ODT: "odt", DOCX: "docx", XLSX: "xlsx"}


class AttachmentRefused(PortalError):
    """The German reason why a file was refused."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str


def check_filename(name: str) -> str:
    """The name as given, or a refusal when it has path parts or control characters."""
    if not name or not name.strip():
        raise AttachmentRefused("Die Datei hat keinen Namen.")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in name):
        raise AttachmentRefused("Der Dateiname enthält Steuerzeichen. Bitte umbenennen.")
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        raise AttachmentRefused(
            "Der Dateiname darf keine Pfadangaben enthalten (kein „/“, „\\“ und nicht mit einem "
            "Punkt beginnen)."
        )
    if len(name) > 200:
        raise AttachmentRefused("Der Dateiname ist länger als 200 Zeichen.")
    return name


def _zip_type(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
            return ODT
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return None


def sniff(data: bytes) -> str | None:
    """The accepted content type of these bytes, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    return None


def check(*, name: str, data: bytes, max_bytes: int) -> CheckedFile:
    filename = check_filename(name)
    if len(data) > max_bytes:
        megabytes = formats.exact((Decimal(max_bytes) / (1024 * 1024)).normalize())
        raise AttachmentRefused(f"Die Datei ist zu groß: höchstens {megabytes} MB sind erlaubt.")
    if not data:
        raise AttachmentRefused("Die Datei ist leer.")
    content_type = sniff(data)
    if content_type is None:
        raise AttachmentRefused(
            f"Dieser Dateityp wird nicht angenommen. Erlaubt sind {ACCEPTED_LABEL} – maßgeblich "
            "ist der Inhalt der Datei, nicht ihre Endung."
        )
    return CheckedFile(filename=filename, content_type=content_type)
