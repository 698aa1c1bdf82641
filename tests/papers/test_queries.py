"""The papers batch request switches into every member's schema: one SET search_path per switch."""

from __future__ import annotations

from datetime import date

import pytest

from tenants.services import MunicipalityData, municipality_create
from tests.conftest import Portal
from tests.papers.factories import paper_for, paper_template, simple_year
from tests.statements import recorded_statements

pytestmark = pytest.mark.django_db

YEAR = 2093


def _town(name: str, ags: str):
    return municipality_create(
        data=MunicipalityData(
            name=name, ags=ags, population=5000, population_date=date(2024, 12, 31)
        )
    )


def test_papers_batch_request_sets_the_search_path_at_most_once_per_switch(
    portal: Portal, client_for
):
    members = (portal.a, portal.b, _town("Suchpfadheim", "06435991"), _town("Pfadau", "06435992"))
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
