"""Start page panels of maturity: the assessment of the municipality, the campaigns' progress."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from izd.formats import day
from maturity.models import Campaign, Participation
from tenants.start_panels import PanelItem, StartContext, StartPanel, link_for


def assessment_panel(context: StartContext) -> StartPanel | None:
    """The open assessment of this municipality: how far it is and until when."""
    if context.municipality is None:
        return None
    participation = (
        Participation.objects.filter(
            municipality=context.municipality, campaign__status=Campaign.Status.OPEN
        )
        .select_related("campaign")
        .order_by("campaign__end_date")
        .first()
    )
    url = link_for(context.access, "maturity:home")
    if participation is None or not url:
        return None
    return StartPanel(
        title=_("Reifegrad: %(name)s") % {"name": participation.campaign.name},
        items=(
            PanelItem(
                _("beantwortet"),
                _("%(done)d von %(all)d Fragen")
                % {"done": participation.answered_count, "all": participation.question_count},
                url,
            ),
            PanelItem(_("Stand"), participation.get_status_display()),
            PanelItem(_("Abgabe bis"), day(participation.campaign.end_date)),
        ),
        order=10,
    )


def campaigns_panel(context: StartContext) -> StartPanel | None:
    """For the Kreis' staff: each open campaign with how many municipalities submitted."""
    url = link_for(context.access, "maturity:campaign_list")
    if context.municipality is not None or not context.access.is_kreis_staff or not url:
        return None
    campaigns = (
        Campaign.objects.filter(status=Campaign.Status.OPEN)
        .annotate(
            total=Count("participations"),
            submitted=Count(
                "participations",
                filter=Q(participations__status=Participation.Status.SUBMITTED),
            ),
        )
        .order_by("end_date", "name")
    )
    items = tuple(
        PanelItem(
            campaign.name,
            _("%(done)d von %(all)d abgegeben, bis %(end)s")
            % {"done": campaign.submitted, "all": campaign.total, "end": day(campaign.end_date)},
            url,
        )
        for campaign in campaigns
    )
    if not items:
        items = (PanelItem(_("Keine offene Erhebung")),)
    return StartPanel(title=_("Erhebungen"), items=items, order=10)
