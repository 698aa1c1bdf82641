"""Shared by both audiences of roadmap: the roadmap page's context, its PDF (izd.document_flow)
and the panel of one request."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from izd.document_flow import DocumentFlow
from izd.http import found_or_404
from izd.listing import Filter, ListSpec, Search
from izd.models import Document
from izd.numbers import ascii_int
from izd.schemas import tenant_schema
from roadmap import selectors, services, workflow
from roadmap.documents import KIND
from roadmap.forms import CommentForm, TransitionForm
from roadmap.models import Service
from roadmap.municipal.models import ServiceRequest
from roadmap.origins import origins_of
from roadmap.services import RoadmapError
from roadmap.timeline import build_timeline
from tenants.access import get_access
from tenants.http import PortalRequest
from tenants.models import KreisRole, Membership, Municipality, User

OFFICER = Membership.Role.DIGITAL_OFFICER
TREASURER = Membership.Role.TREASURER
COORDINATOR = KreisRole.Role.COORDINATOR


def tenant(request: PortalRequest) -> Municipality:
    return request.tenant


def user_of(request: PortalRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def render_page(
    request: PortalRequest, template: str, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The whole page, or only the named partial when htmx asks."""
    name = f"{template}#{partial}" if request.htmx else template
    return render(request, name, context, status=status)


def viewer_municipality(request: PortalRequest) -> Municipality | None:
    return None if request.tenant.is_kreis else request.tenant


def measure_origins(request: PortalRequest, measures: list[Any]) -> dict[Any, Any]:
    """What the measures arose from (a practice, …), as far as this person may see it."""
    return origins_of(
        "measure", [m.pk for m in measures], get_access(request), viewer_municipality(request)
    )


def roadmap_context(municipality: Municipality | None) -> dict[str, Any]:
    measures = list(selectors.measure_list(municipality))
    picture = selectors.target_picture()
    return {
        "measures": measures,
        "timeline": build_timeline(measures),
        "groups": selectors.measures_by_dimension(measures),
        "picture": picture,
        "dimension_titles": selectors.dimension_titles(),
    }


# --- documents (shared by both sides) -------------------------------------------------------


def pdf_flow(**audience: Any) -> DocumentFlow:
    """The roadmap PDF as one audience reaches it (both domains use the same URL names)."""
    return DocumentFlow(
        kind=KIND,
        status_url="roadmap:pdf_status",
        download_url="roadmap:pdf_download",
        missing="Dieses Dokument gibt es hier nicht.",
        **audience,
    )


def pdf_requested(
    request: PortalRequest, flow: DocumentFlow, document: Document, back: str
) -> HttpResponse:
    return flow.requested(request, document, back=f"{back}?dokument={document.pk}")


def documents_listing(request: PortalRequest, flow: DocumentFlow) -> dict[str, Any]:
    listed = flow.listing(request)
    current = None
    wanted = ascii_int(request.GET.get("dokument", ""))
    if wanted is not None:
        current = next((d for d in listed if d.pk == wanted), None)
    return {
        "documents": listed,
        "current_document": current,
        "current_urls": flow.urls(current) if current else {},
    }


def detail_context(
    request: PortalRequest,
    service_request: ServiceRequest,
    *,
    municipality: Municipality,
    by_kreis: bool,
    error: str = "",
    comment_form: CommentForm | None = None,
) -> dict[str, Any]:
    access = get_access(request)
    detail = selectors.request_detail(service_request)
    if by_kreis:
        may_move = access.is_coordinator
        may_comment = access.is_coordinator
        base = reverse("roadmap:kreis_request_detail", args=[service_request.pk])
    else:
        may_move = access.has_municipality_role(OFFICER)
        may_comment = access.has_municipality_role(OFFICER, TREASURER) or access.is_coordinator
        base = reverse("roadmap:request_detail", args=[service_request.pk])
    actions = [
        {
            "status": status,
            "label": workflow.ACTION_LABELS[status],
            "needs_reason": status in workflow.REASON_REQUIRED,
        }
        for status in workflow.next_statuses(service_request.status, by_kreis=by_kreis)
    ]
    return {
        "detail": detail,
        "service_request": service_request,
        "municipality": municipality,
        "by_kreis": by_kreis,
        "actions": actions if may_move else [],
        "may_comment": may_comment,
        "comment_form": comment_form or CommentForm(),
        "transition_url": base + ("status/" if by_kreis else "zurueckziehen/"),
        "comment_url": base + "kommentar/",
        "error": error,
        "origins": origins_of(
            "request", [service_request.pk], access, viewer_municipality(request)
        ).get(service_request.pk, []),
    }


