"""Measures: validation, dependencies without cycles, the timeline, the target picture."""

from __future__ import annotations

import pytest

from roadmap import services
from roadmap.models import Measure, RequestSummary, TargetLevel
from roadmap.services import MeasureInput, RoadmapError, dependency_cycle
from roadmap.timeline import build_timeline
from tests.conftest import Portal
from tests.roadmap.factories import file_request, make_measure, make_service

pytestmark = pytest.mark.django_db


def _edit(measure: Measure, **changes: object) -> Measure:
    values: dict[str, object] = {
        "title": measure.title, "description": measure.description,
        "dimension_key": measure.dimension_key, "start_quarter": measure.start_quarter,
        "end_quarter": measure.end_quarter, "responsible": measure.responsible,
        "status": measure.status,
        "municipality_ids": tuple(measure.municipalities.values_list("pk", flat=True)),
        "request_ids": tuple(measure.requests.values_list("pk", flat=True)),
        "depends_on_ids": tuple(measure.depends_on.values_list("pk", flat=True)),
    }  # fmt: skip
    values.update(changes)
    return services.measure_save(measure=measure, data=MeasureInput(**values), user=None)  # type: ignore[arg-type]


def test_a_measure_keeps_participants_requests_and_dependencies(portal: Portal):
    request = file_request(portal.a, portal.officer_a, make_service())
    summary = RequestSummary.objects.get(request_id=request.pk)
    base = make_measure(title="Civento-Plattform bereitstellen")
    measure = make_measure(
        title="OZG-Anträge anbinden", start="2026-Q3", end="2027-Q2",
        municipalities=(portal.a.pk,), depends_on=(base.pk,),
        requests=(summary.pk,),
    )  # fmt: skip
    assert list(measure.depends_on.all()) == [base]
    assert list(measure.municipalities.all()) == [portal.a]
    assert measure.requests.get().request_id == request.pk


@pytest.mark.parametrize("length", [1, 2, 3])
def test_a_dependency_cycle_is_refused_and_nothing_changes(portal: Portal, length):
    chain = [make_measure()]
    for _ in range(length - 1):
        chain.append(make_measure(depends_on=(chain[-1].pk,)))
    first = chain[0]
    with pytest.raises(RoadmapError, match="Kreis") as refused:
        _edit(first, depends_on_ids=(chain[-1].pk,), title="Geändert")
    assert refused.value.status == 400
    first.refresh_from_db()
    assert first.title != "Geändert"
    assert not first.depends_on.exists()


def test_a_diamond_of_dependencies_is_no_cycle(portal: Portal):
    root = make_measure()
    left = make_measure(depends_on=(root.pk,))
    right = make_measure(depends_on=(root.pk,))
    top = make_measure(depends_on=(left.pk, right.pk))
    assert set(top.depends_on.all()) == {left, right}


def test_the_cycle_check_follows_every_path():
    graph = {2: {1}, 3: {2}, 4: {3, 1}}
    assert dependency_cycle(graph, 1, [4])
    assert dependency_cycle(graph, 1, [1])
    assert not dependency_cycle(graph, 5, [4])
    assert not dependency_cycle(graph, 4, [1])


def test_end_before_start_and_unknown_quarters_are_refused(portal: Portal):
    count = Measure.objects.count()
    with pytest.raises(RoadmapError, match="Ende darf nicht vor dem Beginn"):
        make_measure(start="2027-Q2", end="2026-Q4")
    with pytest.raises(RoadmapError, match="Quartal"):
        make_measure(start="2026-Q5", end="2026-Q4")
    assert Measure.objects.count() == count


def test_a_dependency_on_an_unknown_measure_is_refused(portal: Portal):
    with pytest.raises(RoadmapError, match="gibt es nicht"):
        make_measure(depends_on=(987_654_321,))


def test_a_measure_others_depend_on_cannot_be_deleted(portal: Portal):
    base = make_measure()
    make_measure(depends_on=(base.pk,), title="Folgemaßnahme")
    with pytest.raises(RoadmapError, match="Folgemaßnahme"):
        services.measure_delete(measure=base)
    assert Measure.objects.filter(pk=base.pk).exists()


