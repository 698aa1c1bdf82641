# Long because it is the app's whole read API for the other apps and the views: campaigns,
# participation, the county overview and the model structure as frozen values.
"""Reads of maturity: the model, campaigns, a municipality's answers and the county read model."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform

from izd import formats
from maturity import scoring
from maturity.models import (
    Campaign,
    Dimension,
    LevelDescriptor,
    ModelVersion,
    Participation,
    Question,
)
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
    # The pages use the model version through `model_structure(campaign.model_version_id)`, so
    # the version row itself is not joined. Slicing instead of first(): no ORDER BY needed, the
    # pair is unique.
    found = list(
        Participation.objects.select_related("campaign").filter(
            campaign_id=campaign_id, municipality=municipality
        )[:1]
    )
    return found[0] if found else None


def participations_of(municipality: Municipality) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(municipality=municipality)
        .select_related("campaign")
        .order_by("-campaign__start_date", "-campaign_id")
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


# --- for the other apps: the current model and the latest results ----------------------------


@dataclass(frozen=True)
class ModelEntry:
    """A dimension or question of the current model: its stable key and what it is called."""

    key: str
    title: str


def _current_version_id() -> int | None:
    """The model version of the latest campaign, or the newest loaded while there is none."""
    latest = Campaign.objects.order_by("-start_date", "-pk")
    version_id = latest.values_list("model_version_id", flat=True).first()
    if version_id is None:
        newest = ModelVersion.objects.order_by("-loaded_at", "-pk")
        version_id = newest.values_list("pk", flat=True).first()
    return version_id


def current_dimensions() -> list[ModelEntry]:
    """The dimensions of the current model, in their order (keys are stable across versions)."""
    version_id = _current_version_id()
    if version_id is None:
        return []
    rows = Dimension.objects.filter(model_version_id=version_id).order_by("position")
    return [ModelEntry(key, title) for key, title in rows.values_list("key", "title")]


def current_questions() -> list[ModelEntry]:
    """The questions of the current model, each titled "dimension: question"."""
    version_id = _current_version_id()
    if version_id is None:
        return []
    rows = Question.objects.filter(dimension__model_version_id=version_id).order_by(
        "dimension__position", "position"
    )
    return [
        ModelEntry(key, f"{dimension}: {text}")
        for key, dimension, text in rows.values_list("key", "dimension__title", "text")
    ]


def latest_results_campaign() -> Campaign | None:
    """The latest campaign with at least one submitted result."""
    return (
        Campaign.objects.filter(participations__status=Participation.Status.SUBMITTED)
        .order_by("-start_date", "-pk")
        .distinct()
        .first()
    )


def latest_scores_of(municipality: Municipality) -> Participation | None:
    """The municipality's latest submitted result, or else its latest with scores so far."""
    own = participations_of(municipality)
    return (
        own.filter(status=Participation.Status.SUBMITTED).first()
        or own.exclude(dimension_scores={}).first()
    )


