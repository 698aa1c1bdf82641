from django.apps import AppConfig


class MaturityConfig(AppConfig):
    """The Kreis' side of maturity: lives in the public schema."""

    name = "maturity"

    def ready(self) -> None:
        from tenants.navigation import NavEntry, register

        register(
            "municipality",
            NavEntry(
                label="Reifegrad",
                url_name="maturity:home",
                visible=lambda access: access.may_enter_municipality(),
                order=20,
            ),
        )
        register(
            "kreis",
            NavEntry(
                label="Reifegrad",
                url_name="maturity:campaign_list",
                visible=lambda access: access.is_kreis_staff,
                order=20,
            ),
        )
