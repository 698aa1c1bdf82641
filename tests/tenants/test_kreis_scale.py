"""Every Kreis page makes the same number of queries at 29 and at 420 municipalities.

The rows are read-model data made with bulk inserts (no schemas): the municipalities with a
cost-sharing profile, a budget year with its key, a decision paper each and a maturity campaign
with submitted results.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import Municipality
from tests import scale
from tests.conftest import Portal
from tests.costsharing.factories import budget_year
from tests.maturity.factories import fake_results, load_small_model, make_campaign
from tests.papers.factories import paper_template

pytestmark = pytest.mark.django_db

YEAR = 2091

PAGES = {
    "municipality list": "/kommunen/",
    "papers overview": f"/beschlussvorlagen/?jahr={YEAR}",
    "decisions overview": f"/beschlussvorlagen/jahr/{YEAR}/beschluesse/",
    "request triage": "/roadmap/anfragen/",
    "cost sharing year": f"/kosten/{YEAR}/",
    "maturity county matrix": "/reifegrad/erhebungen/{campaign}/uebersicht/",
}


def _grow(to: int, prefix: str, template, campaign) -> None:
    missing = to - Municipality.objects.members().count()
    towns = scale.members(missing, prefix=prefix, joined=date(YEAR, 1, 1))
    scale.papers(towns, YEAR, template)
    fake_results(campaign, towns)
    assert Municipality.objects.members().count() == to


@pytest.mark.parametrize("page", list(PAGES))
def test_kreis_page_makes_the_same_queries_at_29_and_at_420(page: str, portal: Portal, client_for):
    budget_year(YEAR, staff=(("Leitung", "1.00", "90000.00"),), key=(40, 60, 0, 0))
    template = paper_template("Skala Kreis", facts="Anteil [[anteil_jahr]].", resolution="Ja.")
    campaign = make_campaign(load_small_model(), [portal.a])
    url = PAGES[page].format(campaign=campaign.pk)
    client = client_for(portal.coordinator)
    client.get("/kommunen/")  # the session's first request writes to it
    counts = {}
    for members, prefix in ((29, "0791"), (420, "0792")):
        _grow(members, prefix, template, campaign)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.content.decode()[:500]
        counts[members] = len(queries.captured_queries)
        if page != "request triage":  # the rows are on the page (no requests are made here)
            assert "Ort 0791" in response.content.decode()
    assert counts[29] == counts[420], counts
