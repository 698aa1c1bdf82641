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

        from maturity import panels
        from tenants import start_panels

        start_panels.register("municipality", "maturity.assessment", panels.assessment_panel)
        start_panels.register("kreis", "maturity.campaigns", panels.campaigns_panel)