def test_the_timeline_spans_every_quarter_and_places_each_bar(portal: Portal):
    early = make_measure(title="Früh", start="2026-Q1", end="2026-Q2")
    late = make_measure(title="Spät", start="2027-Q3", end="2028-Q1")
    timeline = build_timeline([early, late])
    labels = [q.label for q in timeline.quarters]
    assert labels[0] == "Q1 2026"
    assert labels[-1] == "Q1 2028"
    assert len(labels) == 9
    assert [y.year for y in timeline.years] == [2026, 2027, 2028]
    first, second = timeline.bars
    assert (first.start, first.end, second.start, second.end) == (
        "Q1 2026", "Q2 2026", "Q3 2027", "Q1 2028",
    )  # fmt: skip
    assert first.width == 2 * 52 - 4
    assert second.x > first.x + first.width
    assert second.width == 3 * 52 - 4
    assert "Q1 2026 bis Q1 2028" in timeline.description


def test_the_target_picture_is_set_changed_and_cleared(portal: Portal):
    services.target_levels_set(levels={("a", 2026): 2, ("a", 2027): 3, ("b", 2026): None})
    assert dict(TargetLevel.objects.filter(dimension_key="a").values_list("year", "level")) == {
        2026: 2, 2027: 3,
    }  # fmt: skip
    services.target_levels_set(levels={("a", 2026): None, ("a", 2027): 4})
    assert dict(TargetLevel.objects.filter(dimension_key="a").values_list("year", "level")) == {
        2027: 4
    }
    with pytest.raises(RoadmapError):
        services.target_levels_set(levels={("a", 2028): 5})


def test_the_trail_names_a_target_by_its_dimensions_title(portal: Portal):
    from izd.audit.models import AuditEntry
    from roadmap import selectors
    from tests.maturity.factories import load_real_model, make_campaign

    make_campaign(load_real_model(), [portal.a])  # a current model, with titled dimensions
    key, title = next(iter(selectors.dimension_titles().items()))
    services.target_levels_set(levels={(key, 2029): 3})
    entry = AuditEntry.objects.filter(action="target_levels_set").latest("id")
    assert entry.changes == [
        {"field": f"Ziel „{title}“ 2029", "before": "", "after": "3", "key": key}
    ]


def test_the_trail_names_a_measures_dimension_and_requests_not_their_keys(portal: Portal):
    from izd.audit.models import AuditEntry
    from roadmap import selectors
    from tests.maturity.factories import load_real_model, make_campaign

    make_campaign(load_real_model(), [portal.a])
    key, title = next(iter(selectors.dimension_titles().items()))
    service = make_service(name=f"E-Akte {key}")
    summary = RequestSummary.objects.get(
        request_id=file_request(portal.a, portal.officer_a, service).pk
    )
    measure = make_measure(dimension_key=key, requests=(summary.pk,))
    entry = AuditEntry.objects.filter(action="measure_save", object_id=str(measure.pk)).get()
    rows = {row["field"]: row["after"] for row in entry.changes}
    assert rows["Handlungsfeld"] == title
    assert rows["Anfragen"] == f"E-Akte {key} ({portal.a.name})"


def test_the_demo_data_loads_twice_without_duplicates(portal: Portal):
    from roadmap.demo import MEASURES, SERVICES, roadmap_demo_load

    roadmap_demo_load()
    counts = (Measure.objects.count(), RequestSummary.objects.count())
    roadmap_demo_load()
    assert (Measure.objects.count(), RequestSummary.objects.count()) == counts
    assert set(t[0] for t in MEASURES) <= set(Measure.objects.values_list("title", flat=True))
    from roadmap.models import Service

    assert Service.objects.filter(name__in=[s[0] for s in SERVICES]).count() == len(SERVICES)
    assert TargetLevel.objects.filter(year=2028).count() >= 9
