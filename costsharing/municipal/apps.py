from django.apps import AppConfig


class CostsharingMunicipalConfig(AppConfig):
    """A municipality's own costsharing data: lives in each municipality's schema."""

    name = "costsharing.municipal"
    label = "costsharing_municipal"
