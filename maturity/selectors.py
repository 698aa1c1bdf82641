"""Reads of maturity: the model, campaigns, a municipality's answers and the county read model."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet

from maturity import scoring
from maturity.models import Campaign, Dimension, LevelDescriptor, ModelVersion, Participation
from maturity.municipal.models import Answer, AnswerChange, Assessment
from maturity.structure import DimensionInfo, LevelInfo, ModelStructure, QuestionInfo
from tenants.models import Membership, Municipality, User

# --- the model ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def model_structure(version_id: int) -> ModelStructure:
    """The whole model version in memory (three queries, then cached: versions never change)."""
    version = ModelVersion.objects.get(pk=version_id)
    descriptors: dict[int, dict[int, LevelDescriptor]] = {}
    for descriptor in LevelDescriptor.objects.filter(question__dimension__model_version=version):
        descriptors.setdefault(descriptor.question_id, {})[descriptor.level] = descriptor
    dimensions = []
    for dimension in Dimension.objects.filter(model_version=version).prefetch_related("questions"):
        questions = tuple(
            QuestionInfo(
                id=q.pk,
                key=q.key,
                text=q.text,
                help=q.help,
                weight=q.weight,
                allow_not_relevant=q.allow_not_relevant,
                levels=tuple(descriptors[q.pk][lv].description for lv in range(5)),
                measures=tuple(descriptors[q.pk][lv].measure for lv in range(4)),
                dimension_key=dimension.key,
            )
            for q in sorted(dimension.questions.all(), key=lambda q: q.position)
        )
        dimensions.append(
            DimensionInfo(
                id=dimension.pk,
                key=dimension.key,
                title=dimension.title,
                description=dimension.description,
                weight=dimension.weight,
                position=dimension.position,
                questions=questions,
            )
        )
    return ModelStructure(
        version_id=version.pk,
        key=version.key,
        version=version.version,
        title=version.title,
        levels=tuple(
            LevelInfo(int(lv["value"]), lv["label"], lv.get("description", ""))
            for lv in version.levels
        ),
        dimensions=tuple(sorted(dimensions, key=lambda d: d.position)),
    )


def model_versions() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.order_by("key", "-loaded_at")


# --- campaigns ------------------------------------------------------------------------------


def campaign_list() -> QuerySet[Campaign]:
    return (
        Campaign.objects.select_related("model_version")
        .annotate(
            participant_count=Count("participations"),
            started_count=Count(
                "participations", filter=Q(participations__status=Participation.Status.STARTED)
            ),
            submitted_count=Count(
                "participations", filter=Q(participations__status=Participation.Status.SUBMITTED)
            ),
        )
        .order_by("-start_date", "-pk")
    )


def campaign_get(campaign_id: int) -> Campaign | None:
    return Campaign.objects.select_related("model_version").filter(pk=campaign_id).first()


def participation_get(campaign_id: int, municipality: Municipality) -> Participation | None:
    """The municipality's participation in a campaign, or None when it does not take part."""
    return (
        Participation.objects.select_related("campaign", "campaign__model_version")
        .filter(campaign_id=campaign_id, municipality=municipality)
        .first()
    )


def participations_of(municipality: Municipality) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(municipality=municipality)
        .select_related("campaign")
        .order_by("-campaign__start_date", "-campaign_id")
    )


def participations_in(campaign: Campaign) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(campaign=campaign)
        .select_related("municipality")
        .order_by("municipality__name")
    )


def previous_participation(participation: Participation) -> Participation | None:
    """The municipality's submitted result in the latest earlier campaign."""
    return (
        Participation.objects.filter(
            municipality_id=participation.municipality_id,
            status=Participation.Status.SUBMITTED,
            campaign__start_date__lt=participation.campaign.start_date,
        )
        .select_related("campaign")
        .order_by("-campaign__start_date", "-campaign_id")
        .first()
    )


def digital_officer_emails(municipality_ids: list[int]) -> dict[int, list[str]]:
    emails: dict[int, list[str]] = {}
    for municipality_id, email in Membership.objects.filter(
        municipality_id__in=municipality_ids,
        role=Membership.Role.DIGITAL_OFFICER,
        user__is_active=True,
    ).values_list("municipality_id", "user__email"):
        emails.setdefault(municipality_id, []).append(email)
    return emails


# --- a municipality's own data (runs in its schema) -----------------------------------------


@contextmanager
def in_schema(municipality: Municipality) -> Iterator[None]:
    """Run in the municipality's schema; a no-op when the connection is already there."""
    tenant_connection: Any = connection  # django-tenants' wrapper adds the schema methods
    if tenant_connection.schema_name == municipality.schema_name:
        yield
        return
    previous = tenant_connection.tenant
    tenant_connection.set_tenant(municipality)
    try:
        yield
    finally:
        tenant_connection.set_tenant(previous)


def assessment_get(campaign_id: int) -> Assessment | None:
    return Assessment.objects.filter(campaign_id=campaign_id).first()


