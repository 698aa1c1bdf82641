# Long because the Kreis side of the roadmap serves triage, the catalogue, measures and the
# roadmap documents, each a thin view with its list specification beside it.
"""Roadmap on the Kreis domain: triage of all requests (read model), catalogue, measures,
suggestions, target picture, the county roadmap and its PDF."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from izd.document_flow import kreis_schema
from izd.exceptions import PortalError
from izd.http import found_or_404
from izd.listing import Filter, ListSpec, Search, choices_of, listing, render_list
from izd.numbers import ascii_int
from izd.schemas import tenant_schema
from roadmap import selectors, services
from roadmap.documents import filename_for, title_for
from roadmap.forms import (
    MeasureForm,
    PdfForm,
    ServiceForm,
    TargetPictureForm,
)
from roadmap.models import Measure, Priority, Service
from roadmap.services import RoadmapError
from roadmap.views.common import (
    COORDINATOR,
    SERVICE_LIST,
    comment_write,
    detail_context,
    documents_listing,
    measure_origins,
    pdf_flow,
    pdf_requested,
    render_page,
    roadmap_context,
    transition_write,
    user_of,
)
from tenants import selectors as tenant_selectors
from tenants.access import get_access, kreis_role_required
from tenants.http import PortalRequest

# The county's PDFs, requested by the coordinator on the Kreis domain.
PDFS = pdf_flow(schema=kreis_schema, may_retry=lambda request: get_access(request).is_coordinator)

# --- Kreis: triage and requests -------------------------------------------------------------


@require_GET
@kreis_role_required()
def kreis_home(request: PortalRequest) -> HttpResponse:
    return redirect("roadmap:roadmap")


def _int_or_none(value: str | None) -> int | None:
    return ascii_int(value)


TRIAGE_LIST = ListSpec(
    key="anfragen",
    label="Leistungsanfragen",
    noun="Anfrage,Anfragen",
    search=Search(
        label="Kommune, Leistung oder Bedarf",
        fields=("municipality__name", "service__name", "need"),
        prefix_fields=("municipality__ags",),
    ),
    filters=(
        Filter(
            "status",
            "Status",
            selectors.status_options,
            apply=selectors.requests_with_status,
            default="offen",
        ),
        Filter(
            "leistung",
            "Leistung",
            lambda: choices_of(selectors.service_list().order_by("name", "pk"), "pk", "name"),
            lookup="service_id",
        ),
        Filter(
            "kommune",
            "Kommune",
            lambda: choices_of(tenant_selectors.municipality_list(), "slug", "name"),
            lookup="municipality__slug",
        ),
        Filter("prioritaet", "Priorität", Priority.choices, lookup="priority"),
    ),
    ordering=("-submitted_at", "-pk"),
)


MEASURE_LIST = ListSpec(
    key="massnahmen",
    label="Maßnahmen",
    noun="Maßnahme,Maßnahmen",
    search=Search(
        label="Titel, Beschreibung oder Verantwortlich",
        fields=("title", "description", "responsible"),
    ),
    filters=(
        Filter(
            "feld",
            "Handlungsfeld",
            lambda: [(d.key, d.title) for d in selectors.dimensions()],
            lookup="dimension_key",
        ),
        Filter("status", "Status", Measure.Status.choices),
        Filter(
            "kommune",
            "Kommune",
            lambda: choices_of(tenant_selectors.municipality_list(), "slug", "name"),
            apply=selectors.measures_of_municipality,
        ),
    ),
    ordering=("dimension_position", "start_quarter", "end_quarter", "title"),
)


@require_GET
@kreis_role_required()
def triage(request: PortalRequest) -> HttpResponse:
    rows = listing(request, selectors.triage(), TRIAGE_LIST)
    return render_list(request, "roadmap/kreis/triage.html", {"rows": rows})


def _summary(request_id: uuid.UUID) -> Any:
    return found_or_404(selectors.summary_get(request_id), "Diese Anfrage gibt es nicht.")


@require_GET
@kreis_role_required()
def kreis_request_detail(request: PortalRequest, request_id: uuid.UUID) -> HttpResponse:
    summary = _summary(request_id)
    with tenant_schema(summary.municipality):
        service_request = found_or_404(
            selectors.own_request(request_id), "Diese Anfrage gibt es nicht."
        )
        context = detail_context(
            request, service_request, municipality=summary.municipality, by_kreis=True
        )
        context["summary"] = summary
        return render(request, "roadmap/request_detail.html", context)


@require_POST
@kreis_role_required(COORDINATOR)
def kreis_request_transition(request: PortalRequest, request_id: uuid.UUID) -> HttpResponse:
    summary = _summary(request_id)
    return transition_write(
        request, summary.municipality, request_id, by_kreis=True, invalid="Unbekannter Status."
    )


@require_POST
@kreis_role_required(COORDINATOR)
def kreis_request_comment(request: PortalRequest, request_id: uuid.UUID) -> HttpResponse:
    summary = _summary(request_id)
    return comment_write(request, summary.municipality, request_id, by_kreis=True)


# --- Kreis: catalogue -----------------------------------------------------------------------


@require_GET
@kreis_role_required()
def service_list(request: PortalRequest) -> HttpResponse:
    services_found = listing(request, selectors.service_list(), SERVICE_LIST)
    return render_list(request, "roadmap/kreis/service_list.html", {"services": services_found})


def _service_form(request: PortalRequest, service: Service) -> HttpResponse:
    form = ServiceForm(request.POST or None, instance=service)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.service_save(service=form.save(commit=False))
            messages.success(request, f"Die Leistung „{service.name}“ ist gespeichert.")
            return redirect("roadmap:service_list")
        status = 400
    return render(
        request,
        "roadmap/kreis/service_form.html",
        {"form": form, "service": service},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@kreis_role_required(COORDINATOR)
def service_create(request: PortalRequest) -> HttpResponse:
    return _service_form(request, Service())


@require_http_methods(["GET", "POST"])
@kreis_role_required(COORDINATOR)
def service_edit(request: PortalRequest, service_id: int) -> HttpResponse:
    service = found_or_404(selectors.service_get(service_id), "Diese Leistung gibt es nicht.")
    return _service_form(request, service)


# --- Kreis: measures, suggestions, target picture -------------------------------------------


@require_GET
@kreis_role_required()
def measure_list(request: PortalRequest) -> HttpResponse:
    measures = listing(request, selectors.measures_in_model_order(), MEASURE_LIST)
    return render_list(
        request,
        "roadmap/kreis/measure_list.html",
        {
            "measures": measures,
            "groups": selectors.measures_by_dimension(measures.rows),
            "measure_origins": measure_origins(request, measures.rows),
        },
    )


def _ids(values: list[str]) -> tuple[int, ...]:
    return tuple(n for n in map(ascii_int, values) if n is not None)


def _measure_form(request: PortalRequest, measure: Measure | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if measure is None:
        year = timezone.localdate().year
        initial = {
            "title": request.GET.get("titel", ""),
            "dimension_key": request.GET.get("feld", ""),
            "start_quarter": f"{year}-Q3",
            "end_quarter": f"{year + 1}-Q2",
            "requests": _ids(request.GET.getlist("anfrage")),
            "municipalities": _ids(request.GET.getlist("kommune")),
            "description": request.GET.get("beschreibung", ""),
        }
    else:
        links = selectors.measure_links(measure)
        initial = {
            "title": measure.title, "description": measure.description,
            "dimension_key": measure.dimension_key, "start_quarter": measure.start_quarter,
            "end_quarter": measure.end_quarter, "responsible": measure.responsible,
            "status": measure.status,
            "municipalities": links.municipality_ids, "requests": links.request_ids,
            "depends_on": links.depends_on_ids,
        }  # fmt: skip
    form = MeasureForm(request.POST or None, initial=initial, measure=measure)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.measure_save(
                    measure=measure, data=form.to_input(), user=user_of(request)
                )
            except RoadmapError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, f"Die Maßnahme „{saved.title}“ ist gespeichert.")
                return redirect("roadmap:measure_list")
    return render(
        request, "roadmap/kreis/measure_form.html",
        {
            "form": form,
            "measure": measure,
            "origins": measure_origins(request, [measure]).get(measure.pk, []) if measure else [],
        },
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@kreis_role_required(COORDINATOR)
def measure_create(request: PortalRequest) -> HttpResponse:
    return _measure_form(request, None)


def _measure(measure_id: int) -> Measure:
    return found_or_404(selectors.measure_get(measure_id), "Diese Maßnahme gibt es nicht.")


@require_http_methods(["GET", "POST"])
@kreis_role_required(COORDINATOR)
def measure_edit(request: PortalRequest, measure_id: int) -> HttpResponse:
    return _measure_form(request, _measure(measure_id))


@require_POST
@kreis_role_required(COORDINATOR)
def measure_delete(request: PortalRequest, measure_id: int) -> HttpResponse:
    measure = _measure(measure_id)
    try:
        services.measure_delete(measure=measure)
    except RoadmapError as error:
        messages.error(request, error.message)
        return redirect("roadmap:measure_edit", measure_id=measure_id)
    messages.success(request, "Die Maßnahme ist gelöscht.")
    return redirect("roadmap:measure_list")


@require_GET
@kreis_role_required()
def suggestions(request: PortalRequest) -> HttpResponse:
    found = selectors.suggestions()
    return render(request, "roadmap/kreis/suggestions.html", {"suggestions": found})


@require_http_methods(["GET", "POST"])
@kreis_role_required()
def target_picture(request: PortalRequest) -> HttpResponse:
    access = get_access(request)
    picture = selectors.target_picture(_years(request))
    form = TargetPictureForm(request.POST or None, picture=picture)
    status = 200
    if request.method == "POST":
        if not access.is_coordinator:
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                services.target_levels_set(levels=form.levels())
            except RoadmapError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, "Das Zielbild ist gespeichert.")
                return redirect("roadmap:target_picture")
    return render(
        request, "roadmap/kreis/target_picture.html",
        {"form": form, "picture": picture, "may_edit": access.is_coordinator}, status=status,
    )  # fmt: skip


def _years(request: PortalRequest) -> list[int]:
    stored = selectors.target_picture().years
    first = min([*stored, timezone.localdate().year])
    last = max([*stored, timezone.localdate().year + 2])
    return list(range(first, last + 1))


# --- Kreis: roadmap page and PDF ------------------------------------------------------------


@require_GET
@kreis_role_required()
def roadmap(request: PortalRequest) -> HttpResponse:
    slug = request.GET.get("kommune", "")
    municipality = tenant_selectors.member_by_slug(slug)
    context = roadmap_context(municipality)
    context.update(documents_listing(request, PDFS))
    context.update(
        municipality=municipality,
        municipalities=tenant_selectors.municipality_list(),
        pdf_form=PdfForm(initial={"municipality": municipality}),
        scope=municipality.name if municipality else settings.KREIS_NAME,
        measure_origins=measure_origins(request, context["measures"]),
        may_request_pdf=get_access(request).is_coordinator,
        gaps=selectors.municipality_gaps(municipality, timezone.localdate().year)
        if municipality
        else None,
    )
    return render_page(request, "roadmap/kreis/roadmap.html", "plan", context)


@require_POST
@kreis_role_required(COORDINATOR)
def pdf_request(request: PortalRequest) -> HttpResponse:
    form = PdfForm(request.POST)
    if not form.is_valid():
        raise PortalError("Diese Kommune gibt es nicht.")
    municipality = form.cleaned_data["municipality"]
    document = PDFS.request(
        request,
        params={"municipality_id": municipality.pk if municipality else None},
        title=title_for(municipality),
        filename=filename_for(municipality),
    )
    return pdf_requested(request, PDFS, document, reverse("roadmap:roadmap"))


@require_http_methods(["GET", "POST"])
@kreis_role_required()
def pdf_status(request: PortalRequest, document_id: int) -> HttpResponse:
    """The progress partial; POST sends a failed PDF again (the coordinator, who requests it)."""
    return PDFS.status(request, document_id)


@require_GET
@kreis_role_required()
def pdf_download(request: PortalRequest, document_id: int) -> HttpResponseBase:
    return PDFS.download(request, document_id)
