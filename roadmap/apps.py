from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    """The Kreis' side of roadmap: lives in the public schema."""

    name = "roadmap"

    def ready(self) -> None:
        from izd.documents import register_builder
        from roadmap.documents import KIND, build_roadmap_pdf
        from tenants.navigation import NavEntry, register

        register_builder(KIND, build_roadmap_pdf)
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
