from django.apps import AppConfig


class CostsharingConfig(AppConfig):
    """The Kreis' side of costsharing: lives in the public schema."""

    name = "costsharing"
