"""Query counts of Kreis pages and the SET search_path statements of a request."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings as django_settings

from tenants.models import Domain, Municipality
from tests.conftest import Portal
from tests.statements import page_queries, recorded_statements

pytestmark = pytest.mark.django_db


def _members_up_to(count: int) -> None:
    """Municipality records with their domain, without schemas: the list reads public rows only."""
    existing = Municipality.objects.members().count()
    created = Municipality.objects.bulk_create(
        Municipality(
            schema_name=f"gem_0799{n:04d}",
            name=f"Listenort {n:04d}",
            slug=f"listenort-{n}",
            ags=f"0799{n:04d}",
            population=1000 + n,
            population_date=date(2024, 12, 31),
        )
        for n in range(existing, count)
    )
    Domain.objects.bulk_create(
        Domain(domain=f"{m.slug}.{django_settings.BASE_DOMAIN}", tenant=m, is_primary=True)
        for m in created
    )
    assert Municipality.objects.members().count() == count


def test_municipality_list_makes_the_same_queries_at_29_and_at_420(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    client.get("/kommunen/")  # the session's first request writes to it
    counts = {}
    for members in (max(29, Municipality.objects.members().count()), 420):
        _members_up_to(members)
        counts[members] = page_queries(client, "/kommunen/", f"{members} Kommunen")
    assert len(set(counts.values())) == 1, counts
    found = client.get("/kommunen/", {"q": "Listenort 0419"}).content.decode()
    assert "http://listenort-419.izd.localhost/" in found


def _start_page(portal: Portal, client_for) -> tuple[int, int, int]:
    client = client_for(portal.officer_a, portal.a)
    client.get("/")
    with recorded_statements() as recorded:
        assert client.get("/").status_code == 200
    return len(recorded.search_path_sets), recorded.switches, len(recorded.others)


def test_a_request_sets_the_search_path_once_per_schema_switch(portal: Portal, client_for):
    sets, switches, others = _start_page(portal, client_for)
    assert 1 <= sets <= switches
    assert others > sets


def test_without_the_limit_every_statement_sets_the_search_path(
    portal: Portal, client_for, settings
):
    """The counting sees django-tenants' SET statements: without the setting, one per query."""
    settings.TENANT_LIMIT_SET_CALLS = False
    sets, switches, others = _start_page(portal, client_for)
    assert sets == others > switches
