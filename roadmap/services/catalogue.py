"""The Kreis' catalogue of services."""

from __future__ import annotations

from django.db import transaction

from izd.audit import recording as audit
from roadmap.models import Service


@transaction.atomic
def service_save(*, service: Service) -> Service:
    fields = ("name", "description", "category", "unit", "requester_roles", "is_open")
    label = f"Leistung „{service.name}“"
    return audit.save_recorded(service, "service_save", audit.Kind.REQUEST, label, fields=fields)
