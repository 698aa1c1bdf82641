"""Template filters of cost sharing: German money and percent formats."""

from __future__ import annotations

from decimal import Decimal

from django import template

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
