"""Validators for the official keys of German municipalities."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# [0-9], not \d: \d also matches Arabic-Indic, fullwidth and other Unicode digits.
AGS_PATTERN = re.compile(r"^[0-9]{8}\Z")
# Leitweg-ID (KoSIT): coarse address (2-12 digits), optional fine address (up to 30
# alphanumerics), and a two-digit check number computed with ISO 7064 MOD 97-10.
LEITWEG_PATTERN = re.compile(r"^([0-9]{2,12})(?:-([0-9A-Z]{1,30}))?-([0-9]{2})\Z")


def validate_ags(value: str) -> None:
    if not AGS_PATTERN.match(value or ""):
        raise ValidationError(
            _("Der Amtliche Gemeindeschlüssel muss aus genau 8 Ziffern bestehen, z. B. 06435014."),
            code="ags_format",
        )
    if value[:2] not in {f"{n:02d}" for n in range(1, 17)}:
        raise ValidationError(
            _("Der Amtliche Gemeindeschlüssel muss mit einer Länderkennung 01 bis 16 beginnen."),
            code="ags_state",
        )


def leitweg_check_digits(body: str) -> str:
    """The two check digits of a Leitweg-ID body (everything before the last hyphen)."""
    digits = "".join(str(int(ch, 36)) for ch in body.replace("-", "").upper())
    return f"{98 - (int(digits + '00') % 97):02d}"


def validate_leitweg_id(value: str) -> None:
    match = LEITWEG_PATTERN.match((value or "").upper())
    if not match:
        raise ValidationError(
            _(
                "Die Leitweg-ID hat nicht das vorgeschriebene Format "
                "(Grobadressierung-Feinadressierung-Prüfziffer, z. B. 06435014-0001-42)."
            ),
            code="leitweg_format",
        )
    body = value.upper().rsplit("-", 1)[0]
    if leitweg_check_digits(body) != match.group(3):
        raise ValidationError(
            _("Die Prüfziffer der Leitweg-ID stimmt nicht."), code="leitweg_checksum"
        )
