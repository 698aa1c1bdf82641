from django.apps import AppConfig


class MaturityConfig(AppConfig):
    """The Kreis' side of maturity: lives in the public schema."""

    name = "maturity"
