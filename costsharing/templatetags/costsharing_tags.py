"""Template filters of cost sharing: German money and percent formats."""

from __future__ import annotations

from decimal import Decimal

from django import template

from costsharing.allocation import format_eur

register = template.Library()


@register.filter
def eur(value: Decimal | None) -> str:
    if value is None or value == "":
        return ""
    return format_eur(Decimal(value)).replace(" EUR", " €")


@register.filter
def percent(value: Decimal | None) -> str:
    if value is None or value == "":
        return ""
    return f"{Decimal(value).normalize():f}".replace(".", ",") + " %"


@register.filter
def signed_eur(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = eur(value)
    return f"+{text}" if Decimal(value) > 0 else text
