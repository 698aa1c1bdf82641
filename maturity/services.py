"""Writes of maturity.

Answers live in the municipality's schema; every write that the county pages need is projected
into the public read model (`Participation`) in the same transaction. The connection's search
path is "<tenant>, public", so both are written through one connection and commit together.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import psycopg
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.formats import date_format

from maturity import scoring, selectors
from maturity.loader import ModelDef
from maturity.models import (
    Campaign,
    Dimension,
    LevelDescriptor,
    ModelVersion,
    Participation,
    Question,
)
from maturity.municipal.models import Answer, AnswerChange, Assessment
from maturity.structure import ModelStructure
from tenants.models import Municipality, User
from tenants.selectors import portal_url, portal_urls

# --- errors ---------------------------------------------------------------------------------


class MaturityError(ValidationError):
    """A refused write, with a German message for the person; `status` is the HTTP status."""

    status = 400


class NotFound(MaturityError):
    status = 404


class Locked(MaturityError):
    status = 423


class AnswerConflict(Exception):
    """Somebody else saved this answer since the form was loaded; nothing was written."""

    def __init__(self, current: Answer) -> None:
        super().__init__("answer changed meanwhile")
        self.current = current


# --- the model ------------------------------------------------------------------------------


@transaction.atomic
def model_version_load(*, definition: ModelDef) -> tuple[ModelVersion, bool]:
    """Store a model version; the same key and version again changes nothing.

    Returns the version and whether it was created. A version is never changed once stored:
    a different content under an existing version number is refused.
    """
    existing = ModelVersion.objects.filter(key=definition.key, version=definition.version).first()
    if existing is not None:
        if existing.checksum != definition.checksum:
            raise MaturityError(
                f"Version {definition.version} von „{definition.key}“ ist schon mit anderem "
                "Inhalt geladen. Eine geladene Version wird nie geändert: bitte die "
                "Versionsnummer in der Datei erhöhen."
            )
        return existing, False
    version = ModelVersion(
        key=definition.key,
        version=definition.version,
        title=definition.title,
        description=definition.description,
        levels=list(definition.levels),
        checksum=definition.checksum,
    )
    version.full_clean()
    version.save()
    for position, dim in enumerate(definition.dimensions, start=1):
        dimension = Dimension(
            model_version=version,
            key=dim.key,
            title=dim.title,
            description=dim.description,
            weight=dim.weight,
            position=position,
        )
        dimension.full_clean()
        dimension.save()
        for q_position, q in enumerate(dim.questions, start=1):
            question = Question(
                dimension=dimension,
                key=q.key,
                text=q.text,
                help=q.help,
                weight=q.weight,
                allow_not_relevant=q.allow_not_relevant,
                position=q_position,
            )
            question.full_clean()
            question.save()
            descriptors = [
                LevelDescriptor(
                    question=question,
                    level=level,
                    description=q.levels[level],
                    measure=q.measures[level] if level < len(q.measures) else "",
                )
                for level in range(5)
            ]
            for descriptor in descriptors:
                descriptor.full_clean(exclude=["question"])
            LevelDescriptor.objects.bulk_create(descriptors)
    return version, True


# --- campaigns ------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    name: str,
    start_date: date,
    end_date: date,
    model_version: ModelVersion,
    municipalities: Iterable[Municipality],
) -> Campaign:
    campaign = Campaign(
        name=name, start_date=start_date, end_date=end_date, model_version=model_version
    )
    campaign.full_clean()
    campaign.save()
    question_count = len(selectors.model_structure(model_version.pk).questions)
    participations = [
        Participation(campaign=campaign, municipality=m, question_count=question_count)
        for m in municipalities
        if not m.is_kreis
    ]
    if not participations:
        raise MaturityError("Bitte mindestens eine teilnehmende Kommune auswählen.")
    Participation.objects.bulk_create(participations)
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise MaturityError("Diese Erhebung ist schon abgeschlossen.")
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now()
    campaign.full_clean()
    campaign.save(update_fields=["status", "closed_at"])
    return campaign


@transaction.atomic
@dataclass(frozen=True)
class Reminders:
    """What a round of reminders did: municipalities reminded, e-mails sent, and the
    municipalities that could not be reminded because nobody there is digital officer."""

    municipalities: int
    emails: int
    without_officer: tuple[str, ...]


def campaign_remind(*, campaign: Campaign) -> Reminders:
    """E-mail the digital officers of every municipality that has not submitted yet.

    They are sent once the transaction has committed.
    """
    if not campaign.is_open:
        raise MaturityError("Zu einer abgeschlossenen Erhebung gibt es keine Erinnerungen.")
    pending = list(
        Participation.objects.filter(campaign=campaign)
        .exclude(status=Participation.Status.SUBMITTED)
        .select_related("municipality")
        .order_by("municipality__name")
    )
    emails = selectors.digital_officer_emails([p.municipality_id for p in pending])
    links = portal_urls([p.municipality for p in pending], f"/reifegrad/{campaign.pk}/")
    messages: list[tuple[str, str, list[str]]] = []
    without_officer: list[str] = []
    reminded: list[Participation] = []
    now = timezone.now()
    for participation in pending:
        recipients = emails.get(participation.municipality_id, [])
        if not recipients:
            without_officer.append(participation.municipality.name)
            continue
        link = links[participation.municipality_id]
        status = participation.get_status_display()
        body = (
            f"Guten Tag,\n\nfür {participation.municipality.name} ist die Selbsteinschätzung "
            f"zur Erhebung „{campaign.name}“ noch nicht abgegeben (Stand: {status}, "
            f"{participation.answered_count} von {participation.question_count} Fragen "
            f"beantwortet).\n\nBitte geben Sie sie bis zum "
            f"{date_format(campaign.end_date, 'd.m.Y')} ab:\n{link}\n\n"
            "Mit freundlichen Grüßen\nIhre Koordination des Zentrums"
        )
        messages.append((f"Erinnerung: {campaign.name}", body, recipients))
        participation.reminded_at = now
        reminded.append(participation)
    Participation.objects.bulk_update(reminded, ["reminded_at"])

    def send_all() -> None:
        for subject, body, recipients in messages:
            send_mail(subject, body, None, recipients)

    transaction.on_commit(send_all)
    return Reminders(
        municipalities=len(messages),
        emails=sum(len(recipients) for _s, _b, recipients in messages),
        without_officer=tuple(without_officer),
    )


# --- answers --------------------------------------------------------------------------------


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


def _editable_participation(
    campaign_id: int, municipality: Municipality, known: Participation | None = None
) -> Participation:
    """The municipality's participation in an open campaign; `known` is one already read."""
    participation = known
    matches = participation is not None and (
        participation.campaign_id == campaign_id
        and participation.municipality_id == municipality.pk
    )
    if not matches:
        participation = selectors.participation_get(campaign_id, municipality)
    if participation is None:
        raise NotFound("Ihre Kommune nimmt an dieser Erhebung nicht teil.")
    if not participation.campaign.is_open:
        raise Locked(
            "Diese Erhebung ist abgeschlossen; Antworten können nicht mehr geändert werden."
        )
    return participation


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


