"""Decision papers on the start pages: a municipality's papers awaiting its council, the
centre's papers per year (made, rendered, decided, lacking a meeting date)."""

from __future__ import annotations

import re
from datetime import date

from roadmap.papers.models import Paper
from tests.papers.factories import decide, finished_document, paper_for, paper_template, simple_year

YEAR = 2012


def _panel(body: str, title: str) -> str:
    found = re.search(rf"<h3 [^>]*>{re.escape(title)}</h3>(.*?)</section>", body, re.S)
    assert found, f"no panel {title!r}"
    return found.group(1)


def test_municipality_sees_its_rendered_paper_until_the_council_decided(portal, client_for):
    simple_year(YEAR, (portal.a, portal.b))
    simple_year(YEAR + 1, (portal.a, portal.b))
    template = paper_template("Startseite Vorlagen")
    paper = paper_for(portal.a, YEAR, template)
    paper_for(portal.b, YEAR, template)  # not rendered, and another municipality's
    body = client_for(portal.officer_a, portal.a).get("/").content.decode()
    assert "Beschlussvorlagen vor dem Rat" not in body  # no PDF yet: nothing to decide

    finished_document(paper)
    panel = _panel(
        client_for(portal.officer_a, portal.a).get("/").content.decode(),
        "Beschlussvorlagen vor dem Rat",
    )
    assert (
        f'href="/beschlussvorlagen/{paper.pk}/">{paper.reference} (Haushaltsjahr {YEAR})' in panel
    )
    assert f"Gemeindevertretung am 07.12.{YEAR - 1} – Beschluss erfassen" in panel
    reader = _panel(
        client_for(portal.reader_a, portal.a).get("/").content.decode(),
        "Beschlussvorlagen vor dem Rat",
    )
    assert "Beschluss erfassen" not in reader and paper.reference in reader
    assert "Beschlussvorlagen vor dem Rat" not in (
        client_for(portal.officer_b, portal.b).get("/").content.decode()
    )

    decide(paper, Paper.Result.ACCEPTED, date(YEAR - 1, 12, 7), portal.officer_a)
    body = client_for(portal.officer_a, portal.a).get("/").content.decode()
    assert "Beschlussvorlagen vor dem Rat" not in body


def test_kreis_start_page_counts_papers_rendered_decided_and_undated(portal, client_for):
    simple_year(YEAR, (portal.a, portal.b))
    simple_year(YEAR + 1, (portal.a, portal.b))
    template = paper_template("Startseite Kreis")
    decided = paper_for(portal.a, YEAR, template)
    finished_document(decided)
    decide(decided, Paper.Result.ACCEPTED, date(YEAR - 1, 12, 7), portal.officer_a)
    undated = paper_for(portal.b, YEAR, template)
    undated.consultations.filter(role="beschliessend").update(meeting_date=None)
    for user in (portal.coordinator, portal.centre_treasurer):
        panel = _panel(client_for(user).get("/").content.decode(), "Beschlussvorlagen")
        assert (
            f'<a href="/beschlussvorlagen/?jahr={YEAR}">{YEAR}</a></dt>'
            "<dd>2 Vorlagen, 1 als PDF, 1 entschieden; 1 ohne Sitzungsdatum</dd>"
        ) in panel
