"""Display helpers of roadmap templates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from izd import formats
from roadmap.models import Service
from roadmap.origins import Origin

register = template.Library()

# The unit choices are plural ("Projekte"); one of them reads in the singular.
_SINGULAR = {
    Service.Unit.HOURS: "Stunde",
    Service.Unit.ACCOUNTS: "Konto",
    Service.Unit.LICENCES: "Lizenz",
    Service.Unit.PROJECTS: "Projekt",
}


@register.filter
def in_units(quantity: Decimal | int | str | None, unit: str) -> str:
    """A quantity with its unit, in the right number: "1 Projekt", "2,5 Stunden"."""
    if quantity is None or quantity == "":
        return ""
    value = Decimal(quantity)
    text = formats.number(value, 2).removesuffix(",00")
    if "," in text:
        text = text.rstrip("0")
    label = _SINGULAR[Service.Unit(unit)] if value == 1 else Service.Unit(unit).label
    return f"{text} {label}"


@register.filter
def origins_for(origins: dict[Any, list[Origin]] | None, key: Any) -> list[Origin]:
    """The origins (roadmap.origins) of one measure or request, from the page's lookup."""
    return (origins or {}).get(key, [])
