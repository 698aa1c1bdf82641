from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    """The Kreis' side of roadmap: lives in the public schema."""

    name = "roadmap"
