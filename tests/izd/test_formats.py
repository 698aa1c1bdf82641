"""de-DE formats from the one formats module, and years without a thousands separator."""

from __future__ import annotations

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

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


def test_exact_keeps_every_place_and_plain_number_has_no_thousands_separator() -> None:
    assert formats.exact(Decimal("1000.005"), 2) == "1.000,005"
    assert formats.exact(Decimal("-0.5"), 2) == "-0,50"
    assert formats.exact(Decimal("14814.0")) == "14.814,0"
    assert formats.money(Decimal("1000.005"), exact_places=True) == "1.000,005 €"
    assert formats.plain_number(Decimal("12345.6"), 2) == "12345,60"
    assert formats.plain_number(Decimal("-1234567.891"), 1) == "-1234567,9"
    assert formats.percent(Decimal("40.0000"), min_places=2) == "40,00 %"
    assert formats.percent(Decimal("33.3333"), min_places=2) == "33,3333 %"
    assert formats.number(Decimal("NaN")) == "NaN"  # a wrong figure in a message stays visible


# --------------------------------------------------------------------------- one home


def _hand_formatting(source: str) -> list[tuple[int, str]]:
    """(line, what) of every number, money or date formatted by hand in the source: a decimal
    point swapped for a comma, a thousands separator from a format spec, "… EUR" after a
    number, a day written with strftime codes in an f-string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "replace"
            and len(node.args) >= 2
            and all(isinstance(arg, ast.Constant) for arg in node.args[:2])
            and {arg.value for arg in node.args[:2] if isinstance(arg, ast.Constant)} == {",", "."}
        ):
            found.append((node.lineno, "comma and point swapped"))
        if isinstance(node, ast.JoinedStr):
            parts = node.values
            for index, part in enumerate(parts):
                if isinstance(part, ast.FormattedValue) and part.format_spec is not None:
                    spec = "".join(
                        str(piece.value)
                        for piece in ast.walk(part.format_spec)
                        if isinstance(piece, ast.Constant)
                    )
                    if "," in spec and "%" not in spec:
                        found.append((node.lineno, f"thousands separator ':{spec}'"))
                    if spec == "%d.%m.%Y":
                        found.append((node.lineno, "a day by strftime codes"))
                following = parts[index + 1] if index + 1 < len(parts) else None
                if (
                    isinstance(part, ast.FormattedValue)
                    and isinstance(following, ast.Constant)
                    and str(following.value).startswith(" EUR")
                ):
                    found.append((node.lineno, "an amount in EUR"))
    return sorted(found)


def test_the_scan_finds_hand_written_formats() -> None:
    source = (
        'a = f"{x:,}".replace(",", ".")\n'
        'b = f"{x:.2f}".replace(".", ",")\n'
        'c = f"{x} EUR"\n'
        'd = f"{day:%d.%m.%Y}"\n'
        'e = f"{x:.2f}"\n'  # a machine format (XML, SVG): fine
    )
    assert sorted(_hand_formatting(source)) == [
        (1, "comma and point swapped"),
        (1, "thousands separator ':,'"),
        (2, "comma and point swapped"),
        (3, "an amount in EUR"),
        (4, "a day by strftime codes"),
    ]


def test_numbers_money_and_days_are_formatted_in_izd_formats_only() -> None:
    root = Path(__file__).resolve().parents[2]
    found = []
    for app in ("config", "roadmap", "maturity", "costsharing", "tenants", "izd"):
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts or path == root / "izd" / "formats.py":
                continue
            for line, what in _hand_formatting(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(root)}:{line}: {what}")
    assert found == [], "\n".join(found)
