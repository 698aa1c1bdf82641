from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    """The Kreis' side of roadmap: lives in the public schema."""

    name = "roadmap"

    def ready(self) -> None:
        from izd.documents import register_builder
        from roadmap.documents import KIND, build_roadmap_pdf
        from tenants.navigation import NavEntry, register

        register_builder(KIND, build_roadmap_pdf)
        self._register_start_panels()
        register(
            "municipality",
            NavEntry(
                label="Leistungen",
                url_name="roadmap:request_list",
                visible=lambda access: access.may_enter_municipality(),
                order=30,
            ),
        )
        register(
            "municipality",
            NavEntry(
                label="Roadmap",
                url_name="roadmap:home",
                visible=lambda access: access.may_enter_municipality(),
                order=35,
            ),
        )
        register(
            "kreis",
            NavEntry(
                label="Leistungsanfragen",
                url_name="roadmap:triage",
                visible=lambda access: access.is_kreis_staff,
                order=30,
            ),
        )
        register(
            "kreis",
            NavEntry(
                label="Roadmap",
                url_name="roadmap:roadmap",
                visible=lambda access: access.is_kreis_staff,
                order=35,
            ),
        )

    def _register_start_panels(self) -> None:
        from roadmap import panels
        from tenants import start_panels

        start_panels.register("municipality", "roadmap.requests", panels.requests_panel)
        start_panels.register("kreis", "roadmap.triage", panels.triage_panel)
