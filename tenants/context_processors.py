from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from tenants.access import get_access, view_allows
from tenants.navigation import KREIS_NAV, MUNICIPALITY_NAV, NavEntry
from tenants.selectors import municipality_switch


def _items(request: HttpRequest, entries: list[NavEntry]) -> list[dict[str, Any]]:
    access = get_access(request)
    items = []
    for entry in entries:
        if not entry.visible(access):
            continue
        try:
            url = reverse(entry.url_name)
            view = resolve(url).func
        except (NoReverseMatch, Resolver404):
            continue
        # The menu offers only what the view itself would open for this person.
        if not view_allows(view, access):
            continue
        items.append({"label": entry.label, "url": url, "active": request.path.startswith(url)})
    return items


def portal(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_municipality = tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME
    access = get_access(request)
    # A refused visitor learns nothing about the municipality, not even its name.
    shown = tenant if is_municipality and access.may_enter_municipality() else None
    port = f":{request.get_port()}" if request.get_port() not in ("80", "443") else ""
    return {
        "access": access,
        "current_municipality": shown,
        "on_kreis_domain": not is_municipality,
        "kreis_name": settings.KREIS_NAME,
        "kreis_url": f"{request.scheme}://{settings.BASE_DOMAIN}{port}",
        "municipality_nav": _items(request, MUNICIPALITY_NAV) if is_municipality else [],
        "kreis_nav": [] if is_municipality else _items(request, KREIS_NAV),
        # A callable, so that the queries run only when a page shows the switcher.
        "municipality_switch": (
            (lambda: municipality_switch(request.user, shown, request=request))
            if request.user.is_authenticated
            else []
        ),
    }
