from django.apps import AppConfig


class CostsharingConfig(AppConfig):
    """The Kreis' side of costsharing: lives in the public schema."""

    name = "costsharing"

    def ready(self) -> None:
        from costsharing.documents import register_document_builders
        from tenants.access import Access
        from tenants.models import KreisRole, Membership
        from tenants.navigation import NavEntry, register

        def municipal_visible(access: Access) -> bool:
            return access.has_municipality_role(
                Membership.Role.TREASURER, Membership.Role.DIGITAL_OFFICER
            ) or access.has_kreis_role(KreisRole.Role.COORDINATOR)

        register(
            "municipality",
            NavEntry(
                label="Kostenbeteiligung",
                url_name="costsharing:share",
                visible=municipal_visible,
                order=40,
            ),
        )
        register(
            "municipality",
            NavEntry(
                label="Teilnahme",
                url_name="costsharing:participation",
                visible=municipal_visible,
                order=41,
            ),
        )
        register(
            "kreis",
            NavEntry(
                label="Kostenverteilung",
                url_name="costsharing:year_list",
                visible=lambda access: access.has_kreis_role(
                    KreisRole.Role.COORDINATOR, KreisRole.Role.CENTRE_TREASURER
                ),
                order=40,
            ),
        )
        register_document_builders()

        from costsharing import panels
        from tenants import start_panels

        start_panels.register("kreis", "costsharing.years", panels.years_panel)
        start_panels.register("municipality", "costsharing.share", panels.share_panel)
