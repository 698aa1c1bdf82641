from django.apps import AppConfig


class PapersConfig(AppConfig):
    """Council decision papers (Beschlussvorlagen): the Kreis' templates, one paper per member,
    the councils' decisions. Lives in the public schema."""

    name = "roadmap.papers"
    label = "roadmap_papers"
