"""The main navigation, which other apps extend from their AppConfig.ready().

tenants may not import the apps above it, so they register their entries here instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tenants.access import Access


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    visible: Callable[[Access], bool]
    order: int = 50


MUNICIPALITY_NAV: list[NavEntry] = []
KREIS_NAV: list[NavEntry] = []


def register(area: str, entry: NavEntry) -> None:
    target = MUNICIPALITY_NAV if area == "municipality" else KREIS_NAV
    if all(existing.url_name != entry.url_name for existing in target):
        target.append(entry)
        target.sort(key=lambda item: item.order)
