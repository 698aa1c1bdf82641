"""The start pages make the same number of queries at 29 and at 420 municipalities.

Every panel has data for every municipality (read-model rows made with bulk inserts): a cost
sharing year with a member profile each, a decision paper each, a campaign with results and a
service request each; Testhausen has a rendered paper, an open request and an assessment.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.utils import timezone

from roadmap.models import Priority, RequestSummary
from tenants.models import Municipality
from tests import scale
from tests.conftest import Portal
from tests.costsharing.factories import budget_year, join
from tests.maturity.factories import fake_results, load_small_model, make_campaign
from tests.papers.factories import finished_document, paper_for, paper_template
from tests.roadmap.factories import file_request, make_service
from tests.statements import page_queries
from tests.tenants.factories import START_PAGE_VIEWERS, start_page_viewer

pytestmark = pytest.mark.django_db


def _grow(to: int, prefix: str, year: int, template, campaign, service) -> None:
    missing = to - Municipality.objects.members().count()
    towns = scale.members(missing, prefix=prefix, joined=date(year - 1, 1, 1))
    scale.papers(towns, year, template)
    fake_results(campaign, towns)
    now = timezone.now()
    RequestSummary.objects.bulk_create(
        RequestSummary(
            municipality=town,
            request_id=uuid.uuid4(),
            service=service,
            need="Bedarf",
            quantity=1,
            priority=Priority.MEDIUM,
            wished_date=date(year, 12, 31),
            submitted_at=now,
            updated_at=now,
        )
        for town in towns
    )
    assert Municipality.objects.members().count() == to


@pytest.mark.parametrize("viewer", list(START_PAGE_VIEWERS))
def test_start_page_makes_the_same_queries_at_29_and_at_420(
    viewer: str, portal: Portal, client_for
):
    year = timezone.localdate().year
    budget_year(year, staff=(("Leitung", "1.00", "90000.00"),), key=(40, 60, 0, 0))
    join(portal.a, date(year - 1, 1, 1), budget_line="HH-A")
    template = paper_template("Skala Start", facts="Anteil [[anteil_jahr]].", resolution="Ja.")
    finished_document(paper_for(portal.a, year, template))
    campaign = make_campaign(load_small_model(), [portal.a])
    service = make_service()
    file_request(portal.a, portal.officer_a, service)
    client = start_page_viewer(portal, client_for, viewer)
    client.get("/")  # the session's first request writes to it
    counts = {}
    for members, prefix in ((29, "0793"), (420, "0794")):
        _grow(members, prefix, year, template, campaign, service)
        counts[members] = page_queries(client, "/", "Was offen ist")
    assert counts[29] == counts[420], counts
