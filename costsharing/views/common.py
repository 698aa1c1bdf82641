"""Shared by both audiences of cost sharing: roles, the budget year, the tenant.

Every error a person can fix comes back as a German message with a 4xx status and changes
nothing: 400 for bad input, 409 for a frozen year, 422 where no e-invoice can be made. The
services raise them (izd.exceptions.PortalError); izd.errors answers them.
"""

from __future__ import annotations

from costsharing import selectors
from costsharing.models import BudgetYear
from izd.http import found_or_404
from tenants.http import PortalRequest
from tenants.models import KreisRole, Membership, Municipality

COORDINATOR = KreisRole.Role.COORDINATOR
CENTRE_TREASURER = KreisRole.Role.CENTRE_TREASURER
KREIS_ROLES = (COORDINATOR, CENTRE_TREASURER)
TREASURER = Membership.Role.TREASURER
OFFICER = Membership.Role.DIGITAL_OFFICER


def budget_year_or_404(year: int) -> BudgetYear:
    return found_or_404(selectors.year_get(year), f"Für {year} ist kein Haushaltsjahr angelegt.")


def tenant(request: PortalRequest) -> Municipality:
    return request.tenant
