from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Kommunen und Personen"

    def ready(self) -> None:
        from tenants import checks  # noqa: F401  (registers the database check)
        from tenants.navigation import NavEntry, register

        for area in ("municipality", "kreis"):
            register(
                area,
                NavEntry(label="Personen", url_name="people", visible=lambda a: True, order=80),
            )
            register(
                area,
                NavEntry(
                    label="Protokoll", url_name="audit_list", visible=lambda a: True, order=85
                ),
            )

        from izd.views import register_health_viewer
        from tenants import panels, start_panels
        from tenants.access import get_access

        register_health_viewer(lambda request: get_access(request).is_kreis_staff)

        start_panels.register("municipality", "tenants.invitations", panels.invitations_panel)
        start_panels.register("kreis", "tenants.people", panels.people_panel)

        from django.contrib.auth.signals import user_logged_in

        from tenants import signin

        # A new session's person is known from its first request on (tenants/signin.py).
        user_logged_in.connect(signin.signed_in, dispatch_uid="tenants.signin")
