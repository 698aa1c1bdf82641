"""Numbers from people: ASCII digits only.

Python's `int()`, `Decimal()`, `str.isdigit()`, `strptime` and the regex class `\\d` accept any
Unicode digit: `int("٤")` is 4 and `"06٤٣٥٩٩٨"` matches `\\d{8}`. A key or an amount typed with
Arabic-Indic, fullwidth or superscript digits would be stored as a different text than the
number it means (a schema `gem_06٤٣٥٩٩٨`), or crash the code that later reads it. So every number
the portal reads from a person (forms, CSV, query strings, command-line options) is checked here
first, and Django's number, date and choice form fields are made to refuse such digits
(`install_form_field_checks`, called once when the `izd` app is ready).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

ASCII_DIGITS = re.compile(r"[0-9]+")
FOREIGN_DIGITS_MESSAGE = "Bitte nur die Ziffern 0 bis 9 verwenden."


def has_foreign_digits(text: str) -> bool:
    """Whether the text holds a digit or numeral that is not one of ASCII 0–9."""
    return any(not ch.isascii() and (ch.isnumeric() or ch.isdigit()) for ch in text)


def ascii_int(text: str | None) -> int | None:
    """The number written with ASCII digits only, else None (for query strings and ids)."""
    if text is None or not ASCII_DIGITS.fullmatch(text):
        return None
    return int(text)


def int_argument(text: str) -> int:
    """An `argparse` type: a whole number in ASCII digits (an optional leading minus)."""
    if not re.fullmatch(r"-?[0-9]+", text.strip()):
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine ganze Zahl aus den Ziffern 0–9.")
    return int(text)


def date_argument(text: str) -> date:
    """An `argparse` type: an ISO date (JJJJ-MM-TT) in ASCII digits."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        raise argparse.ArgumentTypeError(f"„{text}“ ist kein Datum im Format JJJJ-MM-TT.")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"„{text}“ ist kein gültiges Datum.") from error


def _refusing_foreign_digits(
    to_python: Callable[[forms.Field, Any], Any],
) -> Callable[[forms.Field, Any], Any]:
    def checked(self: forms.Field, value: Any) -> Any:
        values = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(v, str) and has_foreign_digits(v) for v in values):
            raise ValidationError(FOREIGN_DIGITS_MESSAGE, code="invalid")
        return to_python(self, value)

    checked.refuses_foreign_digits = True  # type: ignore[attr-defined]
    return checked


# Every form field that turns text into a number, a date or a database key; subclasses that do not
# override `to_python` inherit the check. (ModelMultipleChoiceField compares the posted values as
# text with the keys it found, and ChoiceFields compare with their choices, so "٤" fails there.)
CHECKED_FIELDS: tuple[type[forms.Field], ...] = (
    forms.IntegerField,
    forms.FloatField,
    forms.DecimalField,
    forms.DateField,
    forms.DateTimeField,
    forms.TimeField,
    forms.ModelChoiceField,
)


def install_form_field_checks() -> None:
    """Make Django's number, date and model-choice fields refuse non-ASCII digits.

    A single place instead of a subclass per field: forms that Django builds (ModelForm fields,
    the authentication forms) and forms that later issues add are covered without anyone having
    to remember it. `tests/izd/test_input.py` proves it on every form through its URL.
    """
    for field_class in CHECKED_FIELDS:
        to_python = field_class.__dict__.get("to_python")
        if to_python is None or getattr(to_python, "refuses_foreign_digits", False):
            continue
        field_class.to_python = _refusing_foreign_digits(to_python)  # type: ignore[method-assign,assignment]
