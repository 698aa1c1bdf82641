"""The centre treasurer freezes a year only when every council with a paper has decided."""

from __future__ import annotations

from datetime import date

import pytest

from costsharing.models import BudgetYear
from costsharing.services import CostsharingError, allocation_freeze
from roadmap.papers import services
from roadmap.papers.models import Paper
from tests.costsharing.factories import centre_treasurer
from tests.papers.factories import (
    committees,
    finished_document,
    paper_for,
    paper_template,
    simple_year,
)

pytestmark = pytest.mark.django_db


def _decide(paper: Paper, result: str) -> None:
    if paper.document_id is None:
        finished_document(paper)
    services.decision_record(
        paper=paper,
        decided_on=date(paper.year, 1, 10),
        result=result,
        note="",
        user=centre_treasurer(),
    )


def test_year_with_an_undecided_council_cannot_be_frozen(portal):
    year = simple_year(2016, (portal.a, portal.b))
    template = paper_template()
    decided = paper_for(portal.a, 2016, template, reference="DS-1/2016")
    paper_for(portal.b, 2016, template, reference="DS-2/2016")
    _decide(decided, Paper.Result.ACCEPTED)
    with pytest.raises(CostsharingError, match="Noch offen: Beispielstadt"):
        allocation_freeze(budget_year=year, user=centre_treasurer())
    year.refresh_from_db()
    assert year.status != BudgetYear.Status.FROZEN


def test_a_postponed_decision_still_holds_the_freeze(portal):
    year = simple_year(2017, (portal.a,))
    paper = paper_for(portal.a, 2017, paper_template(), reference="DS-3/2017")
    _decide(paper, Paper.Result.POSTPONED)
    with pytest.raises(CostsharingError, match="Testhausen"):
        allocation_freeze(budget_year=year, user=centre_treasurer())


def test_year_is_frozen_once_every_council_has_decided(portal):
    year = simple_year(2018, (portal.a, portal.b))
    template = paper_template()
    for town, number in ((portal.a, 4), (portal.b, 5)):
        _decide(
            paper_for(town, 2018, template, reference=f"DS-{number}/2018"), Paper.Result.ACCEPTED
        )
    version = allocation_freeze(budget_year=year, user=centre_treasurer())
    assert version.number == 1


def test_year_without_decisions_is_held_unless_the_treasurer_gives_a_reason(portal, client_for):
    year = simple_year(2019, (portal.a,))
    with pytest.raises(CostsharingError, match="Noch offen: Testhausen"):
        allocation_freeze(budget_year=year, user=centre_treasurer())
    version = allocation_freeze(
        budget_year=year, user=centre_treasurer(), decisions_waiver="Beschluss vom 5.3. per Mail"
    )
    assert version.decisions_waiver.startswith("Beschluss vom 5.3. per Mail")
    assert "Testhausen" in version.decisions_waiver
    history = client_for(portal.centre_treasurer).get("/kosten/2019/").content.decode()
    assert "Festgeschrieben ohne alle Ratsbeschlüsse" in history
    assert "Beschluss vom 5.3. per Mail" in history


def _frozen_year_with_decided_paper(portal, year: int) -> Paper:
    budget = simple_year(year, (portal.a,))
    paper = paper_for(portal.a, year, paper_template(), reference=f"DS-9/{year}")
    _decide(paper, Paper.Result.ACCEPTED)
    allocation_freeze(budget_year=budget, user=centre_treasurer())
    return paper


def test_after_freezing_decisions_and_papers_are_read_only(portal):
    paper = _frozen_year_with_decided_paper(portal, 2014)
    with pytest.raises(services.PaperError, match="festgeschrieben"):
        _decide(paper, Paper.Result.REJECTED)
    with pytest.raises(services.PaperError, match="festgeschrieben"):
        services.paper_render(paper=paper, user=centre_treasurer())
    paper.refresh_from_db()
    assert paper.result == Paper.Result.ACCEPTED


def test_a_decided_paper_can_no_longer_be_edited(portal):
    simple_year(2013, (portal.a,))
    paper = paper_for(portal.a, 2013, paper_template(), reference="DS-8/2013")
    _decide(paper, Paper.Result.ACCEPTED)
    paper.subject_override = "Nachträglich geändert"
    with pytest.raises(services.PaperError, match="schon entschieden"):
        services.paper_save(paper)
    with pytest.raises(services.PaperError, match="schon entschieden"):
        services.consultations_replace(paper=paper, committees=committees(2013))
    paper.refresh_from_db()
    assert paper.subject_override == ""


def test_no_decision_on_a_paper_that_never_had_a_pdf(portal):
    simple_year(2012, (portal.a,))
    paper = paper_for(portal.a, 2012, paper_template(), reference="DS-7/2012")
    with pytest.raises(services.PaperError, match="noch kein PDF"):
        services.decision_record(
            paper=paper,
            decided_on=date(2012, 1, 10),
            result=Paper.Result.ACCEPTED,
            note="",
            user=centre_treasurer(),
        )
    paper.refresh_from_db()
    assert paper.result == ""
