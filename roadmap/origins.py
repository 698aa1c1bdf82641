"""Where a measure or a service request came from, told by apps built on roadmap.

A measure or request may arise from a municipality adopting a practice (roadmap.practices),
which builds on roadmap and so cannot be imported here. Such an app registers a provider from
its AppConfig.ready(); the measure and request pages ask every provider and link to each
origin, as the origin's own page links back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from tenants.access import Access
from tenants.models import Municipality

Subject = Literal["measure", "request"]


@dataclass(frozen=True)
class Origin:
    kind: str  # what it is, e.g. "Praxisbeispiel"
    title: str
    url: str
    note: str = ""  # e.g. "Nachnutzung durch Wächtersbach"


# (subject, ids, access, municipality or None on the Kreis domain) → {id: origins}; measures
# are named by their id, requests by their UUID. One call per page, whatever the number of ids.
OriginProvider = Callable[
    [Subject, Sequence[int | uuid.UUID], Access, Municipality | None],
    dict[int | uuid.UUID, list[Origin]],
]
_providers: list[OriginProvider] = []


def origins_register(provider: OriginProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def origins_of(
    subject: Subject,
    ids: Sequence[int | uuid.UUID],
    access: Access,
    municipality: Municipality | None,
) -> dict[int | uuid.UUID, list[Origin]]:
    """Every origin the viewer may see, by measure id or request UUID."""
    found: dict[int | uuid.UUID, list[Origin]] = {}
    if not ids:
        return found
    for provider in _providers:
        for key, origins in provider(subject, ids, access, municipality).items():
            found.setdefault(key, []).extend(origins)
    return found
