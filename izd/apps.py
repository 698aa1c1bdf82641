from django.apps import AppConfig


class IzdConfig(AppConfig):
    name = "izd"
    verbose_name = "Portal"
