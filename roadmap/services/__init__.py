"""Writes of roadmap, one module per part.

- `catalogue`: the Kreis' catalogue of services;
- `requests`: service requests, their workflow, comments and the usage they record; every write
  also updates the public read model `RequestSummary` in the same transaction;
- `measures`: measures with their participants, requests and dependencies;
- `targets`: the target picture;
- `errors`: `RoadmapError`, which every write refuses with.

This package is roadmap's write API: callers import from `roadmap.services` what is re-exported
here, never the submodules' private helpers.
"""

from roadmap.services.catalogue import service_save
from roadmap.services.errors import RoadmapError
from roadmap.services.measures import MeasureInput, dependency_cycle, measure_delete, measure_save
from roadmap.services.requests import (
    RequestInput,
    comment_add,
    service_request_create,
    service_request_transition,
    usage_record_for_request,
    usage_reference,
)
from roadmap.services.targets import target_levels_set

__all__ = [
    "MeasureInput",
    "RequestInput",
    "RoadmapError",
    "comment_add",
    "dependency_cycle",
    "measure_delete",
    "measure_save",
    "service_request_create",
    "service_request_transition",
    "service_save",
    "target_levels_set",
    "usage_record_for_request",
    "usage_reference",
]
