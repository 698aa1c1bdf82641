"""The Kreis' catalogue of services."""

from __future__ import annotations

from django.db import transaction

from izd.audit import recording as audit
from roadmap.models import Service


@transaction.atomic
def service_save(*, service: Service) -> Service:
    fields = ("name", "description", "category", "unit", "requester_roles", "is_open")
    before = audit.stored_snapshot(service, *fields)
    service.full_clean()
    service.save()
    audit.record_saved(
        "service_save", audit.Kind.REQUEST, f"Leistung „{service.name}“", service,
        before=before, fields=fields,
    )  # fmt: skip
    return service
