from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The composition root as an app only so that Django finds its management commands
    (start, runtests); it has no models."""

    name = "config"
    verbose_name = "Zusammensetzung"
