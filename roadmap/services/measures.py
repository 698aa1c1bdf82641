"""Measures of the roadmap: their participants, requests and dependencies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from izd.audit import recording as audit
from izd.errors import validation_message
from roadmap import selectors
from roadmap.models import Measure, RequestSummary
from roadmap.services.errors import RoadmapError
from tenants import selectors as tenant_selectors
from tenants.models import User


@dataclass(frozen=True)
class MeasureInput:
    title: str
    description: str
    dimension_key: str
    start_quarter: str
    end_quarter: str
    responsible: str
    status: str
    municipality_ids: tuple[int, ...] = ()
    request_ids: tuple[int, ...] = ()
    depends_on_ids: tuple[int, ...] = ()


def _dependency_graph() -> dict[int, set[int]]:
    graph: dict[int, set[int]] = {}
    through = Measure.depends_on.through
    for source, target in through.objects.values_list("from_measure_id", "to_measure_id"):
        graph.setdefault(source, set()).add(target)
    return graph


def dependency_cycle(
    graph: dict[int, set[int]], measure_id: int, depends_on: Iterable[int]
) -> bool:
    """Would `measure_id` depending on `depends_on` close a cycle? (Pure: graph as input.)"""
    targets = set(depends_on)
    if measure_id in targets:
        return True
    seen: set[int] = set()
    stack = list(targets)
    while stack:
        current = stack.pop()
        if current == measure_id:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(graph.get(current, ()))
    return False


@transaction.atomic
def measure_save(*, measure: Measure | None, data: MeasureInput, user: User | None) -> Measure:
    """Create or change a measure with its participants, requests and dependencies."""
    measure = measure if measure is not None else Measure(created_by=user)
    before = audit.stored_snapshot(measure, *_MEASURE_FIELDS)
    if measure.pk is not None:
        before.update(_measure_links(measure))
    for name in ("title", "description", "dimension_key", "start_quarter", "end_quarter",
                 "responsible", "status"):  # fmt: skip
        setattr(measure, name, getattr(data, name))
    try:
        measure.full_clean()
    except ValidationError as error:
        raise RoadmapError(validation_message(error), 400) from error
    municipalities = tenant_selectors.members_with_ids(data.municipality_ids)
    if len(municipalities) != len(set(data.municipality_ids)):
        raise RoadmapError("Eine der gewählten Kommunen gibt es nicht.", 400)
    requests = list(RequestSummary.objects.filter(pk__in=data.request_ids))
    if len(requests) != len(set(data.request_ids)):
        raise RoadmapError("Eine der gewählten Anfragen gibt es nicht.", 400)
    # Lock the measures so that two edits at once cannot close a cycle between them.
    dependencies = list(
        Measure.objects.select_for_update().filter(pk__in=data.depends_on_ids).order_by("pk")
    )
    if len(dependencies) != len(set(data.depends_on_ids)):
        raise RoadmapError("Eine der Maßnahmen, von denen diese abhängen soll, gibt es nicht.", 400)
    measure.save()
    if dependency_cycle(_dependency_graph(), measure.pk, data.depends_on_ids):
        raise RoadmapError(
            "Diese Abhängigkeit ergäbe einen Kreis: eine Maßnahme hinge (über andere) von sich "
            "selbst ab. Bitte die Abhängigkeiten prüfen.",
            400,
        )
    measure.municipalities.set(municipalities)
    measure.requests.set(requests)
    measure.depends_on.set(dependencies)
    audit.record_saved(
        "measure_save", audit.Kind.ROADMAP, f"Maßnahme „{measure.title}“", measure,
        before=before, fields=_MEASURE_FIELDS, links=_measure_links(measure),
        labels=_MEASURE_LINK_LABELS, actor=audit.UNSET if user is None else user,
    )  # fmt: skip
    return measure


# The dimension and the requests are recorded by name (see _measure_links): their keys and
# ids say nothing to the person reading the trail.
_MEASURE_FIELDS = (
    "title", "description", "start_quarter", "end_quarter", "responsible", "status",
)  # fmt: skip
_MEASURE_LINK_LABELS = {
    "dimension": "Handlungsfeld",
    "municipalities": "Kommunen",
    "requests": "Anfragen",
    "depends_on": "hängt ab von",
}


def _measure_links(measure: Measure) -> dict[str, str | list[str]]:
    requests = measure.requests.select_related("municipality", "service")
    return {
        "dimension": selectors.dimension_titles().get(measure.dimension_key, measure.dimension_key),
        "municipalities": sorted(measure.municipalities.values_list("name", flat=True)),
        "requests": sorted(f"{r.service.name} ({r.municipality.name})" for r in requests),
        "depends_on": sorted(measure.depends_on.values_list("title", flat=True)),
    }


@transaction.atomic
def measure_delete(*, measure: Measure) -> None:
    if measure.dependents.exists():
        names = ", ".join(measure.dependents.values_list("title", flat=True))
        raise RoadmapError(f"Andere Maßnahmen hängen von dieser ab: {names}.", 409)
    audit.record(
        action="measure_delete", kind=audit.Kind.ROADMAP,
        summary=f"Maßnahme „{measure.title}“ gelöscht", target=measure, fields=_MEASURE_FIELDS,
        before=audit.snapshot(measure, *_MEASURE_FIELDS), deleted=True, municipality=None,
    )  # fmt: skip
    measure.delete()
