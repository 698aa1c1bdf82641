"""A municipality's answers: the autosave of one answer, import, submit and reopen.

The autosave (`answer_save`) is the hot path; see `rawsql` for why it speaks SQL.

Long because saving, importing, submitting and reopening share one locking order on the
assessment and write the audit trail alongside; read together they show that no save slips past a
submission.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from izd.audit import recording as audit
from maturity import scoring, selectors
from maturity.errors import AnswerConflict, Locked, MaturityError, NotFound
from maturity.models import Campaign, Participation
from maturity.municipal.models import Answer, AnswerChange, Assessment
from maturity.services.campaigns import mail_reopened
from maturity.services.projection import project, project_answers
from maturity.services.rawsql import (
    Statement,
    _in_turn,
    column,
    commits_on_exit,
    instance,
    quote,
    select_one,
    select_sql,
)
from maturity.structure import ModelStructure
from tenants.models import Municipality, User


@dataclass(frozen=True)
class AnswerInput:
    question_id: int
    current_level: int | None
    target_level: int | None
    not_relevant: bool = False
    comment: str = ""
    evidence_url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "current_level": self.current_level,
            "target_level": self.target_level,
            "not_relevant": self.not_relevant,
            "comment": self.comment,
            "evidence_url": self.evidence_url,
        }


FIELDS = ("current_level", "target_level", "not_relevant", "comment", "evidence_url")


def _answer_state(answer: Answer) -> dict[str, Any]:
    return {field: getattr(answer, field) for field in FIELDS}


def _editable(participation: Participation | None) -> Participation:
    """The municipality's participation, if it takes part and the campaign is open."""
    if participation is None:
        raise NotFound("Ihre Kommune nimmt an dieser Erhebung nicht teil.")
    if not participation.campaign.is_open:
        raise Locked(
            "Diese Erhebung ist abgeschlossen; Antworten können nicht mehr geändert werden."
        )
    return participation


def _editable_participation(campaign_id: int, municipality: Municipality) -> Participation:
    return _editable(selectors.participation_get(campaign_id, municipality))


def _check_input(structure: ModelStructure, data: AnswerInput) -> None:
    question = structure.question(data.question_id)
    if question is None:
        raise NotFound("Diese Frage gehört nicht zum Modell dieser Erhebung.")
    for value in (data.current_level, data.target_level):
        if value is not None and not 0 <= value <= scoring.MAX_LEVEL:
            raise MaturityError("Die Stufe muss zwischen 0 und 4 liegen.")
    if data.not_relevant and not question.allow_not_relevant:
        raise MaturityError("Diese Frage kann nicht als „nicht relevant“ markiert werden.")
    if (
        data.current_level is not None
        and data.target_level is not None
        and data.target_level < data.current_level
    ):
        raise MaturityError("Die Soll-Stufe darf nicht unter der Ist-Stufe liegen.")


SUBMITTED_MESSAGE = (
    "Die Selbsteinschätzung ist abgegeben und damit gesperrt. Die Koordination des "
    "Zentrums kann sie wieder öffnen."
)


def _assessment_for_update(campaign_id: int) -> Assessment:
    """The assessment, locked exclusively (submit, reopen, import): waits for running saves."""
    assessment, _created = Assessment.objects.get_or_create(campaign_id=campaign_id)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_submitted:
        raise Locked(SUBMITTED_MESSAGE)
    return assessment


@functools.cache
def _participation_sql() -> str:
    """The municipality's participation in a campaign with the campaign, in one row."""
    p, c = quote(Participation._meta.db_table), quote(Campaign._meta.db_table)
    columns = [f"{p}.{column(Participation, f.name)}" for f in Participation._meta.concrete_fields]
    columns += [f"{c}.{column(Campaign, f.name)}" for f in Campaign._meta.concrete_fields]
    campaign = column(Participation, "campaign")
    return (
        f"SELECT {', '.join(columns)} FROM {p} JOIN {c} ON {c}.{column(Campaign, 'id')} = "
        f"{p}.{campaign} WHERE {p}.{campaign} = %s AND {p}.{column(Participation, 'municipality')}"
        " = %s"
    )


