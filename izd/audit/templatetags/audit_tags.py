"""`{% audit_history object %}`: the object's entries of the trail on its own page.

The scope comes from the host: on a municipality's subdomain only that municipality's entries,
on the Kreis' domain all of them (Kreis pages are for the Kreis' staff only).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.db import models
from django.db.models import QuerySet

from izd.audit import selectors

register = template.Library()


NOTHING = -1  # no municipality has this id: nothing is shown


def scope_of(request: Any) -> int | None:
    """None (everything) for the Kreis' staff on the Kreis' domain, the municipality's id on its
    subdomain, and nothing for anyone else (e.g. a public page on the Kreis' domain)."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return NOTHING
    if tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        access = getattr(request, "access", None)
        return None if getattr(access, "is_kreis_staff", False) else NOTHING
    return int(tenant.pk)


@register.inclusion_tag("audit/_history.html", takes_context=True)
def audit_history(
    context: template.Context, *objects: Any, title: str = "Verlauf"
) -> dict[str, Any]:
    flat: list[Any] = []
    for obj in objects:
        if isinstance(obj, list | tuple | QuerySet):
            flat.extend(obj)
        else:
            flat.append(obj)
    targets = [
        (obj._meta.label_lower, str(obj.pk))
        for obj in flat
        if isinstance(obj, models.Model) and obj.pk is not None
    ]
    request = context.get("request")
    return {
        "entries": selectors.history(scope=scope_of(request), targets=targets),
        "title": title,
        "heading_id": f"verlauf-{'-'.join(str(pk) for _, pk in targets) or 'leer'}",
    }
