"""Reads of roadmap: catalogue, requests (own schema or the public read model), measures,
target picture, maturity gaps and suggestions.

Long because it is roadmap's whole read API, one section per part (catalogue, own requests, triage,
measures, target picture, maturity gaps and suggestions); the frozen dataclasses it returns across
the app boundary take about half of the lines.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from maturity import scoring
from maturity import selectors as maturity_selectors
from roadmap import workflow
from roadmap.models import Measure, RequestStatus, RequestSummary, Service, TargetLevel
from roadmap.municipal.models import Comment, ServiceRequest, StatusChange
from tenants.models import Municipality, User

if TYPE_CHECKING:  # annotations only: maturity's rows come from its selectors
    from maturity.models import Campaign

# --- catalogue ------------------------------------------------------------------------------


def service_list(*, open_only: bool = False) -> QuerySet[Service]:
    services = Service.objects.all()
    return services.filter(is_open=True) if open_only else services


def service_get(service_id: int) -> Service | None:
    return Service.objects.filter(pk=service_id).first()


def service_names() -> dict[int, str]:
    return dict(Service.objects.values_list("pk", "name"))


def user_names(user_ids: set[int | None]) -> dict[int, str]:
    ids = {uid for uid in user_ids if uid is not None}
    return {user.pk: str(user) for user in User.objects.filter(pk__in=ids)}


# --- a municipality's own requests (run in its schema) --------------------------------------


def own_requests() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.order_by("-created_at")


@dataclass(frozen=True)
class OwnRequestRow:
    request: ServiceRequest
    service_name: str


def own_request_rows(requests: Iterable[ServiceRequest] | None = None) -> list[OwnRequestRow]:
    """The requests (all own ones if not given) with their service's name."""
    names = service_names()
    rows = own_requests() if requests is None else requests
    return [OwnRequestRow(r, names.get(r.service_id, "")) for r in rows]


def own_requests_search(rows: QuerySet[ServiceRequest], text: str) -> QuerySet[ServiceRequest]:
    """The service's name or the need. The services are the Kreis' (public schema): their ids
    are read first, the municipality's table has no foreign key to them."""
    service_ids = list(Service.objects.filter(name__icontains=text).values_list("pk", flat=True))
    return rows.filter(Q(service_id__in=service_ids) | Q(need__icontains=text))


def own_requests_with_status(
    rows: QuerySet[ServiceRequest], status: str
) -> QuerySet[ServiceRequest]:
    if status == "offen":
        return rows.filter(status__in=workflow.OPEN_STATUSES)
    return rows.filter(status=status)


def own_request(request_id: uuid.UUID) -> ServiceRequest | None:
    return ServiceRequest.objects.filter(pk=request_id).first()


@dataclass(frozen=True)
class HistoryEntry:
    change: StatusChange
    name: str


@dataclass(frozen=True)
class CommentEntry:
    comment: Comment
    name: str


@dataclass(frozen=True)
class RequestDetail:
    request: ServiceRequest
    service: Service | None
    requester_name: str
    changes: list[HistoryEntry]
    comments: list[CommentEntry]

    @property
    def status_label(self) -> str:
        return workflow.label(self.request.status)


def request_detail(request: ServiceRequest) -> RequestDetail:
    """One request with its history and comments (runs in the municipality's schema)."""
    changes = list(request.status_changes.all())
    comments = list(request.comments.all())
    ids: set[int | None] = {request.requested_by_id}
    ids |= {c.changed_by_id for c in changes} | {c.author_id for c in comments}
    names = user_names(ids)

    def name(user_id: int | None) -> str:
        return names.get(user_id, "") if user_id is not None else ""

    return RequestDetail(
        request=request,
        service=Service.objects.filter(pk=request.service_id).first(),
        requester_name=name(request.requested_by_id),
        changes=[HistoryEntry(c, name(c.changed_by_id)) for c in changes],
        comments=[CommentEntry(c, name(c.author_id)) for c in comments],
    )


# --- the Kreis' triage (public read model only) ---------------------------------------------


def requests_with_status(rows: QuerySet[RequestSummary], status: str) -> QuerySet[RequestSummary]:
    """`offen`: every status still open; else one RequestStatus."""
    if status == "offen":
        return rows.filter(status__in=workflow.OPEN_STATUSES)
    return rows.filter(status=status)


def status_options() -> list[tuple[str, str]]:
    """The triage's status filter: open ones together, then each status with its count."""
    counts = status_counts()
    return [("offen", "alle offenen")] + [
        (value, f"{label} ({counts[value]})") for value, label in RequestStatus.choices
    ]