def _participation_of(row: tuple[Any, ...] | None) -> Participation | None:
    participation = instance(Participation, row)
    if participation is not None and row is not None:
        campaign = instance(Campaign, row[len(Participation._meta.concrete_fields) :])
        Participation._meta.get_field("campaign").set_cached_value(participation, campaign)
    return participation


@dataclass
class _Rows:
    """What an autosave reads first: the participation, then the locked assessment and answer."""

    participation: Participation | None
    assessment: Assessment | None
    answer: Answer | None


@functools.cache
def _lock_sql() -> tuple[str, str]:
    """The campaign's assessment locked FOR SHARE, and its answer to a question FOR UPDATE."""
    where = (
        f"assessment_id = (SELECT id FROM {quote(Assessment._meta.db_table)} "
        "WHERE campaign_id = %s) AND question_id = %s"
    )
    return (
        select_sql(Assessment, "campaign_id = %s", "FOR SHARE"),
        select_sql(Answer, where, "FOR UPDATE"),
    )


def _read_and_lock(
    cursor: CursorWrapper,
    campaign_id: int,
    municipality: Municipality,
    question_id: int,
    participation: Participation | None,
) -> _Rows:
    """The participation with its campaign (unless `participation` is it already), the
    assessment, locked FOR SHARE, and then its answer to the question, locked FOR UPDATE
    (None while there is none), in one round trip and in this order.

    Colleagues saving different answers hold the assessment's lock side by side, so their
    saves do not queue behind each other. Submitting and reopening lock the row FOR UPDATE,
    which waits for running saves, and a save that starts meanwhile waits for them and then
    sees the new status. The caller checks the participation before it uses the rest.
    """
    statements: list[Statement] = []
    known = participation is not None and (
        participation.campaign_id == campaign_id
        and participation.municipality_id == municipality.pk
    )
    if not known:
        statements.append((_participation_sql(), [campaign_id, municipality.pk]))
    assessment_sql, answer_sql = _lock_sql()
    statements.append((assessment_sql, [campaign_id]))
    statements.append((answer_sql, [campaign_id, question_id]))
    results = [rows[0] if rows else None for rows in _in_turn(cursor, *statements)]
    if not known:
        participation = _participation_of(results.pop(0))
    return _Rows(participation, instance(Assessment, results[0]), instance(Answer, results[1]))


def _first_assessment(
    cursor: CursorWrapper, participation: Participation, campaign_id: int, question_id: int
) -> _Rows:
    """The first answer of this assessment: create it, then lock as `_read_and_lock` does."""
    Assessment.objects.get_or_create(campaign_id=campaign_id)
    where, params = "campaign_id = %s", [campaign_id]
    assessment = select_one(cursor, Assessment, where, params, "FOR SHARE")
    assert assessment is not None
    answer = select_one(
        cursor,
        Answer,
        "assessment_id = %s AND question_id = %s",
        [assessment.pk, question_id],
        "FOR UPDATE",
    )
    return _Rows(participation, assessment, answer)


def _insert_answer(answer: Answer) -> None:
    """Insert a new answer; when a colleague created the same one meanwhile, that is a conflict.

    Two first saves of one question do not queue on the assessment: the unique constraint
    makes the second insert wait for the first transaction and then fail.
    """
    try:
        with transaction.atomic():
            answer.save(force_insert=True)
    except IntegrityError:
        current = Answer.objects.filter(
            assessment_id=answer.assessment_id, question_id=answer.question_id
        ).first()
        if current is None:
            raise
        raise AnswerConflict(current) from None


_ANSWER_UPDATE_FIELDS = (*FIELDS, "version", "updated_by_id", "updated_at")


@functools.cache
def _update_sql() -> str:
    assignments = ", ".join(f"{column(Answer, name)} = %s" for name in _ANSWER_UPDATE_FIELDS)
    return f"UPDATE {quote(Answer._meta.db_table)} SET {assignments} WHERE id = %s"


