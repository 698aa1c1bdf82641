from django.apps import AppConfig


class PracticesConfig(AppConfig):
    """The best-practice exchange ("Einer für alle"). Lives in the public schema."""

    name = "roadmap.practices"
    label = "roadmap_practices"

    def ready(self) -> None:
        from maturity.related import related_register
        from roadmap.origins import origins_register
        from roadmap.practices.origins import adoption_origins
        from roadmap.practices.selectors import practices_for_gaps
        from tenants.access import Access
        from tenants.navigation import NavEntry, register

        related_register(practices_for_gaps)
        origins_register(adoption_origins)
        self._register_reminders()
        register(
            "municipality",
            NavEntry(
                label="Praxisbeispiele",
                url_name="practices:list",
                visible=lambda access: access.may_enter_municipality(),
                order=50,
            ),
        )

        def kreis_visible(access: Access) -> bool:
            return access.is_kreis_staff

        register(
            "kreis",
            NavEntry(
                label="Praxisbeispiele",
                url_name="practices:list",
                visible=kreis_visible,
                order=50,
            ),
        )

    def _register_reminders(self) -> None:
        from django.conf import settings

        from izd.periodic import periodic_register

        # Sent by the workers' dispatcher; the task reminds each registered person once.
        periodic_register(
            "practices.send_event_reminders", lambda: int(settings.EVENT_REMINDER_SECONDS)
        )
