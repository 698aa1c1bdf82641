from django.apps import AppConfig


class PapersConfig(AppConfig):
    """Council decision papers (Beschlussvorlagen): the Kreis' templates, one paper per member,
    the councils' decisions. Lives in the public schema."""

    name = "roadmap.papers"
    label = "roadmap_papers"

    def ready(self) -> None:
        from costsharing.services import freeze_check_register
        from izd.documents import register_builder
        from roadmap.papers.builders import build_paper
        from roadmap.papers.selectors import freeze_blocker
        from roadmap.papers.services import KIND
        from tenants.access import Access
        from tenants.navigation import NavEntry, register

        register_builder(KIND, build_paper)
        self._register_start_panels()
        freeze_check_register(freeze_blocker)
        register(
            "municipality",
            NavEntry(
                label="Beschlussvorlagen",
                url_name="papers:municipal_list",
                visible=lambda access: access.may_enter_municipality(),
                order=45,
            ),
        )

        def kreis_visible(access: Access) -> bool:
            return access.is_coordinator or access.is_centre_treasurer

        register(
            "kreis",
            NavEntry(
                label="Beschlussvorlagen",
                url_name="papers:home",
                visible=kreis_visible,
                order=45,
            ),
        )

    def _register_start_panels(self) -> None:
        from roadmap.papers import panels
        from tenants import start_panels

        start_panels.register("municipality", "papers.awaiting", panels.municipal_panel)
        start_panels.register("kreis", "papers.years", panels.kreis_panel)
