"""Roadmap on a municipality's subdomain: the own requests, the catalogue, the own roadmap and
its PDF."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from izd.http import found_or_404
from izd.listing import Filter, ListSpec, Search, choices_of, listing, render_list
from roadmap import selectors, services
from roadmap.documents import filename_for, title_for
from roadmap.forms import (
    RequestForm,
)
from roadmap.models import RequestStatus
from roadmap.municipal.models import ServiceRequest
from roadmap.services import RequestInput, RoadmapError
from roadmap.views.common import (
    OFFICER,
    SERVICE_LIST,
    TREASURER,
    comment_write,
    detail_context,
    documents_listing,
    measure_origins,
    pdf_flow,
    pdf_requested,
    roadmap_context,
    tenant,
    transition_write,
    user_of,
)
from tenants.access import ALL_MUNICIPALITY_ROLES, get_access
from tenants.access import municipality_role_required as role_required
from tenants.http import PortalRequest

# A municipality's own PDFs, requested on its subdomain by anyone who may see the roadmap.
PDFS = pdf_flow()

# --- municipality: requests -----------------------------------------------------------------


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def municipal_home(request: PortalRequest) -> HttpResponse:
    return redirect("roadmap:home")


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def catalogue(request: PortalRequest) -> HttpResponse:
    return render_list(
        request,
        "roadmap/catalogue.html",
        {
            "services": listing(request, selectors.service_list(open_only=True), SERVICE_LIST),
            "may_request": _may_request(request),
        },
    )


def _may_request(request: PortalRequest) -> bool:
    access = get_access(request)
    return access.has_municipality_role(OFFICER, TREASURER) or access.is_coordinator


OWN_REQUEST_LIST = ListSpec(
    key="anfragen",
    label="Leistungsanfragen",
    noun="Anfrage,Anfragen",
    search=Search(label="Leistung oder Bedarf", apply=selectors.own_requests_search),
    filters=(
        Filter(
            "status",
            "Status",
            [("offen", "alle offenen"), *RequestStatus.choices],
            apply=selectors.own_requests_with_status,
        ),
        Filter(
            "leistung",
            "Leistung",
            lambda: choices_of(selectors.service_list().order_by("name", "pk"), "pk", "name"),
            lookup="service_id",
        ),
    ),
    ordering=("-created_at", "-pk"),
)


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def request_list(request: PortalRequest) -> HttpResponse:
    requests = listing(request, selectors.own_requests(), OWN_REQUEST_LIST)
    return render_list(
        request,
        "roadmap/request_list.html",
        {
            "requests": requests,
            "rows": selectors.own_request_rows(requests.rows),
            "may_request": _may_request(request),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(OFFICER, TREASURER)
def request_create(request: PortalRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, initial={"service": request.GET.get("leistung")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = RequestInput(
                service_id=form.cleaned_data["service"],
                need=form.cleaned_data["need"],
                quantity=form.cleaned_data["quantity"],
                priority=form.cleaned_data["priority"],
                wished_date=form.cleaned_data["wished_date"],
            )
            access = get_access(request)
            try:
                created = services.service_request_create(
                    municipality=tenant(request),
                    data=data,
                    user=user_of(request),
                    roles=access.municipality_roles,
                    is_coordinator=access.is_coordinator,
                )
            except RoadmapError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, "Ihre Anfrage ist eingereicht.")
                return redirect("roadmap:request_detail", request_id=created.pk)
    return render(request, "roadmap/request_form.html", {"form": form}, status=status)


def _own_request(request_id: uuid.UUID) -> ServiceRequest:
    found = selectors.own_request(request_id)
    return found_or_404(found, "Diese Anfrage gibt es in Ihrer Kommune nicht.")


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def request_detail(request: PortalRequest, request_id: uuid.UUID) -> HttpResponse:
    service_request = _own_request(request_id)
    context = detail_context(request, service_request, municipality=tenant(request), by_kreis=False)
    return render(request, "roadmap/request_detail.html", context)


@require_POST
@role_required(OFFICER)
def request_withdraw(request: PortalRequest, request_id: uuid.UUID) -> HttpResponse:
    _own_request(request_id)
    return transition_write(
        request, tenant(request), request_id, by_kreis=False,
        invalid="Bitte eine Begründung angeben.", success="Die Anfrage ist zurückgezogen.",
    )  # fmt: skip


@require_POST
@role_required(OFFICER, TREASURER)
def request_comment(request: PortalRequest, request_id: uuid.UUID) -> HttpResponse:
    _own_request(request_id)
    access = get_access(request)
    by_kreis = access.is_coordinator and not access.is_member
    return comment_write(request, tenant(request), request_id, by_kreis=by_kreis)


# --- municipality: own roadmap --------------------------------------------------------------


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def municipal_roadmap(request: PortalRequest) -> HttpResponse:
    municipality = tenant(request)
    context = roadmap_context(municipality)
    context.update(documents_listing(request, PDFS))
    context["gaps"] = selectors.municipality_gaps(municipality, timezone.localdate().year)
    context["pdf_url"] = reverse("roadmap:pdf_request")
    context["scope"] = municipality.name
    context["measure_origins"] = measure_origins(request, context["measures"])
    return render(request, "roadmap/municipal_roadmap.html", context)


@require_POST
@role_required(*ALL_MUNICIPALITY_ROLES)
def municipal_pdf_request(request: PortalRequest) -> HttpResponse:
    municipality = tenant(request)
    document = PDFS.request(
        request,
        params={"municipality_id": municipality.pk},
        title=title_for(municipality),
        filename=filename_for(municipality),
    )
    return pdf_requested(request, PDFS, document, reverse("roadmap:home"))


@require_http_methods(["GET", "POST"])
@role_required(*ALL_MUNICIPALITY_ROLES)
def municipal_pdf_status(request: PortalRequest, document_id: int) -> HttpResponse:
    """The progress partial; POST sends a failed PDF again (everyone who may request one)."""
    return PDFS.status(request, document_id)


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def municipal_pdf_download(request: PortalRequest, document_id: int) -> HttpResponseBase:
    return PDFS.download(request, document_id)