def after_write(
    request: PortalRequest,
    *,
    municipality: Municipality,
    request_id: uuid.UUID,
    by_kreis: bool,
    error: RoadmapError | None,
    comment_form: CommentForm | None = None,
    success: str = "",
) -> HttpResponse:
    """Show the request's panel again: updated, or with the refusal and a 4xx status."""
    with tenant_schema(municipality):
        service_request = found_or_404(
            selectors.own_request(request_id), "Diese Anfrage gibt es nicht."
        )
        if error is None and not request.htmx:
            messages.success(request, success)
            url = (
                reverse("roadmap:kreis_request_detail", args=[request_id])
                if by_kreis
                else reverse("roadmap:request_detail", args=[request_id])
            )
            return redirect(url)
        context = detail_context(
            request, service_request, municipality=municipality, by_kreis=by_kreis,
            error=error.message if error else "", comment_form=comment_form,
        )  # fmt: skip
        context["success"] = success if error is None else ""
        return render_page(
            request, "roadmap/request_detail.html", "panel", context,
            status=error.status if error else 200,
        )  # fmt: skip


def _write(
    request: PortalRequest,
    municipality: Municipality,
    request_id: uuid.UUID,
    *,
    by_kreis: bool,
    form: CommentForm | TransitionForm,
    invalid: str,
    write: Callable[[dict[str, Any]], object],
    success: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """Run `write` with the form's data, then show the request's panel again. A form that is not
    valid is refused with `invalid`, a refused write with its own message; a refused comment
    keeps its text in the form."""
    error = None if form.is_valid() else RoadmapError(invalid, 400)
    if error is None:
        try:
            write(form.cleaned_data)
        except RoadmapError as refused:
            error = refused
    return after_write(
        request, municipality=municipality, request_id=request_id, by_kreis=by_kreis,
        error=error, comment_form=form if error and isinstance(form, CommentForm) else None,
        success=success(form.cleaned_data) if error is None else "",
    )  # fmt: skip


def comment_write(
    request: PortalRequest, municipality: Municipality, request_id: uuid.UUID, *, by_kreis: bool
) -> HttpResponse:
    def write(data: dict[str, Any]) -> object:
        return services.comment_add(
            municipality=municipality, request_id=request_id, user=user_of(request),
            text=data["text"], by_kreis=by_kreis,
        )  # fmt: skip

    return _write(
        request, municipality, request_id, by_kreis=by_kreis, form=CommentForm(request.POST),
        invalid="Bitte einen Kommentar mit höchstens 4000 Zeichen schreiben.", write=write,
        success=lambda _data: "Ihr Kommentar ist gespeichert.",
    )  # fmt: skip


def transition_write(
    request: PortalRequest,
    municipality: Municipality,
    request_id: uuid.UUID,
    *,
    by_kreis: bool,
    invalid: str,
    success: str = "",
) -> HttpResponse:
    """Move the request to the form's status; `success` defaults to naming the new status."""

    def write(data: dict[str, Any]) -> object:
        return services.service_request_transition(
            municipality=municipality, request_id=request_id, to_status=data["status"],
            user=user_of(request), by_kreis=by_kreis, reason=data["reason"],
            expected_status=data["expected"] or None,
        )  # fmt: skip

    return _write(
        request, municipality, request_id, by_kreis=by_kreis, form=TransitionForm(request.POST),
        invalid=invalid, write=write,
        success=lambda data: success or f"Neuer Status: {workflow.label(data['status'])}.",
    )  # fmt: skip


# The catalogue on both sides: search in names and descriptions, a category filter, pages in the
# catalogue's order (category, name).
SERVICE_LIST = ListSpec(
    key="leistungen",
    label="Leistungskatalog",
    noun="Leistung,Leistungen",
    search=Search(label="Name oder Beschreibung", fields=("name", "description")),
    filters=(Filter("kategorie", "Kategorie", Service.Category.choices, lookup="category"),),
    ordering=("category", "name"),
)
