"""de-DE formats from the one formats module, and years without a thousands separator."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template

from izd import formats


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("21695.55"), "21.695,55 €"),
        (Decimal("0"), "0,00 €"),
        (Decimal("-0.001"), "0,00 €"),
        (Decimal("-95.74"), "-95,74 €"),
        (Decimal("1234567.005"), "1.234.567,01 €"),
        (7, "7,00 €"),
    ],
)
def test_money_is_german_with_cents_and_never_minus_zero(value: Decimal, expected: str) -> None:
    assert formats.money(value) == expected


def test_a_year_never_gets_a_thousands_separator_in_templates() -> None:
    rendered = Template("{{ y }}|{{ y|year }}").render(Context({"y": 2026}))
    assert rendered == "2.026|2026"  # Django's localisation groups; the filter does not


def test_dates_percent_and_signed_money() -> None:
    assert formats.day(date(2026, 12, 31)) == "31.12.2026"
    assert formats.percent(Decimal("12.50")) == "12,5 %"
    assert formats.signed_money(Decimal("1")) == "+1,00 €"
    assert formats.signed_money(Decimal("-0.001")) == "0,00 €"


def test_a_deduction_of_nothing_reads_without_a_minus() -> None:
    assert formats.deduction(Decimal("0")) == "0,00 €"
    assert formats.deduction(Decimal("1000")) == "−1.000,00 €"
    rendered = Template("{{ x|deduction }}").render(Context({"x": Decimal("0.00")}))
    assert rendered == "0,00 €"
