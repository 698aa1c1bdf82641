"""The start page panels of tenants itself: invitations and people."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tenants import selectors
from tenants.models import Membership
from tenants.start_panels import PanelItem, StartContext, StartPanel, link_for

SHOWN = 5  # names on the panel; a state-wide centre may have hundreds


def _named(names: list[str], total: int) -> str:
    if not names:
        return _("keine")
    text = ", ".join(names)
    if total > len(names):
        text += " " + _("und %(n)d weitere") % {"n": total - len(names)}
    return f"{total}: {text}"


def invitations_panel(context: StartContext) -> StartPanel | None:
    """For the municipality's digital officer: invitations still waiting for an answer."""
    access = context.access
    if context.municipality is None or not (
        access.has_municipality_role(Membership.Role.DIGITAL_OFFICER) or access.is_coordinator
    ):
        return None
    url = link_for(access, "people")
    if not url:
        return None
    pending, expired = selectors.invitation_counts(municipality=context.municipality)
    if not pending and not expired:
        return None  # nothing waits; inviting is one click away under "Personen"
    return StartPanel(
        title=_("Einladungen"),
        items=(
            PanelItem(_("offen"), str(pending), url),
            PanelItem(_("abgelaufen, erneut senden oder zurückziehen"), str(expired), url),
        ),
        order=90,
    )


def people_panel(context: StartContext) -> StartPanel | None:
    """For the coordinator: invitations and municipalities without a digital officer."""
    if context.municipality is not None or not context.access.is_coordinator:
        return None
    url = link_for(context.access, "people")
    pending, expired = selectors.invitation_counts()
    without_officer = selectors.municipalities_without_officer()
    without = list(without_officer.values_list("name", flat=True)[:SHOWN])
    total = without_officer.count()
    return StartPanel(
        title=_("Personen"),
        items=(
            PanelItem(_("offene Einladungen"), str(pending), url),
            PanelItem(_("abgelaufene Einladungen"), str(expired), url),
            PanelItem(
                _("Kommunen ohne Digitalisierungsbeauftragte"),
                _named(without[:SHOWN], total),
                url,
            ),
        ),
        order=90,
    )
