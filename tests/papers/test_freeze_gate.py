"""The centre treasurer freezes a year only when every council with a paper has decided."""

from __future__ import annotations

from datetime import date

import pytest

from costsharing.models import BudgetYear
from costsharing.services import CostsharingError, allocation_freeze
from roadmap.papers import services
from roadmap.papers.models import Paper
from tests.costsharing.factories import centre_treasurer
from tests.papers.factories import paper_for, paper_template, simple_year

pytestmark = pytest.mark.django_db


def _decide(paper: Paper, result: str) -> None:
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


def test_year_without_any_paper_is_not_held(portal):
    year = simple_year(2019, (portal.a,))
    assert allocation_freeze(budget_year=year, user=centre_treasurer()).number == 1
