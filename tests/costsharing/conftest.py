"""Fixtures of cost sharing: the six towns of the seed scenario, created once per session."""

from __future__ import annotations

import pytest

from tests.costsharing.factories import SeedTowns, build_seed_towns


@pytest.fixture(scope="session")
def seed_towns(portal, django_db_blocker) -> SeedTowns:
    with django_db_blocker.unblock():
        return build_seed_towns()
