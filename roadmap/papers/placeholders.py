"""Placeholders in the texts of decision papers.

Syntax: a name from the fixed list in double square brackets, e.g. ``[[kommune]]``; spaces
inside the brackets are allowed (``[[ kommune ]]``). Substitution is a plain regular-expression
replacement with the value as text: the text is never run through a template engine, so
``{{ … }}`` or ``{% … %}`` in a text stay exactly as they were written, and the HTML/PDF
templates autoescape the result. An unknown name is a validation error naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError

PATTERN = re.compile(r"\[\[\s*([^\[\]]*?)\s*\]\]")


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str
    example: str

    @property
    def token(self) -> str:
        return f"[[{self.name}]]"


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("kommune", "Name der Kommune", "Stadt Talbrücken"),
    Placeholder("jahr", "Haushaltsjahr der Vorlage", "2024"),
    Placeholder("vorjahr", "Das Jahr vor dem Haushaltsjahr", "2023"),
    Placeholder("folgejahr", "Das Jahr nach dem Haushaltsjahr", "2025"),
    Placeholder(
        "anteil_jahr",
        "Betrag im Haushaltsjahr insgesamt (laufender Anteil und Nachbelastung)",
        "21.695,55 €",
    ),
    Placeholder("anteil_laufend", "Laufender Kostenanteil des Haushaltsjahres", "12.826,30 €"),
    Placeholder(
        "nachbelastung_vorjahr",
        "Nachbelastung für frühere Jahre (periodenfremd)",
        "8.869,25 €",
    ),
    Placeholder(
        "anteil_zusammensetzung",
        "Woraus sich der Betrag im Haushaltsjahr zusammensetzt; eine Nachbelastung wird nur "
        "genannt, wenn es eine gibt",
        "darin enthalten ist eine Nachbelastung für frühere Jahre (periodenfremd) von "
        "8.869,25 € sowie der laufende Anteil von 12.826,30 €",
    ),
    Placeholder("anteil_folgejahre", "Jährlicher Kostenanteil ab dem Folgejahr", "15.555,30 €"),
    Placeholder("haushaltsstelle", "Haushaltsstelle / Produktkonto der Kommune", "11.1.04"),
    Placeholder("nettokosten", "Nettokosten des Zentrums im Haushaltsjahr", "88.635,23 €"),
    Placeholder("mitglieder", "Zahl der beteiligten Kommunen im Haushaltsjahr", "6"),
    Placeholder("drucksache", "Nummer der Drucksache", "VL-100/2023"),
    Placeholder("kreis", "Name des Kreises (Träger des Zentrums)", "Main-Kinzig-Kreis"),
)
NAMES = frozenset(p.name for p in PLACEHOLDERS)


def used(text: str) -> list[str]:
    """The placeholder names a text uses, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in PATTERN.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def unknown(text: str) -> list[str]:
    return [name for name in used(text) if name not in NAMES]


def validate(text: str) -> None:
    """Raise a German ValidationError naming every unknown placeholder."""
    names = unknown(text)
    if not names:
        return
    listed = ", ".join(f"[[{name}]]" for name in names)
    word = "Unbekannter Platzhalter" if len(names) == 1 else "Unbekannte Platzhalter"
    raise ValidationError(
        f"{word} {listed}. Erlaubt sind: {', '.join(p.token for p in PLACEHOLDERS)}.",
        code="unknown_placeholder",
    )


class MissingValue(ValueError):
    """A known placeholder has no value (e.g. no figures for the following year)."""


def substitute(text: str, values: Mapping[str, str | None]) -> str:
    """Replace every placeholder by its value as plain text.

    Raises ValidationError for an unknown name and MissingValue where a known one has no value.
    """
    validate(text)

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if value is None:
            raise MissingValue(match.group(1))
        return value

    return PATTERN.sub(replace, text)