def _update_statement(answer: Answer) -> Statement:
    return (
        _update_sql(),
        [getattr(answer, name) for name in _ANSWER_UPDATE_FIELDS] + [answer.pk],
    )


_RECORD_CHANGE_SQL = (
    f"INSERT INTO {quote(AnswerChange._meta.db_table)} "
    "(answer_id, changed_by_id, changed_at, old, new) "
    "VALUES (%s, %s, %s, %s::jsonb, %s::jsonb)"
)


def _change_statement(answer: Answer, user_id: int, old: dict[str, Any]) -> Statement:
    """The history entry: who changed the answer when, from what to what."""
    return _RECORD_CHANGE_SQL, [
        answer.pk,
        user_id,
        timezone.now(),
        json.dumps(old),
        json.dumps(_answer_state(answer)),
    ]


@dataclass(frozen=True)
class SavedAnswer:
    """A saved answer, its participation (with the campaign) and, for the progress display,
    the questions answered after the save.

    `answered` is None when nothing changed (then the answers were not read).
    """

    answer: Answer
    answered: frozenset[int] | None
    participation: Participation


@transaction.atomic
def answer_save(
    *,
    campaign_id: int,
    municipality: Municipality,
    user: User,
    data: AnswerInput,
    version: int,
    answer_id: uuid.UUID | None = None,
    participation: Participation | None = None,
) -> SavedAnswer:
    """Save one answer with optimistic locking.

    `version` is the version the person's form was loaded with (0 for a new answer). When the
    stored answer has another version, nothing is written and AnswerConflict carries the stored
    answer so the person can decide. `participation` may pass the row the caller has already
    read (with its campaign); otherwise it is read together with the first locks.

    Locks, always in this order: the assessment FOR SHARE (against submit and reopen), the
    answer row (against a colleague saving the same answer), and last, just before the commit,
    the read-model row (see `project_answers`). Saves of different answers thus run in
    parallel and queue only for the short projection at the end. The answer, its history entry
    and the audit entry go to the database in the round trip that asks for that last lock.
    """
    with selectors.in_schema(municipality), connection.cursor() as cursor:
        rows = _read_and_lock(cursor, campaign_id, municipality, data.question_id, participation)
        participation = _editable(rows.participation)
        structure = selectors.model_structure(participation.campaign.model_version_id)
        _check_input(structure, data)
        if rows.assessment is None:  # the first answer of this assessment
            rows = _first_assessment(cursor, participation, campaign_id, data.question_id)
        assessment, answer = rows.assessment, rows.answer
        assert assessment is not None
        if assessment.is_submitted:
            raise Locked(SUBMITTED_MESSAGE)
        if answer_id is not None and (answer is None or answer.pk != answer_id):
            raise MaturityError("Diese Antwort gehört nicht zu dieser Frage Ihrer Kommune.")
        stored_version = answer.version if answer is not None else 0
        if version != stored_version:
            if answer is None:
                raise MaturityError("Die Antwort wurde inzwischen entfernt; bitte neu laden.")
            raise AnswerConflict(answer)
        old = _answer_state(answer) if answer is not None else {}
        creating = answer is None
        if answer is None:
            answer = Answer(assessment=assessment, question_id=data.question_id, version=1)
        elif old == data.as_dict():
            # Nothing changed: no new version, no history.
            return SavedAnswer(answer, None, participation)
        else:
            answer.version += 1
        for field, value in data.as_dict().items():
            setattr(answer, field, value)
        if answer.not_relevant:
            answer.current_level = None
            answer.target_level = None
        answer.updated_by_id = user.pk
        # The row is locked and its uniqueness enforced by the database: skip the extra queries.
        answer.full_clean(exclude=["assessment"], validate_unique=False, validate_constraints=False)
        written: list[Statement] = []
        if creating:
            _insert_answer(answer)
        else:
            answer.updated_at = timezone.now()
            written.append(_update_statement(answer))
        written.append(_change_statement(answer, user.pk, old))
        states = {data.question_id: (old, _answer_state(answer))}
        entry = _answers_entry("answer_save", participation, municipality, user, structure, states)
        written.append(audit.insert_statement(audit.prepare(**entry)))
        # The transaction's last statement: it takes the COMMIT along where it can.
        commit = commits_on_exit()
        answered = project_answers(
            cursor, participation, assessment, structure, first=(*written,), commit=commit
        )
    return SavedAnswer(answer, answered, participation)


