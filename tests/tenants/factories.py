"""Municipalities onboarded through the service (a schema cloned from the template), for the
tests and benchmarks that need towns beyond the session's portal; the start page's viewers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from django.test import Client

from tenants.models import Invitation, Membership, Municipality
from tenants.services import MunicipalityData, invitation_create, municipality_create

if TYPE_CHECKING:
    from tests.conftest import Portal


def new_town(name: str, ags: str, population: int = 1000) -> Municipality:
    return municipality_create(
        data=MunicipalityData(
            name=name, ags=ags, population=population, population_date=date(2024, 12, 31)
        )
    )


def invite(portal: Portal, email: str, municipality: Municipality) -> Invitation:
    """The Kreis' coordinator invites `email` into the municipality as a reader."""
    return invitation_create(
        email=email,
        municipality=municipality,
        role=Membership.Role.READER,
        invited_by=portal.coordinator,
    )


# Everybody whose start page differs: the person and the host (both attributes of the session's
# Portal; no municipality is the Kreis domain).
START_PAGE_VIEWERS = {
    "coordinator on the Kreis domain": ("coordinator", None),
    "centre treasurer on the Kreis domain": ("centre_treasurer", None),
    "officer of Testhausen": ("officer_a", "a"),
    "treasurer of Testhausen": ("treasurer_a", "a"),
    "reader of Testhausen": ("reader_a", "a"),
    "coordinator visiting Testhausen": ("coordinator", "a"),
    "centre treasurer visiting Testhausen": ("centre_treasurer", "a"),
}


def start_page_viewer(portal: Portal, client_for: Callable[..., Client], viewer: str) -> Client:
    """A client of the viewer (a key of START_PAGE_VIEWERS), signed in on its host."""
    person, town = START_PAGE_VIEWERS[viewer]
    return client_for(getattr(portal, person), getattr(portal, town) if town else None)
