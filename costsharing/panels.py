"""Start page panels of costsharing: a member's share of this year with its status, and for
the centre whether each budget year is still open or frozen."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from costsharing import selectors
from costsharing.allocation import AllocationError
from costsharing.models import AllocationLine, BudgetYear
from costsharing.municipal.models import Cooperation
from izd.formats import money, year
from tenants.models import Municipality
from tenants.start_panels import PanelItem, StartContext, StartPanel, link_for


def _share_year(today: date) -> BudgetYear | None:
    """This year's budget year, else the latest one the centre has planned."""
    return BudgetYear.objects.filter(year=today.year).first() or selectors.years().first()


def _share_state(budget_year: BudgetYear, municipality: Municipality) -> tuple[str, str]:
    """(amount, status) of the member's share: the latest frozen version's line, else the
    live calculation (a handful of queries, whatever the number of members)."""
    version = selectors.latest_version(budget_year)
    if version is not None:
        line = AllocationLine.objects.filter(
            version=version, municipality_id=municipality.pk
        ).first()
        if line is None:
            return "", _("nicht an der Verteilung beteiligt")
        if budget_year.is_frozen:
            status = _("festgeschrieben (Version %(n)d), Bescheid abrufbar") % {"n": version.number}
        else:
            status = _("in Korrektur, bisher Version %(n)d") % {"n": version.number}
        return money(line.payable), status
    try:
        allocation = selectors.allocation_live(budget_year)
    except AllocationError as error:
        return "", str(error)
    row = allocation.row_for(municipality.pk)
    if row is None:
        return "", _("nicht an der Verteilung beteiligt")
    return money(row.payable), _("vorläufig, der Haushalt ist in Planung")


def share_panel(context: StartContext) -> StartPanel | None:
    """For the municipality's treasury: this year's share and whether it is final; for whoever
    keeps the participation (the officer too): whether the membership is declared."""
    municipality = context.municipality
    if municipality is None:
        return None
    access = context.access
    items = []
    budget_year = _share_year(timezone.localdate())
    share_url = link_for(access, "costsharing:share_year", budget_year.year) if budget_year else ""
    if budget_year is not None and share_url:
        amount, status = _share_state(budget_year, municipality)
        label = _("Anteil %(year)s") % {"year": year(budget_year.year)}
        items.append(PanelItem(label, f"{amount} – {status}" if amount else status, share_url))
    participation_url = link_for(access, "costsharing:participation")
    if participation_url:
        declared = Cooperation.objects.exists()
        items.append(
            PanelItem(
                _("Teilnahme und Module"),
                _("erklärt") if declared else _("noch nicht erklärt – bitte ergänzen"),
                participation_url,
            )
        )
    if not items:
        return None
    return StartPanel(title=_("Kostenbeteiligung"), items=tuple(items), order=30)


def years_panel(context: StartContext) -> StartPanel | None:
    if context.municipality is not None or not context.access.is_kreis_staff:
        return None
    access = context.access
    items = tuple(
        PanelItem(
            year(budget_year.year),
            budget_year.get_status_display(),
            link_for(access, "costsharing:year_detail", budget_year.year),
        )
        for budget_year in selectors.years()[:5]
    )
    if not items:
        return None
    return StartPanel(title=_("Haushaltsjahre"), items=items, order=30)
