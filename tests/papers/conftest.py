"""Fixtures of the decision papers."""

from __future__ import annotations

import pytest

from tenants.models import Municipality
from tests.costsharing.factories import SeedTowns, build_seed_towns
from tests.papers.factories import worker_town


@pytest.fixture(scope="session")
def paper_seed_towns(portal, django_db_blocker) -> SeedTowns:
    """The six towns of the cost-sharing seed scenario (shared with its tests, by AGS)."""
    with django_db_blocker.unblock():
        return build_seed_towns()


@pytest.fixture(scope="session")
def worker_towns(portal, django_db_blocker) -> tuple[Municipality, Municipality]:
    """Two towns only the worker tests use: members 2001–2003 only, so that their committed
    membership never shows up in another test's year."""
    with django_db_blocker.unblock():
        return (
            worker_town("Papierstadt Nord", "06998001"),
            worker_town("Papierstadt Süd", "06998002"),
        )