_ANSWER_LABELS = {
    "current_level": "Ist-Stufe",
    "target_level": "Soll-Stufe",
    "not_relevant": "nicht relevant",
    "comment": "Kommentar",
    "evidence_url": "Nachweis",
}


QUESTION_CHARS = 50  # of a question's text in the trail, in whole words: enough to know it


def _question_name(structure: ModelStructure, question_id: int) -> str:
    """'Frage 1.2 „Ist eine Person oder Stelle ausdrücklich für die Steuerung …“', as the
    assessment numbers and words it."""
    question = structure.question(question_id)
    if question is None:  # not in this model version: only the id is left to show
        return f"Frage {question_id}"
    words = question.text.split()
    shown: list[str] = []
    for word in words:
        shown.append(word)
        if len(" ".join(shown)) >= QUESTION_CHARS:
            break
    text = " ".join(shown) + (" …" if len(shown) < len(words) else "")
    return f"Frage {structure.question_number(question_id)} „{text}“"


def _levels_named(structure: ModelStructure, state: Mapping[str, Any]) -> dict[str, Any]:
    """An answer's values with its levels named as the answer's history shows them
    ("2 – definiert", see pages.answer_display)."""
    named = dict(state)
    for field in ("current_level", "target_level"):
        value = named.get(field)
        if isinstance(value, int):
            named[field] = f"{value} – {structure.level_label(value)}"
    return named


def _answers_entry(
    action: str,
    participation: Participation,
    municipality: Municipality,
    user: User | None,
    structure: ModelStructure,
    states: Mapping[int, tuple[Mapping[str, Any], Mapping[str, Any]]],
    summary: str = "",
) -> dict[str, Any]:
    """The answers' audit entry, on the municipality's participation in the campaign (its page
    in the county view and its results page show it).

    A question is named as the assessment shows it (its number and the start of its text),
    levels with their names; the question's internal key goes along as the rows' key only.
    """
    rows = []
    for question_id, (old, new) in states.items():
        name = _question_name(structure, question_id)
        question = structure.question(question_id)
        key = question.key if question is not None else str(question_id)
        rows += audit.diff(
            _levels_named(structure, old), _levels_named(structure, new),
            labels={field: f"{name}: {label}" for field, label in _ANSWER_LABELS.items()},
            keys=dict.fromkeys(_ANSWER_LABELS, key),
        )  # fmt: skip
    campaign = participation.campaign
    return {
        "action": action,
        "kind": audit.Kind.ASSESSMENT,
        "summary": summary
        or f"Antwort gespeichert: {', '.join(_question_name(structure, q) for q in states)}",
        "target": participation,
        "object_label": f"Erhebung „{campaign.name}“: {municipality.name}",
        "changes": rows,
        "municipality": municipality,
        "actor": audit.UNSET if user is None else user,
    }


@transaction.atomic
def answers_import(
    *,
    campaign_id: int,
    municipality: Municipality,
    user: User | None,
    values: Mapping[int, AnswerInput],
    submit: bool = False,
) -> Assessment:
    """Set many answers at once (demo data, imports), with history, then project once."""
    with selectors.in_schema(municipality):
        participation = _editable_participation(campaign_id, municipality)
        structure = selectors.model_structure(participation.campaign.model_version_id)
        for data in values.values():
            _check_input(structure, data)
        assessment = _assessment_for_update(campaign_id)
        user_id = user.pk if user else None
        existing = selectors.answers_by_question(assessment)
        states: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        for question_id, data in values.items():
            answer = existing.get(question_id) or Answer(
                assessment=assessment, question_id=question_id, version=0
            )
            old = _answer_state(answer) if answer.version else {}
            for field, value in data.as_dict().items():
                setattr(answer, field, value)
            answer.version += 1
            answer.updated_by_id = user_id
            answer.full_clean(exclude=["assessment"])
            answer.save()
            AnswerChange.objects.create(
                answer=answer, changed_by_id=user_id, old=old, new=_answer_state(answer)
            )
            states[question_id] = (old, _answer_state(answer))
        audit.record(**_answers_entry(
            "answers_import", participation, municipality, user, structure, states,
            f"{len(states)} Antworten übernommen",
        ))  # fmt: skip
        if submit:
            _submit(assessment, participation, structure, user_id)
        else:
            project(participation, assessment, structure)
    return assessment


