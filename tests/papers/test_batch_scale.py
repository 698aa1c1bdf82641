"""A papers batch at scale: the request is N-independent, the year is read once per batch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from costsharing import selectors as costsharing_selectors
from izd.models import Document
from roadmap.papers import builders, services
from roadmap.papers.models import Paper
from tenants.models import Municipality
from tests import scale
from tests.costsharing.factories import budget_year
from tests.papers.factories import paper_template

pytestmark = pytest.mark.django_db


class Counted:
    """Counts the calls of a real selector (and calls it)."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.function(*args, **kwargs)


def _year(year: int, members: int, prefix: str) -> list[Paper]:
    budget_year(year, staff=(("Leitung", "1.00", "90000.00"),), key=(40, 60, 0, 0))
    towns = scale.members(members, prefix=prefix, joined=date(year, 1, 1))
    template = paper_template(f"Skala {year}", facts="Anteil [[anteil_jahr]].", resolution="Ja.")
    return scale.papers(towns, year, template)


def _batch_request_queries(year: int) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        batch = services.papers_render_batch(year=year, user=None)
    statements = [q["sql"] for q in queries.captured_queries]
    bulk = [
        s for s in statements if s.startswith(('INSERT INTO "izd_document"', 'UPDATE "roadmap'))
    ]
    assert len(bulk) == 2, bulk  # one INSERT of every document, one UPDATE of every paper
    return len(statements), [str(batch)]


def test_papers_batch_reads_the_year_once_at_29_and_at_290_members(monkeypatch):
    reads = Counted(costsharing_selectors.members_of_year)
    monkeypatch.setattr(costsharing_selectors, "members_of_year", reads)
    requests: dict[int, int] = {}
    request_reads: dict[int, int] = {}
    worker_reads: dict[int, int] = {}
    for year, members, prefix in ((2081, 29, "0781"), (2082, 290, "0782")):
        papers = _year(year, members, prefix)
        reads.calls = 0
        requests[members], (batch,) = _batch_request_queries(year)
        request_reads[members] = reads.calls
        documents = list(Document.objects.filter(batch=batch))
        assert len(documents) == members == len(papers)
        assert all(d.status == Document.Status.PENDING for d in documents)
        reads.calls = 0
        for document in documents:  # the worker's build step of every document of the batch
            spec = builders.build_paper(document)
            (annex,) = spec.shared_parts  # every member's share: the annex joined to each paper
            rows = annex.spec.context["shares"]["rows"]
            assert rows[0]["name"].startswith("Ort ")
            assert len(rows) >= members  # earlier years' members stay
        worker_reads[members] = reads.calls
    assert requests[29] == requests[290], requests
    assert request_reads == {29: 1, 290: 1}
    assert worker_reads == {29: 1, 290: 1}


def test_an_unchanged_batch_reuses_every_pdf_and_a_changed_paper_is_built_again():
    papers = _year(2083, 12, "0783")
    first = services.papers_render_batch(year=2083, user=None)
    # What the worker leaves behind: every document finished with its file.
    Document.objects.filter(batch=first).update(
        status=Document.Status.DONE, file="documents/vorlage.pdf", sha256="a" * 64
    )
    second = services.papers_render_batch(year=2083, user=None)
    documents = Document.objects.filter(batch=second)
    assert documents.count() == 12
    assert all(d.reused and d.status == Document.Status.DONE for d in documents)

    changed = papers[3]
    changed.refresh_from_db()
    changed.facts_override = "Geänderter Sachverhalt: [[anteil_jahr]]."
    services.paper_save(changed)
    third = services.papers_render_batch(year=2083, user=None)
    pending = Document.objects.filter(batch=third, status=Document.Status.PENDING)
    assert [d.params["paper_id"] for d in pending] == [changed.pk]
    assert Document.objects.filter(batch=third, reused=True).count() == 11


def test_a_changed_figure_of_one_member_builds_every_paper_again():
    papers = _year(2085, 6, "0785")
    first = services.papers_render_batch(year=2085, user=None)
    Document.objects.filter(batch=first).update(
        status=Document.Status.DONE, file="documents/vorlage.pdf", sha256="a" * 64
    )
    # the key splits 60 % by population: every member's share changes with one member's figure
    Municipality.objects.filter(pk=papers[0].municipality_id).update(population=F("population") + 1)
    second = services.papers_render_batch(year=2085, user=None)
    assert Document.objects.filter(batch=second, reused=True).count() == 0
    assert Document.objects.filter(batch=second, status=Document.Status.PENDING).count() == 6


def test_a_batch_with_an_incomplete_beratungsfolge_names_it_and_requests_nothing():
    papers = _year(2084, 5, "0784")
    papers[2].consultations.filter(position=2).delete()
    with pytest.raises(services.PaperError, match=r"Drucksache VL-3/2083 \(Ort 07840002\)"):
        services.papers_render_batch(year=2084, user=None)
    assert not Document.objects.filter(kind=services.KIND, params__paper_id=papers[0].pk).exists()
