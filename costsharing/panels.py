"""Start page panel of costsharing: whether each budget year is still open or frozen."""

from __future__ import annotations

from django.utils.translation import gettext as _

from costsharing.models import BudgetYear
from izd.formats import year
from tenants.start_panels import PanelItem, StartContext, StartPanel


def years_panel(context: StartContext) -> StartPanel | None:
    if context.municipality is not None or not context.access.is_kreis_staff:
        return None
    items = tuple(
        PanelItem(year(budget_year.year), budget_year.get_status_display())
        for budget_year in BudgetYear.objects.order_by("-year")[:5]
    )
    if not items:
        return None
    return StartPanel(title=_("Haushaltsjahre"), items=items, order=30)
