"""Writes of maturity.

Answers live in the municipality's schema; every write that the county pages need is projected
into the public read model (`Participation`) in the same transaction. The connection's search
path is "<tenant>, public", so both are written through one connection and commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
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
from tenants.selectors import portal_url

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
def campaign_remind(*, campaign: Campaign) -> int:
    """E-mail the digital officers of every municipality that has not submitted yet.

    Returns the number of e-mails. They are sent once the transaction has committed.
    """
    if not campaign.is_open:
        raise MaturityError("Zu einer abgeschlossenen Erhebung gibt es keine Erinnerungen.")
    pending = list(
        Participation.objects.filter(campaign=campaign)
        .exclude(status=Participation.Status.SUBMITTED)
        .select_related("municipality")
    )
    emails = selectors.digital_officer_emails([p.municipality_id for p in pending])
    messages: list[tuple[str, str, list[str]]] = []
    now = timezone.now()
    for participation in pending:
        recipients = emails.get(participation.municipality_id, [])
        if not recipients:
            continue
        link = portal_url(participation.municipality, f"/reifegrad/{campaign.pk}/")
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
    Participation.objects.bulk_update(pending, ["reminded_at"])

    def send_all() -> None:
        for subject, body, recipients in messages:
            send_mail(subject, body, None, recipients)

    transaction.on_commit(send_all)
    return sum(len(recipients) for _s, _b, recipients in messages)


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


def _editable_participation(campaign_id: int, municipality: Municipality) -> Participation:
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


def _assessment_for_update(campaign_id: int) -> Assessment:
    assessment, _created = Assessment.objects.get_or_create(campaign_id=campaign_id)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_submitted:
        raise Locked(
            "Die Selbsteinschätzung ist abgegeben und damit gesperrt. Die Koordination des "
            "Zentrums kann sie wieder öffnen."
        )
    return assessment


@transaction.atomic
def answer_save(
    *,
    campaign_id: int,
    municipality: Municipality,
    user: User,
    data: AnswerInput,
    version: int,
    answer_id: uuid.UUID | None = None,
) -> Answer:
    """Save one answer with optimistic locking.

    `version` is the version the person's form was loaded with (0 for a new answer). When the
    stored answer has another version, nothing is written and AnswerConflict carries the stored
    answer so the person can decide.
    """
    with selectors.in_schema(municipality):
        participation = _editable_participation(campaign_id, municipality)
        structure = selectors.model_structure(participation.campaign.model_version_id)
        _check_input(structure, data)
        assessment = _assessment_for_update(campaign_id)
        answer = (
            Answer.objects.select_for_update()
            .filter(assessment=assessment, question_id=data.question_id)
            .first()
        )
        if answer_id is not None and (answer is None or answer.pk != answer_id):
            raise MaturityError("Diese Antwort gehört nicht zu dieser Frage Ihrer Kommune.")
        stored_version = answer.version if answer is not None else 0
        if version != stored_version:
            if answer is None:
                raise MaturityError("Die Antwort wurde inzwischen entfernt; bitte neu laden.")
            raise AnswerConflict(answer)
        old = _answer_state(answer) if answer is not None else {}
        if answer is None:
            answer = Answer(assessment=assessment, question_id=data.question_id, version=1)
        elif old == data.as_dict():
            return answer  # nothing changed: no new version, no history entry
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
        answer.save()
        AnswerChange.objects.create(
            answer=answer, changed_by_id=user.pk, old=old, new=_answer_state(answer)
        )
        _project(participation, assessment, structure)
    return answer


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


def _project(
    participation: Participation, assessment: Assessment, structure: ModelStructure
) -> Participation:
    """Write the assessment's scores into the public read model (same transaction)."""
    answers = selectors.answer_values(selectors.answers_by_question(assessment))
    result = scoring.score(structure, answers)
    participation.status = (
        Participation.Status.SUBMITTED if assessment.is_submitted else Participation.Status.STARTED
    )
    participation.dimension_scores = _scores_json(result.dimensions)
    participation.target_dimension_scores = _scores_json(result.target_dimensions)
    participation.overall_index = result.overall
    participation.target_index = result.target_overall
    participation.answered_count = result.answered
    participation.question_count = result.total
    participation.submitted_at = assessment.submitted_at
    participation.full_clean(
        exclude=["campaign", "municipality"], validate_unique=False, validate_constraints=False
    )
    participation.save()
    return participation


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
    return assessment
