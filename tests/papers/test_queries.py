"""The papers batch request switches into every member's schema: one SET search_path per switch."""

from __future__ import annotations

import pytest

from tests.conftest import Portal
from tests.papers.factories import paper_for, paper_template, simple_year
from tests.statements import recorded_statements
from tests.tenants.factories import new_town

pytestmark = pytest.mark.django_db

YEAR = 2093


def test_papers_batch_request_sets_the_search_path_at_most_once_per_switch(
    portal: Portal, client_for
):
    others = (new_town("Suchpfadheim", "06435991", 5000), new_town("Pfadau", "06435992", 5000))
    members = (portal.a, portal.b, *others)
    simple_year(YEAR, members)
    template = paper_template("Stapel Suchpfad", facts="Anteil [[anteil_jahr]]", resolution="Ja")
    for town in members:
        paper_for(town, YEAR, template)
    client = client_for(portal.coordinator)
    client.get("/beschlussvorlagen/")

    with recorded_statements() as recorded:
        response = client.post(f"/beschlussvorlagen/jahr/{YEAR}/stapel/")

    assert response.status_code == 302, response.content.decode()
    sets = recorded.search_path_sets
    assert sets, "the counting must see django-tenants' SET statements"
    assert len(sets) <= recorded.switches
    # Into each member's schema and back, plus the request's own switches; before
    # TENANT_LIMIT_SET_CALLS, every one of the request's statements had its own SET.
    assert len(sets) <= 2 * len(members) + 4
    assert len(sets) * 4 < len(recorded.others)
