"""Shared by both audiences of cost sharing: roles, the user-facing errors and their page.

Every error a person can fix comes back as a German message with a 4xx status and changes
nothing: 400 for bad input, 409 for a frozen year, 422 where no e-invoice can be made.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render

from costsharing import selectors, services
from costsharing.allocation import AllocationError
from costsharing.models import BudgetYear
from costsharing.xrechnung import EInvoiceError
from tenants.http import PortalRequest
from tenants.models import KreisRole, Membership, Municipality

COORDINATOR = KreisRole.Role.COORDINATOR
CENTRE_TREASURER = KreisRole.Role.CENTRE_TREASURER
KREIS_ROLES = (COORDINATOR, CENTRE_TREASURER)
TREASURER = Membership.Role.TREASURER
OFFICER = Membership.Role.DIGITAL_OFFICER

USER_ERRORS = (services.CostsharingError, AllocationError, EInvoiceError, ValidationError)


def error_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return services.validation_message(error)
    return str(error)


def error_status(error: Exception) -> int:
    if isinstance(error, services.FrozenYearError):
        return 409
    if isinstance(error, EInvoiceError):
        return 422
    return 400


def error_page(request: PortalRequest, error: Exception, back: str = "") -> HttpResponse:
    return render(
        request,
        "costsharing/error.html",
        {"message": error_message(error), "back": back},
        status=error_status(error),
    )


def form_error(request: PortalRequest, form: Any, back: str = "") -> HttpResponse:
    errors = [str(e) for e in form.non_field_errors()]
    for name, field_errors in form.errors.items():
        if name != "__all__":
            label = form.fields[name].label if name in form.fields else name
            errors.extend(f"{label}: {e}" for e in field_errors)
    return render(
        request,
        "costsharing/error.html",
        {"message": " ".join(errors), "back": back},
        status=400,
    )


def budget_year_or_404(year: int) -> BudgetYear:
    budget_year = selectors.year_get(year)
    if budget_year is None:
        raise Http404(f"Für {year} ist kein Haushaltsjahr angelegt.")
    return budget_year


def attachment(content: bytes, mime: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def tenant(request: PortalRequest) -> Municipality:
    return request.tenant
