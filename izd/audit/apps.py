from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "izd.audit"
    label = "audit"
    verbose_name = "Änderungsprotokoll"
    default_auto_field = "django.db.models.BigAutoField"
