"""Small display helpers for maturity templates; no business logic."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def lookup(mapping: dict[Any, Any] | None, key: Any) -> Any:
    return (mapping or {}).get(key)


@register.filter
def score(value: Decimal | None) -> str:
    """62.5 → "62,5"; no value → "–"."""
    if value is None:
        return "–"
    return number_format(value, decimal_pos=1, use_l10n=True, force_grouping=True)


@register.filter
def signed(value: Decimal | None) -> str:
    """A change with its sign: +3,5 / −1,0 / ±0,0."""
    if value is None:
        return "–"
    text = number_format(abs(value), decimal_pos=1, use_l10n=True)
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return f"±{text}"