def answers_by_question(assessment: Assessment | None) -> dict[int, Answer]:
    if assessment is None:
        return {}
    return {answer.question_id: answer for answer in assessment.answers.all()}


def answer_values(answers: dict[int, Answer]) -> dict[int, scoring.AnswerValue]:
    return {
        qid: scoring.AnswerValue(a.current_level, a.target_level, a.not_relevant)
        for qid, a in answers.items()
    }


def answer_history(answer_id: uuid.UUID) -> tuple[Answer | None, list[AnswerChange]]:
    answer = Answer.objects.filter(pk=answer_id).first()
    if answer is None:
        return None, []
    return answer, list(answer.changes.all()[:100])


def user_names(user_ids: set[int | None]) -> dict[int, str]:
    ids = {uid for uid in user_ids if uid is not None}
    return {user.pk: str(user) for user in User.objects.filter(pk__in=ids)}


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    submitted: int
    threshold: int
    medians: dict[str, Decimal | None]
    overall_median: Decimal | None

    @property
    def shown(self) -> bool:
        return self.submitted >= self.threshold


def benchmark(campaign: Campaign) -> Benchmark:
    """The county median per dimension, only from submitted results and only above a threshold.

    Below the threshold no value is computed at all, so none can leak into a page.
    """
    threshold = settings.BENCHMARK_MIN_SUBMISSIONS
    rows = list(
        Participation.objects.filter(
            campaign=campaign, status=Participation.Status.SUBMITTED
        ).values_list("dimension_scores", "overall_index")
    )
    if len(rows) < threshold:
        return Benchmark(len(rows), threshold, {}, None)
    structure = model_structure(campaign.model_version_id)
    medians = {
        d.key: scoring.median(
            Decimal(scores[d.key]) for scores, _i in rows if scores.get(d.key) is not None
        )
        for d in structure.dimensions
    }
    overall = scoring.median(index for _s, index in rows if index is not None)
    return Benchmark(len(rows), threshold, medians, overall)


def decimal_scores(raw: dict[str, str | None]) -> dict[str, Decimal | None]:
    return {key: (Decimal(value) if value is not None else None) for key, value in raw.items()}


# --- county overview (read model only) ------------------------------------------------------


SORT_KEYS = ("name", "status", "index", "progress")
STATUS_LABELS = {status.value: str(status.label) for status in Participation.Status}


@dataclass(frozen=True)
class CountyCell:
    score: Decimal | None
    level: int | None

    @property
    def text(self) -> str:
        """German notation, prepared here: thousands of cells would be slow through filters."""
        return f"{self.score:.1f}".replace(".", ",") if self.score is not None else "–"


@dataclass(frozen=True)
class CountyRow:
    participation: Participation
    municipality: Municipality
    cells: tuple[CountyCell, ...]

    @property
    def progress_percent(self) -> int:
        p = self.participation
        return round(100 * p.answered_count / p.question_count) if p.question_count else 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.participation.status]

    @property
    def index_text(self) -> str:
        return CountyCell(self.participation.overall_index, None).text


@dataclass(frozen=True)
class CountyOverview:
    campaign: Campaign
    structure: ModelStructure
    rows: list[CountyRow]
    counts: dict[str, int]
    sort: str
    descending: bool


def _status_rank(status: str) -> int:
    return [s.value for s in Participation.Status].index(status)


def county_overview(
    campaign: Campaign, *, sort: str = "name", descending: bool = False
) -> CountyOverview:
    """Municipalities by dimensions for one campaign: one query over the read model.

    Sorting happens here and not in SQL because the scores live in one JSON column; for a few
    thousand rows that is a matter of milliseconds.
    """
    structure = model_structure(campaign.model_version_id)
    keys = [d.key for d in structure.dimensions]
    if sort not in SORT_KEYS and sort not in keys:
        sort = "name"
    rows = []
    counts = {status.value: 0 for status in Participation.Status}
    for participation in participations_in(campaign):
        counts[participation.status] += 1
        scores = participation.dimension_scores
        values = [Decimal(scores[key]) if scores.get(key) is not None else None for key in keys]
        cells = tuple(CountyCell(value, scoring.level_of_score(value)) for value in values)
        rows.append(CountyRow(participation, participation.municipality, cells))

    def sort_value(row: CountyRow) -> tuple[bool, object]:
        value: object
        if sort == "name":
            value = row.municipality.name.casefold()
        elif sort == "status":
            value = _status_rank(row.participation.status)
        elif sort == "progress":
            value = row.progress_percent
        elif sort == "index":
            value = row.participation.overall_index
        else:
            value = row.cells[keys.index(sort)].score
        # Empty values always go last, whatever the direction.
        return (value is None) != descending, value if value is not None else 0

    rows.sort(key=lambda r: r.municipality.name.casefold())
    rows.sort(key=sort_value, reverse=descending)
    return CountyOverview(campaign, structure, rows, counts, sort, descending)
