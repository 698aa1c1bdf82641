"""Template filters of cost sharing: German money and percent formats."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from costsharing.computation import MemberRow
from izd import formats

register = template.Library()


@register.filter
def eur(value: Decimal | None) -> str:
    return formats.money(value)


@register.filter
def percent(value: Decimal | None) -> str:
    return formats.percent(value)


@register.filter
def signed_eur(value: Decimal | None) -> str:
    return formats.signed_money(value)


@register.simple_tag
def allocation_rows(rows: Iterable[MemberRow]) -> SafeString:
    """The table rows of a year's shares: name, months and six amounts per member.

    One tag rather than a loop of template nodes: at 420 members the loop rendered some
    3,400 variables with their filters and escaping, most of the page's time. The name is
    escaped; the other cells are numbers formatted here (digits, separators, "€").
    """
    money = formats.money
    cells = '</td><td class="num">'
    return mark_safe(  # noqa: S308 - every value is escaped or a formatted number
        "".join(
            f"<tr><td>{escape(row.name, quote=True)}{cells}{row.months:d}{cells}"
            f"{money(row.base)}{cells}{money(row.population_amount)}{cells}{money(row.usage)}"
            f"{cells}{money(row.modules)}{cells}{money(row.grant_credit)}{cells}"
            f"{money(row.payable)}</td></tr>"
            for row in rows
        )
    )
