from django.apps import AppConfig


class RoadmapMunicipalConfig(AppConfig):
    """A municipality's own roadmap data: lives in each municipality's schema."""

    name = "roadmap.municipal"
    label = "roadmap_municipal"
