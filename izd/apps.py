from django.apps import AppConfig


class IzdConfig(AppConfig):
    name = "izd"
    verbose_name = "Portal"

    def ready(self) -> None:
        from izd import checks  # noqa: F401  (registers the system checks)
        from izd.numbers import install_form_field_checks

        install_form_field_checks()