def triage(
    *, status: str = "", service_id: int | None = None, municipality_id: int | None = None
) -> QuerySet[RequestSummary]:
    rows = RequestSummary.objects.select_related("municipality", "service")
    if status == "offen":
        rows = rows.filter(status__in=workflow.OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if service_id:
        rows = rows.filter(service_id=service_id)
    if municipality_id:
        rows = rows.filter(municipality_id=municipality_id)
    return rows.order_by("-submitted_at", "-pk")


def summary_get(request_id: uuid.UUID) -> RequestSummary | None:
    return (
        RequestSummary.objects.select_related("municipality", "service")
        .filter(request_id=request_id)
        .first()
    )


def status_counts() -> dict[str, int]:
    counts = dict.fromkeys(RequestStatus.values, 0)
    counts.update(  # counted by PostgreSQL: one row per status, not one per request
        RequestSummary.objects.order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return counts


# --- dimensions of the maturity model -------------------------------------------------------


@dataclass(frozen=True)
class DimensionRef:
    key: str
    title: str


def dimensions() -> list[DimensionRef]:
    """The dimensions of the model the latest campaign uses (keys are stable across versions)."""
    return [DimensionRef(d.key, d.title) for d in maturity_selectors.current_dimensions()]


def dimension_titles() -> dict[str, str]:
    return {d.key: d.title for d in dimensions()}


# --- measures -------------------------------------------------------------------------------


def measure_list(municipality: Municipality | None = None) -> QuerySet[Measure]:
    """All measures, or those a municipality takes part in (no participant = whole county)."""
    measures = Measure.objects.prefetch_related("municipalities", "depends_on", "requests")
    if municipality is not None:
        measures = measures.filter(
            Q(municipalities=municipality) | Q(municipalities__isnull=True)
        ).distinct()
    return measures.order_by("start_quarter", "end_quarter", "title")


def measures_in_model_order() -> QuerySet[Measure]:
    """Measures ordered by the model's dimensions (unknown keys last), then by time: the
    measure list pages through them and groups each page by dimension."""
    positions = [When(dimension_key=d.key, then=Value(n)) for n, d in enumerate(dimensions())]
    position = Case(*positions, default=Value(len(positions)), output_field=IntegerField())
    return measure_list().annotate(dimension_position=position)


def measures_of_municipality(measures: QuerySet[Measure], slug: str) -> QuerySet[Measure]:
    """Measures the municipality takes part in, the whole county's included."""
    return measures.filter(Q(municipalities__slug=slug) | Q(municipalities__isnull=True)).distinct()


def measure_get(measure_id: int) -> Measure | None:
    return Measure.objects.filter(pk=measure_id).first()


@dataclass(frozen=True)
class MeasureLinks:
    """What a measure is linked to, by id: its municipalities, requests and prerequisites."""

    municipality_ids: list[int]
    request_ids: list[int]
    depends_on_ids: list[int]


def measure_links(measure: Measure) -> MeasureLinks:
    return MeasureLinks(
        municipality_ids=list(measure.municipalities.values_list("pk", flat=True)),
        request_ids=list(measure.requests.values_list("pk", flat=True)),
        depends_on_ids=list(measure.depends_on.values_list("pk", flat=True)),
    )


@dataclass(frozen=True)
class DimensionGroup:
    dimension: DimensionRef
    measures: list[Measure]


def measures_by_dimension(measures: list[Measure]) -> list[DimensionGroup]:
    known = dimensions()
    by_key: dict[str, list[Measure]] = defaultdict(list)
    for measure in measures:
        by_key[measure.dimension_key].append(measure)
    groups = [DimensionGroup(d, by_key.pop(d.key)) for d in known if d.key in by_key]
    groups += [DimensionGroup(DimensionRef(key, key), items) for key, items in by_key.items()]
    return groups


# --- target picture -------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    dimension: DimensionRef
    levels: list[int | None]


@dataclass(frozen=True)
class TargetPicture:
    years: list[int]
    rows: list[TargetRow]


def target_picture(years: list[int] | None = None) -> TargetPicture:
    entries = {(t.dimension_key, t.year): t.level for t in TargetLevel.objects.all()}
    if years is None:
        stored = sorted({year for _key, year in entries})
        years = stored or default_years()
    rows = [TargetRow(d, [entries.get((d.key, year)) for year in years]) for d in dimensions()]
    return TargetPicture(years, rows)


def default_years() -> list[int]:
    from django.utils import timezone

    first = timezone.localdate().year
    return [first, first + 1, first + 2]


def target_level(dimension_key: str, year: int) -> int | None:
    return (
        TargetLevel.objects.filter(dimension_key=dimension_key, year=year)
        .values_list("level", flat=True)
        .first()
    )


# --- maturity results: gaps and suggestions -------------------------------------------------


def latest_results_campaign() -> Campaign | None:
    """The latest campaign with at least one submitted result."""
    return maturity_selectors.latest_results_campaign()


@dataclass(frozen=True)
class GapRow:
    dimension: DimensionRef
    score: Decimal | None
    target: Decimal | None
    county_target_level: int | None

    @property
    def level(self) -> int | None:
        return scoring.level_of_score(self.score)

    @property
    def gap(self) -> Decimal | None:
        if self.score is None or self.target is None:
            return None
        return max(Decimal(0), self.target - self.score)

    @property
    def below_county_target(self) -> bool:
        return (
            self.county_target_level is not None
            and self.level is not None
            and self.level < self.county_target_level
        )


@dataclass(frozen=True)
class MunicipalityGaps:
    campaign: Campaign | None
    rows: list[GapRow] = field(default_factory=list)


def municipality_gaps(municipality: Municipality, year: int) -> MunicipalityGaps:
    """The municipality's own dimension scores against its own target and the target picture."""
    participation = maturity_selectors.latest_scores_of(municipality)
    if participation is None:
        return MunicipalityGaps(None)
    targets = dict(TargetLevel.objects.filter(year=year).values_list("dimension_key", "level"))
    current = participation.dimension_scores
    own_target = participation.target_dimension_scores
    rows = [
        GapRow(
            d,
            Decimal(current[d.key]) if current.get(d.key) is not None else None,
            Decimal(own_target[d.key]) if own_target.get(d.key) is not None else None,
            targets.get(d.key),
        )
        for d in dimensions()
    ]
    return MunicipalityGaps(participation.campaign, rows)


@dataclass(frozen=True)
class DimensionSuggestion:
    dimension: DimensionRef
    below: int
    total: int
    municipality_ids: list[int]
    municipality_names: list[str]

    @property
    def share(self) -> int:
        return round(100 * self.below / self.total) if self.total else 0


@dataclass(frozen=True)
class ServiceSuggestion:
    service: Service
    request_ids: list[int]
    municipality_ids: list[int]
    municipality_names: list[str]
    quantity: Decimal


@dataclass(frozen=True)
class Suggestions:
    campaign: Campaign | None
    dimensions: list[DimensionSuggestion]
    services: list[ServiceSuggestion]
    min_count: int
    min_share: int
    min_requesting: int


def _open_measure_keys() -> set[str]:
    return set(
        Measure.objects.exclude(status=Measure.Status.DONE).values_list("dimension_key", flat=True)
    )


def dimension_suggestions(
    campaign: Campaign | None, *, min_count: int, min_share: int
) -> list[DimensionSuggestion]:
    """Dimensions where many municipalities lie below their own target, without an open measure.

    "Many" means at least `min_count` municipalities or at least `min_share` percent of those
    that submitted. One query over the read model, whatever the number of municipalities.
    """
    if campaign is None:
        return []
    rows = maturity_selectors.submitted_results(campaign)
    covered = _open_measure_keys()
    found = []
    for dimension in dimensions():
        if dimension.key in covered:
            continue
        below = []
        total = 0
        for row in rows:
            score = row.dimension_scores.get(dimension.key)
            target = row.target_dimension_scores.get(dimension.key)
            if score is None or target is None:
                continue
            total += 1
            if Decimal(score) < Decimal(target):
                below.append(row.municipality)
        if not below:
            continue
        share_met = total > 0 and 100 * len(below) >= min_share * total
        if len(below) >= min_count or share_met:
            found.append(
                DimensionSuggestion(
                    dimension, len(below), total, [m.pk for m in below], [m.name for m in below]
                )
            )
    found.sort(key=lambda s: (-s.below, s.dimension.title))
    return found


def service_suggestions(*, min_requesting: int) -> list[ServiceSuggestion]:
    """Open or accepted requests no measure answers yet, grouped by service."""
    rows = (
        RequestSummary.objects.filter(
            status__in=(RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW, RequestStatus.ACCEPTED),
            measures__isnull=True,
        )
        .select_related("service", "municipality")
        .order_by("service__name", "municipality__name")
    )
    grouped: dict[int, list[RequestSummary]] = defaultdict(list)
    for row in rows:
        grouped[row.service_id].append(row)
    found = []
    for items in grouped.values():
        towns = {row.municipality_id: row.municipality.name for row in items}
        if len(towns) < min_requesting:
            continue
        found.append(
            ServiceSuggestion(
                service=items[0].service,
                request_ids=[row.pk for row in items],
                municipality_ids=list(towns),
                municipality_names=sorted(towns.values()),
                quantity=sum((row.quantity for row in items), Decimal(0)),
            )
        )
    found.sort(key=lambda s: (-len(s.municipality_ids), s.service.name))
    return found


def _threshold(given: int | None, setting: str) -> int:
    if given is not None:
        return given
    return int(getattr(settings, setting))


def suggestions(
    *, min_count: int | None = None, min_share: int | None = None, min_requesting: int | None = None
) -> Suggestions:
    """Both kinds of suggestion; thresholds from the arguments or the settings
    ROADMAP_SUGGESTION_MIN_MUNICIPALITIES (3), ROADMAP_SUGGESTION_MIN_SHARE (30 %) and
    ROADMAP_SUGGESTION_MIN_REQUESTING (2 municipalities asking for the same service)."""
    count = _threshold(min_count, "ROADMAP_SUGGESTION_MIN_MUNICIPALITIES")
    share = _threshold(min_share, "ROADMAP_SUGGESTION_MIN_SHARE")
    requesting = _threshold(min_requesting, "ROADMAP_SUGGESTION_MIN_REQUESTING")
    campaign = latest_results_campaign()
    return Suggestions(
        campaign=campaign,
        dimensions=dimension_suggestions(campaign, min_count=count, min_share=share),
        services=service_suggestions(min_requesting=requesting),
        min_count=count,
        min_share=share,
        min_requesting=requesting,
    )
