"""`{% audit_history object %}`: the object's entries of the trail on its own page.

The scope comes from the host: on a municipality's subdomain only that municipality's entries,
on the Kreis' domain all of them (Kreis pages are for the Kreis' staff only).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.db import models

from izd.audit import selectors

register = template.Library()


def scope_of(request: Any) -> int | None:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return None
    return int(tenant.pk)


@register.inclusion_tag("audit/_history.html", takes_context=True)
def audit_history(
    context: template.Context, *objects: Any, title: str = "Verlauf"
) -> dict[str, Any]:
    targets = [
        (obj._meta.label_lower, str(obj.pk))
        for obj in objects
        if isinstance(obj, models.Model) and obj.pk is not None
    ]
    request = context.get("request")
    return {
        "entries": selectors.history(scope=scope_of(request), targets=targets),
        "title": title,
        "heading_id": f"verlauf-{'-'.join(str(pk) for _, pk in targets) or 'leer'}",
    }
