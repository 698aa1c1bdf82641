"""Saves of several colleagues at the same time, on real concurrent database connections.

These tests commit (each thread has its own connection, which sees only committed data), so
they create uniquely named data with `committed()` and never rely on a rollback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection, transaction

from maturity import scoring, selectors, services
from maturity.models import Campaign, Participation
from maturity.municipal.models import Answer, AnswerChange
from maturity.services import AnswerInput
from tests.conftest import Portal
from tests.maturity.factories import load_real_model, make_campaign, structure_of


def _in_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run work(0..count-1) in threads that start together; each closes its connection."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _save(campaign: Campaign, portal: Portal, data: AnswerInput, version: int = 0) -> None:
    """Testhausen's officer saves one answer."""
    services.answer_save(
        campaign_id=campaign.pk,
        municipality=portal.a,
        user=portal.officer_a,
        data=data,
        version=version,
    )


@contextmanager
def _colleague_saving(campaign: Campaign, portal: Portal, data: AnswerInput) -> Iterator[None]:
    """A colleague's save on a connection of its own, made but held uncommitted for half a
    second while the block runs; afterwards it has committed without an error."""
    saved = threading.Event()

    def colleague(_index: int) -> None:
        with transaction.atomic():
            _save(campaign, portal, data)
            saved.set()
            time.sleep(0.5)  # not committed yet while the block starts

    thread_errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: thread_errors.extend(_in_threads(1, colleague)))
    thread.start()
    assert saved.wait(timeout=30)
    try:
        yield
    finally:
        thread.join(timeout=30)
    assert thread_errors == []


def _stored_scores(portal: Portal, campaign: Campaign) -> scoring.Scores:
    with selectors.in_schema(portal.a):
        answers = selectors.answer_values(
            selectors.answers_by_question(selectors.assessment_get(campaign.pk))
        )
    return scoring.score(structure_of(campaign), answers)


def test_concurrent_saves_of_different_answers_all_reach_the_read_model(portal: Portal, committed):
    """Colleagues save at once; the read model ends up as the projection of all answers."""
    with committed():
        campaign = make_campaign(load_real_model(), [portal.a])
        questions = [q.id for q in structure_of(campaign).questions][:8]
        rounds = 4

        def save_repeatedly(index: int) -> None:
            for n in range(rounds):
                _save(campaign, portal, AnswerInput(questions[index], (index + n) % 5, 4), n)

        assert _in_threads(len(questions), save_repeatedly) == []
        expected = _stored_scores(portal, campaign)
        participation = Participation.objects.get(campaign=campaign, municipality=portal.a)
        with selectors.in_schema(portal.a):
            answers = Answer.objects.filter(assessment__campaign_id=campaign.pk)
            versions = set(answers.values_list("version", flat=True))
            history = AnswerChange.objects.filter(answer__in=answers).count()
    assert versions == {rounds} and history == rounds * len(questions)
    assert participation.answered_count == len(questions) == expected.answered
    assert participation.overall_index == expected.overall
    assert participation.dimension_scores == {
        key: str(value) if value is not None else None for key, value in expected.dimensions.items()
    }
    assert participation.status == Participation.Status.STARTED


def test_two_colleagues_creating_the_same_answer_at_once_get_a_conflict(portal: Portal, committed):
    """The second first-save waits for the first one's commit and then shows its value."""
    with committed():
        campaign = make_campaign(load_real_model(), [portal.a])
        first, other = [q.id for q in structure_of(campaign).questions][:2]
        # The assessment exists already; the race is about the answer row alone.
        _save(campaign, portal, AnswerInput(other, 1, 2))
        with (
            _colleague_saving(campaign, portal, AnswerInput(first, 3, 4, comment="Kollegin")),
            pytest.raises(services.AnswerConflict) as conflict,
        ):
            _save(campaign, portal, AnswerInput(first, 1, 1))
        participation = Participation.objects.get(campaign=campaign, municipality=portal.a)
        with selectors.in_schema(portal.a):
            stored = Answer.objects.get(assessment__campaign_id=campaign.pk, question_id=first)
    assert conflict.value.current.comment == "Kollegin"
    assert (stored.current_level, stored.version) == (3, 1)
    assert participation.answered_count == 2
    assert participation.overall_index is not None and participation.overall_index > Decimal(0)


def test_a_submit_waits_for_a_running_save_and_a_later_save_is_refused(portal: Portal, committed):
    """Saves share the assessment lock; submitting takes it alone."""
    with committed():
        campaign = make_campaign(load_real_model(), [portal.a])
        questions = [q.id for q in structure_of(campaign).questions]
        services.answers_import(
            campaign_id=campaign.pk,
            municipality=portal.a,
            user=portal.officer_a,
            values={q: AnswerInput(q, 2, 3) for q in questions[1:]},
        )
        with _colleague_saving(campaign, portal, AnswerInput(questions[0], 4, 4)):
            # Sees the last answer only once that save has committed: so the submit succeeds.
            services.assessment_submit(
                campaign_id=campaign.pk, municipality=portal.a, user=portal.officer_a
            )
        with pytest.raises(services.Locked):
            _save(campaign, portal, AnswerInput(questions[0], 0, 0), version=1)
        participation = Participation.objects.get(campaign=campaign, municipality=portal.a)
    assert participation.status == Participation.Status.SUBMITTED
    assert participation.answered_count == len(questions)
