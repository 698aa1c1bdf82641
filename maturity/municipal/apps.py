from django.apps import AppConfig


class MaturityMunicipalConfig(AppConfig):
    """A municipality's own maturity data: lives in each municipality's schema."""

    name = "maturity.municipal"
    label = "maturity_municipal"