def submitted_results(campaign: Campaign) -> list[Participation]:
    """The submitted results of a campaign, with their municipalities, by name."""
    return list(
        Participation.objects.filter(campaign=campaign, status=Participation.Status.SUBMITTED)
        .select_related("municipality")
        .order_by("municipality__name")
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


def answered_question_ids(assessment_id: int) -> set[int]:
    """The questions of an assessment that have an answer (a level or "not relevant")."""
    return set(
        Answer.objects.filter(assessment_id=assessment_id)
        .filter(Q(current_level__isnull=False) | Q(not_relevant=True))
        .values_list("question_id", flat=True)
    )


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
        return formats.number(self.score, 1) if self.score is not None else "–"


@dataclass(frozen=True, slots=True)
class CountyRow:
    """One municipality in the county overview: plain values from the read model.

    No model instances: with thousands of rows, building (and garbage-collecting) two model
    instances per row cost more than the rest of the page.
    """

    cells: tuple[CountyCell, ...]  # one per dimension, in model order
    name: str
    slug: str
    ags: str
    status: str
    answered_count: int
    question_count: int
    overall_index: Decimal | None
    submitted_at: datetime | None
    reminded_at: datetime | None
    updated_at: datetime

    @property
    def progress_percent(self) -> int:
        if not self.question_count:
            return 0
        return round(100 * self.answered_count / self.question_count)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def index_text(self) -> str:
        return CountyCell(self.overall_index, None).text


@dataclass(frozen=True)
class CountyOverview:
    campaign: Campaign
    structure: ModelStructure
    rows: list[CountyRow]
    counts: dict[str, int]
    sort: str
    descending: bool


def participants(campaign: Campaign) -> QuerySet[Participation]:
    """The municipalities of a campaign from the read model, for the paged list."""
    return (
        Participation.objects.filter(campaign=campaign)
        .select_related("municipality")
        .order_by("municipality__name", "municipality__ags")
    )


def participation_counts(campaign: Campaign) -> dict[str, int]:
    """How many municipalities are in each status: one query, whatever their number."""
    counts = {status.value: 0 for status in Participation.Status}
    rows = Participation.objects.filter(campaign=campaign).values("status").order_by()
    for row in rows.annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def county_rows_search(rows: list[CountyRow], text: str) -> list[CountyRow]:
    """Rows whose name contains the text, or whose AGS starts with it."""
    wanted = text.casefold()
    return [row for row in rows if wanted in row.name.casefold() or row.ags.startswith(text)]


def _status_rank(status: str) -> int:
    return [s.value for s in Participation.Status].index(status)


_COUNTY_FIELDS = (  # in the order of CountyRow's fields after `cells`
    "municipality__name",
    "municipality__slug",
    "municipality__ags",
    "status",
    "answered_count",
    "question_count",
    "overall_index",
    "submitted_at",
    "reminded_at",
    "updated_at",
)


def county_overview(
    campaign: Campaign, *, sort: str = "name", descending: bool = False
) -> CountyOverview:
    """Municipalities by dimensions for one campaign: one query over the read model.

    The query returns plain values, each dimension's score as text straight from the JSON
    column. Sorting happens here and not in SQL, so that names sort as in Python (casefold)
    and empty values go last in both directions; for a few thousand rows that takes
    milliseconds.
    """
    structure = model_structure(campaign.model_version_id)
    keys = [d.key for d in structure.dimensions]
    if sort not in SORT_KEYS and sort not in keys:
        sort = "name"
    counts = {status.value: 0 for status in Participation.Status}
    # Scores repeat (0.0 to 100.0 in steps of 0.1): one cell object per distinct stored value.
    cells: dict[str | None, CountyCell] = {}

    def cell(raw: str | None) -> CountyCell:
        found = cells.get(raw)
        if found is None:
            value = Decimal(raw) if raw is not None else None
            found = cells[raw] = CountyCell(value, scoring.level_of_score(value))
        return found

    scores = {f"score_{n}": KeyTextTransform(key, "dimension_scores") for n, key in enumerate(keys)}
    query = (
        Participation.objects.filter(campaign=campaign)
        .annotate(**scores)
        .order_by("municipality__name")
        .values_list(*_COUNTY_FIELDS, *scores)
    )
    width = len(_COUNTY_FIELDS)
    rows = []
    for values in query:
        counts[values[3]] += 1
        row_cells = tuple(cell(raw) for raw in values[width:])
        rows.append(CountyRow(row_cells, *values[:width]))
    column = keys.index(sort) if sort in keys else -1

    def sort_value(row: CountyRow) -> tuple[bool, object]:
        value: object
        if sort == "name":
            value = row.name.casefold()
        elif sort == "status":
            value = _status_rank(row.status)
        elif sort == "progress":
            value = row.progress_percent
        elif sort == "index":
            value = row.overall_index
        else:
            value = row.cells[column].score
        # Empty values always go last, whatever the direction.
        return (value is None) != descending, value if value is not None else 0

    rows.sort(key=lambda r: r.name.casefold())
    rows.sort(key=sort_value, reverse=descending)
    return CountyOverview(campaign, structure, rows, counts, sort, descending)
