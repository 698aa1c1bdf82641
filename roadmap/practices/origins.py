"""The origin of a measure or a service request in the best-practice exchange: the practice
whose adoption it arose from (registered with roadmap.origins)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.urls import reverse

from roadmap.origins import Origin
from roadmap.practices.models import Adoption
from roadmap.practices.selectors import viewer_for, visible
from tenants.access import Access
from tenants.models import Municipality


def adoption_origins(
    subject: str,
    ids: Sequence[int | uuid.UUID],
    access: Access,
    municipality: Municipality | None,
) -> dict[int | uuid.UUID, list[Origin]]:
    """The practices the measures (by id) or requests (by UUID) arose from, as far as the
    viewer may see the practice; registered with roadmap.origins (one query)."""
    field = "measure_id" if subject == "measure" else "request__request_id"
    adoptions = (
        Adoption.objects.filter(**{f"{field}__in": list(ids)})
        .filter(practice__in=visible(viewer_for(access, municipality)))
        .select_related("practice__published_version", "municipality", "request")
        .order_by("practice_id")
    )
    found: dict[int | uuid.UUID, list[Origin]] = {}
    for adoption in adoptions:
        version = adoption.practice.published_version
        key = adoption.measure_id if subject == "measure" else _request_id(adoption)
        if key is None:  # the filter above asks for one; a None would be no origin of anything
            continue
        found.setdefault(key, []).append(
            Origin(
                kind="Praxisbeispiel",
                title=version.title if version else "",
                url=reverse("practices:detail", args=[adoption.practice_id]),
                note=f"Nachnutzung durch {adoption.municipality.name}",
            )
        )
    return found


def _request_id(adoption: Adoption) -> uuid.UUID | None:
    return adoption.request.request_id if adoption.request else None
