"""Fixtures shared by all tests.

Municipality schemas are created once per test session and committed, so that tests wrapped in a
transaction, the live server's threads and Celery workers all see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tenants.models import KreisRole, Membership, Municipality, User
from tenants.services import (
    MunicipalityData,
    kreis_ensure,
    kreis_role_grant,
    membership_grant,
    municipality_create,
    user_create,
)

PASSWORD = "Test-Passwort-2026"
BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass(frozen=True)
class Portal:
    """The test world: the Kreis, two municipalities A and B, and one person per role."""

    kreis: Municipality
    a: Municipality
    b: Municipality
    coordinator: User
    centre_treasurer: User
    officer_a: User
    treasurer_a: User
    reader_a: User
    officer_b: User
    treasurer_b: User
    stranger: User

    def host(self, municipality: Municipality | None = None) -> str:
        if municipality is None or municipality.is_kreis:
            return settings.BASE_DOMAIN
        return f"{municipality.slug}.{settings.BASE_DOMAIN}"


def _user(email: str) -> User:
    return User.objects.filter(email=email).first() or user_create(
        email=email, password=PASSWORD, first_name=email.split("@")[0].title(), last_name="Test"
    )


def _municipality(name: str, ags: str, population: int) -> Municipality:
    existing = Municipality.objects.filter(ags=ags).first()
    if existing:
        return existing
    return municipality_create(
        data=MunicipalityData(
            name=name,
            ags=ags,
            population=population,
            population_date=date(2024, 12, 31),
            street="Rathausplatz 1",
            postal_code="63599",
            city=name,
        )
    )


def build_portal() -> Portal:
    kreis = kreis_ensure(
        name="Testkreis", ags="06435000", population=50_000, population_date=date(2024, 12, 31)
    )
    a = _municipality("Testhausen", "06435901", 14_000)
    b = _municipality("Beispielstadt", "06435902", 9_500)
    people = {
        name: _user(f"{name}@test.example")
        for name in (
            "coordinator",
            "centre_treasurer",
            "officer_a",
            "treasurer_a",
            "reader_a",
            "officer_b",
            "treasurer_b",
            "stranger",
        )
    }
    kreis_role_grant(user=people["coordinator"], role=KreisRole.Role.COORDINATOR)
    kreis_role_grant(user=people["centre_treasurer"], role=KreisRole.Role.CENTRE_TREASURER)
    for person, town, role in (
        ("officer_a", a, Membership.Role.DIGITAL_OFFICER),
        ("treasurer_a", a, Membership.Role.TREASURER),
        ("reader_a", a, Membership.Role.READER),
        ("officer_b", b, Membership.Role.DIGITAL_OFFICER),
        ("treasurer_b", b, Membership.Role.TREASURER),
    ):
        membership_grant(user=people[person], municipality=town, role=role)
    return Portal(kreis=kreis, a=a, b=b, **people)


@pytest.fixture(scope="session")
def portal(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Portal:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return build_portal()


@pytest.fixture
def client_for(portal: Portal, db: None) -> Iterator[object]:
    """`client_for(user, municipality)`: a test client signed in on that host."""

    def make(user: User | None, municipality: Municipality | None = None) -> Client:
        client = Client(HTTP_HOST=portal.host(municipality))
        if user is not None:
            client.force_login(user, backend=BACKEND)
        return client

    yield make
    connection.set_schema_to_public()


@pytest.fixture
def in_tenant(db: None) -> Iterator[object]:
    """`with in_tenant(municipality): ...` runs ORM calls in that municipality's schema."""
    from contextlib import contextmanager

    @contextmanager
    def switch(municipality: Municipality) -> Iterator[None]:
        connection.set_tenant(municipality)
        try:
            yield
        finally:
            connection.set_schema_to_public()

    yield switch
    connection.set_schema_to_public()
