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
    audit.record(
        action="service_save",
        kind=audit.Kind.REQUEST,
        summary=f"Leistung „{service.name}“ " + ("geändert" if before else "angelegt"),
        target=service,
        fields=fields,
        before=before,
        municipality=None,
    )
    return service