# --- one answer save: the hot path --------------------------------------------------------
#
# An autosave runs for every change a person makes, often by several colleagues at once. It
# therefore runs its statements on one cursor as plain SQL (the ORM's query building cost more
# than the database work, and django-tenants sets the search path again for every cursor),
# while the rows are still read into and validated as model instances.

ModelT = TypeVar("ModelT", bound=models.Model)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return _quote(field.column)


def _select_one(
    cursor: CursorWrapper, model: type[ModelT], where: str, params: list[Any], lock: str
) -> ModelT | None:
    """One row as a model instance; `where` names columns, `lock` is FOR SHARE / FOR UPDATE."""
    fields = model._meta.concrete_fields
    columns = ", ".join(_column(model, f.name) for f in fields)
    table = _quote(model._meta.db_table)
    cursor.execute(f"SELECT {columns} FROM {table} WHERE {where} {lock}", params)
    row = cursor.fetchone()
    if row is None:
        return None
    return model.from_db(connection.alias, [f.attname for f in fields], row)


def _assessment_for_answer(cursor: CursorWrapper, campaign_id: int) -> Assessment:
    """The assessment, locked FOR SHARE for saving one answer.

    Colleagues saving different answers hold this lock side by side, so their saves do not
    queue behind each other. Submitting and reopening lock the row FOR UPDATE, which waits for
    running saves, and a save that starts meanwhile waits for them and then sees the new status.
    """
    where, params = "campaign_id = %s", [campaign_id]
    assessment = _select_one(cursor, Assessment, where, params, "FOR SHARE")
    if assessment is None:  # the first answer of this assessment
        Assessment.objects.get_or_create(campaign_id=campaign_id)
        assessment = _select_one(cursor, Assessment, where, params, "FOR SHARE")
        assert assessment is not None
    if assessment.is_submitted:
        raise Locked(SUBMITTED_MESSAGE)
    return assessment


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


