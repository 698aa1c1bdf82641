"""German (de-DE) display formats: the one place that turns numbers, money, dates and years
into text for pages, exports, explanations and PDFs.

Django's localisation would put a thousands separator into a year ("2.026") and has no money
format, so the portal formats explicitly here instead of relying on `USE_THOUSAND_SEPARATOR`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

MINUS = "-"  # the plain sign: it survives CSV, e-mail and copy-and-paste into a spreadsheet


def number(value: Decimal | int | float, places: int = 0) -> str:
    """1234567.891 → "1.234.567,89" (places=2); rounds half up like a treasurer does."""
    given = Decimal(str(value))
    if not given.is_finite():  # a wrong figure in a message: say what it is
        return str(given)
    quantum = Decimal(1).scaleb(-places)
    rounded = given.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "−0,00"
    text = f"{abs(rounded):,.{places}f}".replace(",", "\0").replace(".", ",").replace("\0", ".")
    return f"{MINUS}{text}" if rounded < 0 else text


def exact(value: Decimal | int, min_places: int = 0) -> str:
    """Every place the value is written with, at least `min_places`: 1000.005 → "1.000,005".

    For a message about a figure that is wrong (an amount below whole cents): rounding it to
    the usual places would hide what is wrong with it."""
    exponent = Decimal(value).as_tuple().exponent
    places = max(min_places, -exponent) if isinstance(exponent, int) else min_places
    return number(value, places)


def plain_number(value: Decimal | int | float, places: int) -> str:
    """1234.5 → "1234,50": what a German spreadsheet reads as a number (a decimal comma and no
    thousands separator, which Excel would take for text in a CSV cell)."""
    return number(value, places).replace(".", "")


def money(value: Decimal | int | None, *, exact_places: bool = False) -> str:
    """21695.55 → "21.695,55 €"; no value → "". `exact_places`: every place the amount is
    written with (1000.005 → "1.000,005 €"), for a message about an amount below whole cents."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    return f"{exact(amount, 2) if exact_places else number(amount, 2)} €"


def signed_money(value: Decimal | int | None) -> str:
    """A change of money with its sign: "+1,00 €", "−1,00 €", "0,00 €"."""
    if value is None or value == "":
        return ""
    text = money(value)
    return f"+{text}" if Decimal(value).quantize(Decimal("0.01")) > 0 else text


def percent(value: Decimal | int | None, *, min_places: int = 0) -> str:
    """12.5 → "12,5 %": as many places as the value needs (trailing zeros dropped), at least
    `min_places` (a key's percents read "40,00 %", "33,3333 %")."""
    if value is None or value == "":
        return ""
    return f"{exact(Decimal(value).normalize(), min_places)} %"


def day(value: date | datetime | None) -> str:
    """31.12.2026; no value → ""."""
    if value is None or value == "":
        return ""
    return value.strftime("%d.%m.%Y")


def year(value: int | str | None) -> str:
    """A year is a name, not a quantity: 2026 → "2026", never "2.026"."""
    if value is None or value == "":
        return ""
    return str(int(value))


def deduction(value: Decimal | int | None) -> str:
    """An amount that is subtracted, as a budget shows it: "−1.000,00 €"; nothing to subtract
    reads "0,00 €", never "−0,00 €"."""
    if value is None or value == "":
        return ""
    text = money(value)
    return f"−{text}" if Decimal(value).quantize(Decimal("0.01")) > 0 else text
