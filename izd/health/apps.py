from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "izd.health"
    label = "health"
    verbose_name = "Betriebszustand"
    default_auto_field = "django.db.models.BigAutoField"