def _update_answer(cursor: CursorWrapper, answer: Answer) -> None:
    assignments = ", ".join(f"{_column(Answer, name)} = %s" for name in _ANSWER_UPDATE_FIELDS)
    cursor.execute(
        f"UPDATE {_quote(Answer._meta.db_table)} SET {assignments} WHERE id = %s",
        [getattr(answer, name) for name in _ANSWER_UPDATE_FIELDS] + [answer.pk],
    )


def _record_change(
    cursor: CursorWrapper, answer: Answer, user_id: int, old: dict[str, Any]
) -> None:
    """The history entry: who changed the answer when, from what to what."""
    cursor.execute(
        f"INSERT INTO {_quote(AnswerChange._meta.db_table)} "
        "(answer_id, changed_by_id, changed_at, old, new) "
        "VALUES (%s, %s, %s, %s::jsonb, %s::jsonb)",
        [answer.pk, user_id, timezone.now(), json.dumps(old), json.dumps(_answer_state(answer))],
    )


@dataclass(frozen=True)
class SavedAnswer:
    """A saved answer and, for the progress display, the questions answered after the save.

    `answered` is None when nothing changed (then the answers were not read).
    """

    answer: Answer
    answered: frozenset[int] | None


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
    read (with its campaign) to save a query.

    Locks, always in this order: the assessment FOR SHARE (against submit and reopen), the
    answer row (against a colleague saving the same answer), and last, just before the commit,
    the read-model row (see `_project_answers`). Saves of different answers thus run in
    parallel and queue only for the short projection at the end.
    """
    with selectors.in_schema(municipality), connection.cursor() as cursor:
        participation = _editable_participation(campaign_id, municipality, participation)
        structure = selectors.model_structure(participation.campaign.model_version_id)
        _check_input(structure, data)
        assessment = _assessment_for_answer(cursor, campaign_id)
        answer = _select_one(
            cursor,
            Answer,
            "assessment_id = %s AND question_id = %s",
            [assessment.pk, data.question_id],
            "FOR UPDATE",
        )
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
            return SavedAnswer(answer, None)  # nothing changed: no new version, no history
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
        if creating:
            _insert_answer(answer)
        else:
            answer.updated_at = timezone.now()
            _update_answer(cursor, answer)
        _record_change(cursor, answer, user.pk, old)
        answered = _project_answers(cursor, participation, assessment, structure)
    return SavedAnswer(answer, answered)


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
        if submit:
            _submit(assessment, participation, structure, user_id)
        else:
            _project(participation, assessment, structure)
    return assessment


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


def _project(
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


def _execute_in_turn(cursor: CursorWrapper, *statements: tuple[str, list[Any]]) -> None:
    """Run statements one after the other, in one round trip where the driver allows it.

    With client-side parameter binding (Django's default for psycopg 3) several statements
    can be sent as one query string; the server still runs them one by one, each with a
    snapshot of its own. The cursor is left on the last statement's result.
    """
    raw = cursor.cursor
    if isinstance(raw, psycopg.Cursor) and not isinstance(raw, psycopg.ClientCursor):
        for sql, params in statements:  # server-side binding: one statement per query
            cursor.execute(sql, params)
        return
    cursor.execute(
        "; ".join(sql for sql, _params in statements),
        [param for _sql, params in statements for param in params],
    )
    for _more in statements[1:]:
        cursor.nextset()


def _project_answers(
    cursor: CursorWrapper,
    participation: Participation,
    assessment: Assessment,
    structure: ModelStructure,
) -> frozenset[int]:
    """Write the scores into the read model after an answer save (same transaction).

    The read-model row is the one row that every colleague's save writes, so it is locked last,
    just before the commit, and held for two short statements. The answers are read by a
    statement of their own after the lock is granted; under READ COMMITTED that statement sees
    every save committed before, and a save committing later projects again after this one.
    (Reading them before the lock, or in the UPDATE that waits for it, could leave out a
    colleague's concurrent change.) Lock and read go to the server together, so that the lock
    is held for one round trip less.

    Returns the answered questions, for the progress display.
    """
    read_model, answers_table = _quote(Participation._meta.db_table), _quote(Answer._meta.db_table)
    lock = f"SELECT id FROM {read_model} WHERE id = %s FOR NO KEY UPDATE"
    read = (
        "SELECT question_id, current_level, target_level, not_relevant "
        f"FROM {answers_table} WHERE assessment_id = %s"
    )
    _execute_in_turn(cursor, (lock, [participation.pk]), (read, [assessment.pk]))
    answers = {
        question_id: scoring.AnswerValue(current, target, not_relevant)
        for question_id, current, target, not_relevant in cursor.fetchall()
    }
    values = _projection(assessment, structure, answers)
    values["updated_at"] = timezone.now()
    assignments = ", ".join(
        f"{_column(Participation, f)} = %s" + ("::jsonb" if f in _JSON_FIELDS else "")
        for f in values
    )
    params = [json.dumps(v) if f in _JSON_FIELDS else v for f, v in values.items()]
    cursor.execute(
        f"UPDATE {read_model} SET {assignments} WHERE id = %s",
        [*params, participation.pk],
    )
    for field, value in values.items():
        setattr(participation, field, value)
    return frozenset(qid for qid, answer in answers.items() if answer.is_answered)


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
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by_id = user_id
    assessment.full_clean()
    assessment.save()
    _project(participation, assessment, structure)


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
        assessment.status = Assessment.Status.IN_PROGRESS
        assessment.submitted_at = None
        assessment.submitted_by_id = None
        assessment.reopened_at = timezone.now()
        assessment.full_clean()
        assessment.save()
        structure = selectors.model_structure(campaign.model_version_id)
        _project(participation, assessment, structure)
    _mail_reopened(campaign, municipality)
    return assessment


def _mail_reopened(campaign: Campaign, municipality: Municipality) -> None:
    """The officers learn that their submission is open again, and where to continue."""
    recipients = selectors.digital_officer_emails([municipality.pk]).get(municipality.pk, [])
    if not recipients:
        return
    link = portal_url(municipality, f"/reifegrad/{campaign.pk}/")
    body = (
        f"Guten Tag,\n\ndie Koordination des Zentrums hat die abgegebene Selbsteinschätzung "
        f"von {municipality.name} zur Erhebung „{campaign.name}“ wieder geöffnet. Sie können "
        f"Ihre Antworten ergänzen oder ändern und sie bis zum "
        f"{date_format(campaign.end_date, 'd.m.Y')} erneut abgeben:\n{link}\n\n"
        "Mit freundlichen Grüßen\nIhre Koordination des Zentrums"
    )
    subject = f"Wieder geöffnet: {campaign.name}"
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
