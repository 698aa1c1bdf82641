from django.apps import AppConfig


class IzdConfig(AppConfig):
    name = "izd"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from izd import checks  # noqa: F401  (registers the system checks)
        from izd.numbers import install_form_field_checks
        from izd.timestamps import use_c_loader

        install_form_field_checks()
        connection_created.connect(use_c_loader, dispatch_uid="izd.timestamps")
