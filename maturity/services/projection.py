"""The public read model (`Participation`): an assessment's scores, written in the same
transaction as the answers they come from."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from maturity import scoring, selectors
from maturity.models import Participation
from maturity.municipal.models import Answer, Assessment
from maturity.services.rawsql import COMMIT, Statement, _in_turn, column, quote
from maturity.structure import ModelStructure


def _scores_json(scores: dict[str, Decimal | None]) -> dict[str, str | None]:
    return {key: (str(value) if value is not None else None) for key, value in scores.items()}


def _projection(
    assessment: Assessment, structure: ModelStructure, answers: Mapping[int, scoring.AnswerValue]
) -> dict[str, Any]:
    """The read-model fields of an assessment with these answers."""
    result = scoring.score(structure, answers)
    return {
        "status": Participation.Status.SUBMITTED
        if assessment.is_submitted
        else Participation.Status.STARTED,
        "dimension_scores": _scores_json(result.dimensions),
        "target_dimension_scores": _scores_json(result.target_dimensions),
        "overall_index": result.overall,
        "target_index": result.target_overall,
        "answered_count": result.answered,
        "question_count": result.total,
        "submitted_at": assessment.submitted_at,
    }


def project(
    participation: Participation, assessment: Assessment, structure: ModelStructure
) -> Participation:
    """Write the assessment's scores into the public read model (same transaction).

    For writes that hold the assessment locked exclusively (import, submit, reopen).
    """
    answers = selectors.answer_values(selectors.answers_by_question(assessment))
    for field, value in _projection(assessment, structure, answers).items():
        setattr(participation, field, value)
    participation.full_clean(
        exclude=["campaign", "municipality"], validate_unique=False, validate_constraints=False
    )
    participation.save()
    return participation


_JSON_FIELDS = ("dimension_scores", "target_dimension_scores")


@functools.cache
def _lock_and_read_sql() -> tuple[str, str]:
    """The read-model row's lock, and the answers' values read after it."""
    read_model, answers_table = quote(Participation._meta.db_table), quote(Answer._meta.db_table)
    lock = f"SELECT id FROM {read_model} WHERE id = %s FOR NO KEY UPDATE"
    read = (
        "SELECT question_id, current_level, target_level, not_relevant "
        f"FROM {answers_table} WHERE assessment_id = %s"
    )
    return lock, read


@functools.cache
def _update_sql(fields: tuple[str, ...]) -> str:
    """The read model's UPDATE of these fields (always the same ones: built once)."""
    assignments = ", ".join(
        f"{column(Participation, f)} = %s" + ("::jsonb" if f in _JSON_FIELDS else "")
        for f in fields
    )
    return f"UPDATE {quote(Participation._meta.db_table)} SET {assignments} WHERE id = %s"


def project_answers(
    cursor: CursorWrapper,
    participation: Participation,
    assessment: Assessment,
    structure: ModelStructure,
    *,
    first: tuple[Statement, ...] = (),
    commit: bool = False,
) -> frozenset[int]:
    """Write the scores into the read model after an answer save (same transaction).

    The read-model row is the one row that every colleague's save writes, so it is locked last,
    just before the commit, and held for two short statements. The answers are read by a
    statement of their own after the lock is granted; under READ COMMITTED that statement sees
    every save committed before, and a save committing later projects again after this one.
    (Reading them before the lock, or in the UPDATE that waits for it, could leave out a
    colleague's concurrent change.) Lock and read go to the server together, so that the lock
    is held for one round trip less, and with them the save's own writes (`first`), which run
    before the lock is asked for.

    With `commit`, the UPDATE takes the COMMIT along (see `rawsql.commits_on_exit`): the lock
    is then held for the Python work of the projection and a single round trip, and released
    by the server as soon as the commit is on disk, without waiting for this process again.

    Returns the answered questions, for the progress display.
    """
    lock, read = _lock_and_read_sql()
    *_written, _locked, rows = _in_turn(
        cursor, *first, (lock, [participation.pk]), (read, [assessment.pk])
    )
    answers = {
        question_id: scoring.AnswerValue(current, target, not_relevant)
        for question_id, current, target, not_relevant in rows
    }
    values = _projection(assessment, structure, answers)
    values["updated_at"] = timezone.now()
    params = [json.dumps(v) if f in _JSON_FIELDS else v for f, v in values.items()]
    update = (_update_sql(tuple(values)), [*params, participation.pk])
    _in_turn(cursor, update, *([COMMIT] if commit else []))
    for field, value in values.items():
        setattr(participation, field, value)
    return frozenset(qid for qid, answer in answers.items() if answer.is_answered)
