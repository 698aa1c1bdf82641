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
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "−0,00"
    text = f"{abs(rounded):,.{places}f}".replace(",", "\0").replace(".", ",").replace("\0", ".")
    return f"{MINUS}{text}" if rounded < 0 else text


def money(value: Decimal | int | None) -> str:
    """21695.55 → "21.695,55 €"; no value → ""."""
    if value is None or value == "":
        return ""
    return f"{number(Decimal(value), 2)} €"


def signed_money(value: Decimal | int | None) -> str:
    """A change of money with its sign: "+1,00 €", "−1,00 €", "0,00 €"."""
    if value is None or value == "":
        return ""
    text = money(value)
    return f"+{text}" if Decimal(value).quantize(Decimal("0.01")) > 0 else text


def percent(value: Decimal | int | None) -> str:
    """12.5 → "12,5 %": as many places as the value has, never fewer than none."""
    if value is None or value == "":
        return ""
    exact = Decimal(value).normalize()
    exponent = exact.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return f"{number(exact, places)} %"


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