def _submit(
    assessment: Assessment,
    participation: Participation,
    structure: ModelStructure,
    user_id: int | None,
) -> None:
    answers = selectors.answers_by_question(assessment)
    missing = [
        q for q in structure.questions if not (q.id in answers and answers[q.id].is_answered)
    ]
    if missing:
        raise MaturityError(
            f"Es sind noch {len(missing)} Fragen offen. Bitte beantworten Sie alle Fragen "
            "(oder markieren Sie sie als „nicht relevant“), bevor Sie abgeben."
        )
    before = assessment.get_status_display()
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by_id = user_id
    assessment.full_clean()
    assessment.save()
    project(participation, assessment, structure)
    _record_status("assessment_submit", participation, assessment, before, "abgegeben", user_id)


def _record_status(
    action: str,
    participation: Participation,
    assessment: Assessment,
    before: str,
    summary: str,
    user_id: int | None = None,
) -> None:
    municipality = participation.municipality
    audit.record(
        action=action,
        kind=audit.Kind.ASSESSMENT,
        summary=f"Selbsteinschätzung {summary}: „{participation.campaign.name}“",
        target=participation,
        object_label=f"Erhebung „{participation.campaign.name}“: {municipality.name}",
        changes=[
            {"field": "Status", "before": before, "after": assessment.get_status_display()},
            *([{"field": "Index", "before": "",
                "after": audit.display(participation.overall_index)}]
              if participation.overall_index is not None else []),
        ],
        municipality=municipality,
        actor=audit.UNSET if user_id is None else User.objects.filter(pk=user_id).first(),
    )  # fmt: skip


@transaction.atomic
def assessment_submit(*, campaign_id: int, municipality: Municipality, user: User) -> Assessment:
    """Submit: checks that every question is answered, then locks the assessment."""
    with selectors.in_schema(municipality):
        participation = _editable_participation(campaign_id, municipality)
        structure = selectors.model_structure(participation.campaign.model_version_id)
        assessment = _assessment_for_update(campaign_id)
        _submit(assessment, participation, structure, user.pk)
    return assessment


@transaction.atomic
def assessment_reopen(*, campaign: Campaign, municipality: Municipality) -> Assessment:
    """The coordinator reopens a submitted assessment (from the Kreis domain or the subdomain)."""
    with selectors.in_schema(municipality):
        participation = selectors.participation_get(campaign.pk, municipality)
        if participation is None:
            raise NotFound("Diese Kommune nimmt an der Erhebung nicht teil.")
        if not participation.campaign.is_open:
            raise Locked(
                "Die Erhebung ist abgeschlossen; Abgaben können nicht mehr geöffnet werden."
            )
        assessment = Assessment.objects.select_for_update().filter(campaign_id=campaign.pk).first()
        if assessment is None or not assessment.is_submitted:
            raise MaturityError("Diese Selbsteinschätzung ist nicht abgegeben.")
        before = assessment.get_status_display()
        assessment.status = Assessment.Status.IN_PROGRESS
        assessment.submitted_at = None
        assessment.submitted_by_id = None
        assessment.reopened_at = timezone.now()
        assessment.full_clean()
        assessment.save()
        structure = selectors.model_structure(campaign.model_version_id)
        project(participation, assessment, structure)
        _record_status("assessment_reopen", participation, assessment, before, "wieder geöffnet")
    mail_reopened(campaign, municipality)
    return assessment
