"""Reads of the best-practice exchange. Every list, count, search and feed goes through
`visible()`, so that drafts and practices of a narrower visibility never reach anyone else."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.urls import reverse

from maturity import selectors as maturity_selectors
from maturity.related import RelatedLink, RelatedSection
from maturity.scoring import Gap
from roadmap.practices.models import (
    Adoption,
    ExchangeEvent,
    Practice,
    PracticeVersion,
    Product,
    Visibility,
)
from roadmap.practices.services import SEARCH_CONFIG
from tenants.access import Access
from tenants.models import Membership, Municipality


@dataclass(frozen=True)
class Viewer:
    """Who looks: the centre sees every published practice; members see public and members'
    practices; the authoring municipality also its own; anyone else only public ones."""

    municipality_id: int | None = None
    is_member: bool = False
    is_centre: bool = False


ANONYMOUS = Viewer()


def viewer_for(access: Access, municipality: Municipality | None) -> Viewer:
    is_municipality = municipality is not None and not municipality.is_kreis
    return Viewer(
        municipality_id=municipality.pk if is_municipality and municipality else None,
        is_member=access.is_member or access.is_kreis_staff,
        is_centre=access.is_kreis_staff,
    )


def visible(viewer: Viewer) -> QuerySet[Practice]:
    published = Practice.objects.filter(published_version__isnull=False)
    if viewer.is_centre:
        return published
    allowed = [Visibility.PUBLIC] + ([Visibility.MEMBERS] if viewer.is_member else [])
    condition = Q(visibility__in=allowed)
    if viewer.municipality_id is not None:
        condition |= Q(municipality_id=viewer.municipality_id)
    return published.filter(condition)


def _with_details(practices: QuerySet[Practice]) -> QuerySet[Practice]:
    return (
        practices.select_related("published_version", "municipality")
        .prefetch_related(
            Prefetch("published_version__products", queryset=Product.objects.order_by("name"))
        )
        .annotate(
            users=Count(
                "adoptions",
                filter=Q(
                    adoptions__status__in=[
                        Adoption.Status.PLANNED,
                        Adoption.Status.IN_PROGRESS,
                        Adoption.Status.OPERATION,
                    ]
                ),
                distinct=True,
            ),
            interested=Count(
                "adoptions", filter=Q(adoptions__status=Adoption.Status.INTERESTED), distinct=True
            ),
        )
    )


# --- search ---------------------------------------------------------------------------------

COST_BANDS: dict[str, tuple[str, Decimal | None, Decimal | None]] = {
    "kostenfrei": ("ohne Kosten", None, Decimal("0")),
    "bis-5000": ("bis 5.000 €", Decimal("0.01"), Decimal("5000")),
    "bis-25000": ("5.000 € bis 25.000 €", Decimal("5000.01"), Decimal("25000")),
    "ueber-25000": ("über 25.000 €", Decimal("25000.01"), None),
}
SIZE_CLASSES: dict[str, tuple[str, int | None, int | None]] = {
    "unter-10000": ("unter 10.000 Einwohner", None, 9_999),
    "10000-20000": ("10.000 bis 20.000 Einwohner", 10_000, 19_999),
    "20000-50000": ("20.000 bis 50.000 Einwohner", 20_000, 49_999),
    "ab-50000": ("ab 50.000 Einwohner", 50_000, None),
}
WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 8


@dataclass(frozen=True)
class Filters:
    text: str = ""
    dimension: str = ""
    project_status: str = ""
    cost_band: str = ""
    size_class: str = ""
    product_id: int | None = None


def search_query(text: str) -> SearchQuery | None:
    """Every word as a German-stemmed prefix: the snowball stemmer does not split compounds,
    so "Rechnung" (stem "rechnung") finds "Rechnungseingang" only as a prefix of its lexeme;
    "E-Rechnungen" the parser splits at the hyphen into "e" and "rechnung"."""
    words = WORD.findall(text.lower())[:MAX_WORDS]
    if not words:
        return None
    return SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG
    )


def search(viewer: Viewer, filters: Filters) -> QuerySet[Practice]:
    """Visible practices matching the filters, best match first (title before summary before
    text, by the weights of the stored vector)."""
    practices = visible(viewer)
    version = "published_version__"
    if filters.dimension:
        practices = practices.filter(**{f"{version}dimension_keys__contains": [filters.dimension]})
    if filters.project_status:
        practices = practices.filter(**{f"{version}project_status": filters.project_status})
    if filters.product_id is not None:
        practices = practices.filter(**{f"{version}products": filters.product_id})
    if filters.cost_band in COST_BANDS:
        _label, low, high = COST_BANDS[filters.cost_band]
        practices = practices.annotate(
            first_year=F(f"{version}cost_once") + F(f"{version}cost_yearly")
        )
        if low is not None:
            practices = practices.filter(first_year__gte=low)
        if high is not None:
            practices = practices.filter(first_year__lte=high)
    if filters.size_class in SIZE_CLASSES:
        _label, smallest, largest = SIZE_CLASSES[filters.size_class]
        if smallest is not None:
            practices = practices.filter(municipality__population__gte=smallest)
        if largest is not None:
            practices = practices.filter(municipality__population__lte=largest)
        practices = practices.filter(municipality__isnull=False)
    query = search_query(filters.text)
    if query is None:
        return _with_details(practices).order_by("-published_at", "-pk")
    return (
        _with_details(practices.filter(search_vector=query))
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-published_at", "-pk")
    )


def products() -> QuerySet[Product]:
    return Product.objects.order_by("name")


# --- one practice ---------------------------------------------------------------------------


def practice_visible(viewer: Viewer, practice_id: int) -> Practice | None:
    return _with_details(visible(viewer)).filter(pk=practice_id).first()


def own_practice(municipality: Municipality | None, practice_id: int) -> Practice | None:
    """A practice of this author (the municipality, or the centre for None), in any state."""
    practices = Practice.objects.select_related("published_version", "municipality")
    if municipality is None or municipality.is_kreis:
        return practices.filter(pk=practice_id, municipality__isnull=True).first()
    return practices.filter(pk=practice_id, municipality=municipality).first()


def own_practices(municipality: Municipality | None) -> list[tuple[Practice, PracticeVersion]]:
    practices = Practice.objects.select_related("published_version").prefetch_related(
        Prefetch("versions", queryset=PracticeVersion.objects.order_by("-number"))
    )
    if municipality is None or municipality.is_kreis:
        practices = practices.filter(municipality__isnull=True)
    else:
        practices = practices.filter(municipality=municipality)
    return [(p, p.versions.all()[0]) for p in practices.order_by("-updated_at")]


def versions(practice: Practice) -> list[PracticeVersion]:
    return list(practice.versions.order_by("-number"))


def may_author(access: Access, practice: Practice, municipality: Municipality | None) -> bool:
    if practice.municipality_id is None:
        return access.is_coordinator
    if municipality is None or practice.municipality_id != municipality.pk:
        return False
    return access.has_municipality_role(Membership.Role.DIGITAL_OFFICER) or access.is_coordinator


def adoptions_of(practice: Practice) -> list[Adoption]:
    return list(
        practice.adoptions.select_related("municipality", "contact", "measure", "request")
        .order_by("municipality__name")
    )  # fmt: skip


def adoption_of(practice: Practice, municipality: Municipality | None) -> Adoption | None:
    if municipality is None or municipality.is_kreis:
        return None
    return practice.adoptions.filter(municipality=municipality).first()


def adoptions_of_municipality(municipality: Municipality) -> list[Adoption]:
    return list(
        Adoption.objects.filter(municipality=municipality)
        .select_related("practice__published_version", "measure", "request")
        .order_by("-updated_at")
    )


def adoption_get(municipality: Municipality, adoption_id: int) -> Adoption | None:
    return (
        Adoption.objects.filter(pk=adoption_id, municipality=municipality)
        .select_related("practice__published_version", "municipality")
        .first()
    )


@dataclass(frozen=True)
class Matrix:
    practices: list[Practice]
    municipalities: list[Municipality]
    cells: dict[tuple[int, int], str]


def adoption_matrix() -> Matrix:
    """Practices by adopting municipalities, for the centre (three queries at any size)."""
    practices = list(
        Practice.objects.filter(published_version__isnull=False)
        .select_related("published_version", "municipality")
        .order_by("published_version__title")
    )
    rows = list(Adoption.objects.values_list("practice_id", "municipality_id", "status"))
    adopting = {municipality_id for _p, municipality_id, _s in rows}
    municipalities = list(Municipality.objects.filter(pk__in=adopting).order_by("name"))
    labels = dict(Adoption.Status.choices)
    cells = {(p, m): str(labels[s]) for p, m, s in rows}
    return Matrix(practices, municipalities, cells)


def review_queue() -> list[PracticeVersion]:
    return list(
        PracticeVersion.objects.filter(state=PracticeVersion.State.SUBMITTED)
        .select_related("practice__municipality")
        .order_by("submitted_at")
    )


# --- events ---------------------------------------------------------------------------------


def events(upcoming_only: bool = False) -> QuerySet[ExchangeEvent]:
    from django.utils import timezone

    result = ExchangeEvent.objects.prefetch_related("presenters").annotate(
        registered=Count("registrations", distinct=True)
    )
    if upcoming_only:
        result = result.filter(starts_at__gte=timezone.now())
    return result.order_by("starts_at")


def events_when(rows: QuerySet[ExchangeEvent], when: str) -> QuerySet[ExchangeEvent]:
    """`kommende` (from now on) or `vergangene` events."""
    from django.utils import timezone

    now = timezone.now()
    return rows.filter(starts_at__gte=now) if when == "kommende" else rows.filter(starts_at__lt=now)


def registered_event_ids(user_id: int) -> set[int]:
    from roadmap.practices.models import EventRegistration

    return set(EventRegistration.objects.filter(user_id=user_id).values_list("event_id", flat=True))


def event_practices(viewer: Viewer, event: ExchangeEvent) -> list[Practice]:
    return list(visible(viewer).filter(events=event).select_related("published_version"))


def events_of_practice(practice: Practice) -> list[ExchangeEvent]:
    return list(practice.events.order_by("starts_at"))


# --- maturity model: dimensions and questions to link -----------------------------------------


def dimension_choices() -> list[tuple[str, str]]:
    return [(d.key, d.title) for d in maturity_selectors.current_dimensions()]


def question_choices() -> list[tuple[str, str]]:
    return [(q.key, q.title) for q in maturity_selectors.current_questions()]


def titles(choices: Sequence[tuple[str, str]], keys: Sequence[str]) -> list[str]:
    lookup = dict(choices)
    return [lookup.get(key, key) for key in keys]


# --- related content on the maturity results page -----------------------------------------

RELATED_LIMIT = 6


def practices_for_gaps(municipality: Municipality, gaps: Sequence[Gap]) -> RelatedSection | None:
    """Practices visible to the municipality that help with its largest gaps, largest first."""
    order = {gap.question.key: index for index, gap in enumerate(gaps)}
    if not order:
        return None
    viewer = Viewer(municipality_id=municipality.pk, is_member=True)
    candidates = (
        visible(viewer)
        .filter(published_version__question_keys__overlap=list(order))
        .exclude(municipality=municipality)
        .select_related("published_version", "municipality")[:50]
    )
    ranked = sorted(
        candidates,
        key=lambda p: min(
            order.get(key, len(order))
            for key in p.published_version.question_keys  # type: ignore[union-attr]
        ),
    )[:RELATED_LIMIT]
    gap_text = {gap.question.key: gap.question.text for gap in gaps}
    links = []
    for practice in ranked:
        version = practice.published_version
        assert version is not None
        helps = next((gap_text[k] for k in version.question_keys if k in gap_text), "")
        author = practice.municipality.name if practice.municipality else "Zentrum"
        links.append(
            RelatedLink(
                title=f"{version.title} ({author})",
                url=reverse("practices:detail", urlconf=settings.ROOT_URLCONF, args=[practice.pk]),
                note=f"hilft bei: {helps}" if helps else "",
            )
        )
    return RelatedSection(
        title="Praxisbeispiele zu Ihren größten Lücken",
        intro="Andere Kommunen haben diese Schritte schon gemacht und teilen ihre Erfahrungen.",
        links=tuple(links),
    )
