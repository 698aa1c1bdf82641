"""Panels of the start pages, which other apps provide from their AppConfig.ready().

tenants may not import maturity, costsharing or roadmap, so each app registers a provider here
that returns what is open for the person, as plain frozen data the start page can render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from tenants.access import Access, view_allows
from tenants.models import Municipality


@dataclass(frozen=True)
class PanelItem:
    label: str
    value: str = ""
    url: str = ""


@dataclass(frozen=True)
class StartPanel:
    title: str
    items: tuple[PanelItem, ...]
    order: int = 50


@dataclass(frozen=True)
class StartContext:
    """Whom the start page is for: the municipality (None on the Kreis domain) and the roles."""

    user_id: int
    access: Access
    municipality: Municipality | None


PanelProvider = Callable[[StartContext], StartPanel | None]

MUNICIPALITY_PANELS: dict[str, PanelProvider] = {}
KREIS_PANELS: dict[str, PanelProvider] = {}


def link_for(access: Access, url_name: str, *args: object, query: str = "") -> str:
    """The page's address if its view lets this person in, else "": a panel links only to
    what the person may open, by asking the view's own access rule (as the menu does)."""
    try:
        url = reverse(url_name, args=args)
        view = resolve(url).func
    except (NoReverseMatch, Resolver404):
        return ""
    if not view_allows(view, access):
        return ""
    return f"{url}?{query}" if query else url


def register(area: str, key: str, provider: PanelProvider) -> None:
    """Register once per key, so a repeated ready() does not show a panel twice."""
    (MUNICIPALITY_PANELS if area == "municipality" else KREIS_PANELS)[key] = provider


def panels_for(context: StartContext) -> list[StartPanel]:
    providers = KREIS_PANELS if context.municipality is None else MUNICIPALITY_PANELS
    panels = [panel for provider in providers.values() if (panel := provider(context))]
    return sorted(panels, key=lambda panel: (panel.order, panel.title))
