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
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from izd.audit.models import AuditEntry
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


def _trail(participation: Participation) -> int:
    """The autosaves' entries in the audit trail about this participation."""
    return AuditEntry.objects.filter(
        action="answer_save",
        object_type=Participation._meta.label_lower,
        object_id=str(participation.pk),
    ).count()


def _stored_scores(portal: Portal, campaign: Campaign) -> scoring.Scores:
    with selectors.in_schema(portal.a):
        answers = selectors.answer_values(
            selectors.answers_by_question(selectors.assessment_get(campaign.pk))
        )
    return scoring.score(structure_of(campaign), answers)


@pytest.mark.parametrize("colleagues", [8, 16])
def test_concurrent_saves_of_different_answers_all_reach_the_read_model(
    portal: Portal, committed, colleagues: int
):
    """Colleagues save at once (16: the benchmark's worst case); every save's history and audit
    entry are committed with it, and the read model ends up as the projection of all answers."""
    with committed():
        campaign = make_campaign(load_real_model(), [portal.a])
        questions = [q.id for q in structure_of(campaign).questions][:colleagues]
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
        trail = _trail(participation)
    assert versions == {rounds} and history == trail == rounds * len(questions)
    assert participation.answered_count == len(questions) == expected.answered
    assert participation.overall_index == expected.overall
    assert participation.target_index == expected.target_overall
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


def test_an_autosave_of_its_own_transaction_sends_the_commit_with_its_last_statement(
    portal: Portal, committed
):
    """Outside any other transaction the read model's UPDATE carries the COMMIT: another
    connection sees the answer, its history and its entry right away."""
    with committed():
        campaign = make_campaign(load_real_model(), [portal.a])
        question = structure_of(campaign).questions[0].id
        _save(campaign, portal, AnswerInput(question, 1, 2))
        with CaptureQueriesContext(connection) as queries:
            _save(campaign, portal, AnswerInput(question, 2, 3), version=1)
        sent = [q["sql"] for q in queries.captured_queries]
        seen: dict[str, object] = {}

        def look(_index: int) -> None:
            with selectors.in_schema(portal.a):
                answer = Answer.objects.get(assessment__campaign_id=campaign.pk)
                seen["answer"] = (answer.current_level, answer.version)
                seen["history"] = AnswerChange.objects.filter(answer=answer).count()
            participation = Participation.objects.get(campaign=campaign, municipality=portal.a)
            seen["trail"] = _trail(participation)

        assert _in_threads(1, look) == []
    # Django still logs the commit it asks for; psycopg finds the transaction ended.
    assert sent[-2].startswith('UPDATE "maturity_participation"')
    assert sent[-2].endswith("; COMMIT") and sent[-1] == "COMMIT"
    assert seen == {"answer": (2, 2), "history": 2, "trail": 2}


def test_an_autosave_inside_an_outer_transaction_leaves_the_commit_to_it(portal: Portal, committed):
    with committed():
        campaign = make_campaign(load_real_model(), [portal.a])
        question = structure_of(campaign).questions[0].id
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            _save(campaign, portal, AnswerInput(question, 1, 2))
            transaction.set_rollback(True)
        participation = Participation.objects.get(campaign=campaign, municipality=portal.a)
        with selectors.in_schema(portal.a):
            stored = Answer.objects.filter(assessment__campaign_id=campaign.pk).exists()
        trail = _trail(participation)
    assert not any("COMMIT" in q["sql"] for q in queries.captured_queries)
    assert not stored and trail == 0 and participation.answered_count == 0


@contextmanager
def _read_model_refusing_updates() -> Iterator[None]:
    """A trigger that makes the read model's UPDATE fail on this connection (a real error of
    the database in the statement that carries the COMMIT); removed afterwards."""
    table = Participation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION public.izd_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'read model refused'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER izd_test_refuse BEFORE UPDATE ON public.{table} FOR EACH ROW "
            "WHEN (current_setting('izd.test_refuse', true) = 'on') "
            "EXECUTE FUNCTION public.izd_test_refuse()"
        )
        cursor.execute("SET izd.test_refuse = 'on'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET izd.test_refuse")
            cursor.execute(f"DROP TRIGGER izd_test_refuse ON public.{table}")
            cursor.execute("DROP FUNCTION public.izd_test_refuse()")


def test_a_save_whose_read_model_update_fails_leaves_nothing_behind(portal: Portal, committed):
    """The UPDATE that carries the COMMIT fails: the server never runs the COMMIT, and the
    answer, its history and its audit entry are rolled back with it."""
    with committed():
        campaign = make_campaign(load_real_model(), [portal.a])
        question = structure_of(campaign).questions[0].id
        _save(campaign, portal, AnswerInput(question, 1, 2))
        with _read_model_refusing_updates(), pytest.raises(DatabaseError, match="refused"):
            _save(campaign, portal, AnswerInput(question, 3, 4), version=1)
        participation = Participation.objects.get(campaign=campaign, municipality=portal.a)
        with selectors.in_schema(portal.a):
            answer = Answer.objects.get(assessment__campaign_id=campaign.pk)
            history = AnswerChange.objects.filter(answer=answer).count()
        trail = _trail(participation)
        _save(campaign, portal, AnswerInput(question, 3, 4), version=1)  # works again
    assert (answer.current_level, answer.version, history, trail) == (1, 1, 1, 1)
    assert participation.answered_count == 1
