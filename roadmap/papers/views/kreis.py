# Long because the Kreis side of the papers has many small pages (templates, generating,
# batch, decisions, numbering, calendar, OParl), each a thin view over services.
"""The decision papers on the Kreis domain: templates, generating and rendering the papers of
a year, their batch, decisions, numbering, the committee calendar and the OParl objects.

Errors a person can fix come back as a German message with a 4xx status and change nothing:
400 for bad input (including a paper that cannot be made), 404 for a paper that is not there,
409 for a document that is not finished yet.
"""

from __future__ import annotations

import dataclasses
import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from izd.document_flow import BatchFlow
from izd.errors import refuse_invalid
from izd.exceptions import PortalError
from izd.listing import Filter, ListSpec, Search, listing, render_list
from izd.models import Document
from izd.numbers import ascii_int
from roadmap.papers import placeholders, selectors, services
from roadmap.papers.forms import (
    ConsultationsForm,
    GenerateForm,
    PaperForm,
    SchemeForm,
    TemplateForm,
    committees_text,
)
from roadmap.papers.models import Paper, PaperTemplate
from roadmap.papers.services import CommitteeSpec
from roadmap.papers.views.common import (
    COORDINATOR,
    KREIS_ROLES,
    kreis_paper,
    oparl_views_for,
    paper_flow,
)
from tenants import selectors as tenant_selectors
from tenants.access import (
    get_access,
    kreis_role_required,
)
from tenants.http import PortalRequest

# A paper's PDF is named by the paper; the Kreis reaches every paper's, a municipality its own
# (which it may download, but not send again).
PAPERS = paper_flow(
    "papers:status",
    "papers:download",
    lambda _request, paper_id: kreis_paper(paper_id),
    may_retry=lambda request: get_access(request).is_coordinator,
)
PAPER_BATCHES = BatchFlow(
    kind=services.KIND,
    status_url="papers:batch_status",
    template="papers/kreis/batch.html",
    zip_name="Beschlussvorlagen-{year}.zip",
    missing="Diesen Stapel gibt es nicht.",
    not_ready="Die Vorlagen werden noch erstellt; bitte kurz warten.",
    checksums=True,
    list_all=True,
    may_retry=lambda request: get_access(request).is_coordinator,
)


def _year(request: PortalRequest) -> int | None:
    wanted = ascii_int(request.GET.get("jahr", ""))
    if wanted is not None and 2000 <= wanted <= 2100:
        return wanted
    years = selectors.paper_years()
    return years[0] if years else None


RESULT_OPTIONS = [
    ("offen", "offen (ohne Ergebnis)"),
    *((value, str(label)) for value, label in Paper.Result.choices),
]
PAPER_LIST = ListSpec(
    key="vorlagen",
    label="Beschlussvorlagen",
    noun="Beschlussvorlage,Beschlussvorlagen",
    search=Search(
        label="Kommune, AGS oder Drucksache",
        fields=("municipality__name", "reference"),
        prefix_fields=("municipality__ags",),
    ),
    filters=(
        Filter("beschluss", "Beschluss", RESULT_OPTIONS, apply=selectors.papers_with_result),
        Filter(
            "pdf",
            "PDF",
            [("keins", "noch keins"), *((v, str(label)) for v, label in Document.Status.choices)],
            apply=selectors.papers_with_document_status,
        ),
        Filter(
            "datum",
            "Sitzungsdatum",
            [("fehlt", "fehlt noch")],
            apply=selectors.papers_without_dates,
        ),
    ),
    ordering=("municipality__name", "reference"),
)
DECISION_LIST = ListSpec(
    key="beschluesse",
    label="Beschlüsse",
    noun="Kommune,Kommunen",
    search=Search(label="Kommune oder Drucksache", apply=selectors.decision_rows_search),
    filters=(
        Filter(
            "ergebnis",
            "Ergebnis",
            [("keine", "keine Vorlage"), *RESULT_OPTIONS],
            apply=selectors.decision_rows_with_result,
        ),
    ),
    per_page=50,
)
NUMBERING_LIST = ListSpec(
    key="nummernkreise",
    label="Nummernkreise",
    noun="Kommune,Kommunen",
    search=Search(label="Kommune oder AGS", fields=("name",), prefix_fields=("ags",)),
    ordering=("name", "ags"),
)


@kreis_role_required(*KREIS_ROLES)
@require_GET
def home(request: PortalRequest) -> HttpResponse:
    year = _year(request)
    found = listing(request, selectors.paper_row_values(year), PAPER_LIST)
    papers = dataclasses.replace(found, rows=selectors.paper_rows(found.rows))
    decisions = selectors.decisions_for_year(year) if year else []
    return render_list(
        request,
        "papers/kreis/home.html",
        {
            "year": year,
            "years": selectors.paper_years(),
            "templates": selectors.template_list(),
            "papers": papers,
            "open_papers": selectors.open_paper_choices(year) if year else [],
            "members": len(decisions),
            "decided": sum(1 for row in decisions if row.is_decided),
            "year_decided": bool(year) and selectors.year_decided(year or 0, decisions),
            "may_edit": get_access(request).is_coordinator,
            "missing_dates": selectors.papers_missing_dates(year) if year else [],
        },
    )


def _template_page(
    request: PortalRequest, form: TemplateForm, template: PaperTemplate | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "papers/kreis/template_form.html",
        {"form": form, "template": template, "placeholders": placeholders.PLACEHOLDERS},
        status=status,
    )


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def template_create(request: PortalRequest) -> HttpResponse:
    return _template_edit(request, None)


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def template_edit(request: PortalRequest, template_id: int) -> HttpResponse:
    template = selectors.template_get(template_id)
    if template is None:
        raise Http404("Diese Vorlage gibt es nicht.")
    return _template_edit(request, template)


def _template_edit(request: PortalRequest, template: PaperTemplate | None) -> HttpResponse:
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST":
        if not form.is_valid():
            return _template_page(request, form, template, status=400)
        saved = services.template_save(form.instance)
        messages.success(request, f"Die Vorlage „{saved.name}“ ist gespeichert.")
        return redirect("papers:template_edit", template_id=saved.pk)
    return _template_page(request, form, template)


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def generate(request: PortalRequest) -> HttpResponse:
    form = GenerateForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "papers/kreis/generate.html", {"form": form}, status=400)
        data = form.cleaned_data
        created = services.papers_generate(
            template=data["template"],
            year=data["year"],
            paper_date=data["paper_date"],
            committees=data["committees"],
            is_public=data["is_public"],
            office=data["office"],
            file_reference=data["file_reference"],
        )
        messages.success(request, f"{len(created)} Beschlussvorlagen für {data['year']} angelegt.")
        return redirect(f"{reverse('papers:home')}?jahr={data['year']}")
    return render(request, "papers/kreis/generate.html", {"form": form})


def _paper_page(
    request: PortalRequest,
    paper: Paper,
    form: PaperForm | None = None,
    consultations: ConsultationsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    specs = [
        CommitteeSpec(c.committee.name, c.role, c.meeting_date)
        for c in selectors.consultations_of(paper)
    ]
    return render(
        request,
        "papers/kreis/paper.html",
        {
            "paper": paper,
            "form": form or PaperForm(instance=paper),
            "consultations_form": consultations
            or ConsultationsForm(initial={"committees": committees_text(specs)}),
            "placeholders": placeholders.PLACEHOLDERS,
            "document": paper.document,
            "download_url": reverse("papers:download", args=[paper.pk]),
            "status_url": reverse("papers:status", args=[paper.pk]),
            "may_edit": get_access(request).is_coordinator,
            "may_retry": get_access(request).is_coordinator,
        },
        status=status,
    )


@kreis_role_required(*KREIS_ROLES)
@require_http_methods(["GET", "POST"])
def paper_detail(request: PortalRequest, paper_id: int) -> HttpResponse:
    paper = kreis_paper(paper_id)
    if request.method == "POST":
        if not get_access(request).is_coordinator:
            raise PortalError("Nur die Koordination kann Vorlagen ändern.", 403)
        form = PaperForm(request.POST, instance=paper)
        if not form.is_valid():
            return _paper_page(request, kreis_paper(paper_id), form=form, status=400)
        services.paper_save(form.instance)
        messages.success(request, f"Die Beschlussvorlage {paper.reference} ist gespeichert.")
        return redirect("papers:paper", paper_id=paper.pk)
    return _paper_page(request, paper)


@kreis_role_required(COORDINATOR)
@require_POST
def paper_consultations(request: PortalRequest, paper_id: int) -> HttpResponse:
    paper = kreis_paper(paper_id)
    form = ConsultationsForm(request.POST)
    if not form.is_valid():
        return _paper_page(request, paper, consultations=form, status=400)
    services.consultations_replace(paper=paper, committees=form.cleaned_data["committees"])
    messages.success(request, "Die Beratungsfolge ist gespeichert.")
    return redirect("papers:paper", paper_id=paper.pk)


@kreis_role_required(*KREIS_ROLES)
@require_GET
def paper_preview(request: PortalRequest, paper_id: int) -> HttpResponse:
    paper = kreis_paper(paper_id)
    context = services.paper_context(paper)
    return render(request, "papers/kreis/preview.html", {**context, "paper_obj": paper})


@kreis_role_required(COORDINATOR)
@require_POST
def paper_render(request: PortalRequest, paper_id: int) -> HttpResponse:
    paper = kreis_paper(paper_id)
    services.paper_render(paper=paper, user=request.user)
    return redirect("papers:paper", paper_id=paper.pk)


@kreis_role_required(*KREIS_ROLES)
@require_http_methods(["GET", "POST"])
def paper_status(request: PortalRequest, paper_id: int) -> HttpResponse:
    """The PDF's progress; POST ("Neu versuchen", the coordinator) sends a failed PDF again."""
    return PAPERS.status(request, paper_id)


@kreis_role_required(*KREIS_ROLES)
@require_GET
def paper_download(request: PortalRequest, paper_id: int) -> HttpResponseBase:
    return PAPERS.download(request, paper_id)


@kreis_role_required(COORDINATOR)
@require_POST
def batch(request: PortalRequest, year: int) -> HttpResponse:
    batch_id = services.papers_render_batch(year=year, user=request.user)
    return PAPER_BATCHES.started(batch_id, year=year)


@kreis_role_required(*KREIS_ROLES)
@require_http_methods(["GET", "POST"])
def batch_status(request: PortalRequest, year: int, batch: uuid.UUID) -> HttpResponse:
    """The batch's progress; POST ("Neu versuchen", the coordinator) sends its failed PDFs
    again."""
    return PAPER_BATCHES.status(request, batch, year=year)


@kreis_role_required(*KREIS_ROLES)
@require_GET
def batch_zip(request: PortalRequest, year: int, batch: uuid.UUID) -> HttpResponse:
    return PAPER_BATCHES.zip(request, batch, year=year)


@kreis_role_required(*KREIS_ROLES)
@require_GET
def decisions(request: PortalRequest, year: int) -> HttpResponse:
    rows = selectors.decisions_for_year(year)
    return render_list(
        request,
        "papers/kreis/decisions.html",
        {
            "year": year,
            "rows": listing(request, rows, DECISION_LIST),
            "members": len(rows),
            "decided": sum(1 for row in rows if row.is_decided),
            "year_decided": selectors.year_decided(year, rows),
        },
    )


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def numbering(request: PortalRequest) -> HttpResponse:
    back = reverse("papers:numbering")
    if request.method == "POST":
        wanted = ascii_int(request.POST.get("municipality", ""))
        municipality = (
            tenant_selectors.municipality_list().filter(pk=wanted).first() if wanted else None
        )
        if municipality is None:
            raise PortalError("Bitte eine Kommune wählen.")
        form = SchemeForm(request.POST)
        refuse_invalid(form)
        services.scheme_save(
            municipality=municipality,
            prefix=form.cleaned_data["prefix"],
            next_number=form.cleaned_data["next_number"],
        )
        messages.success(request, f"Nummernkreis von {municipality.name} gespeichert.")
        # Back to the page of the list the change came from.
        kept = request.POST.get("zurueck", "")
        safe = kept.startswith(f"{back}?") and kept.isprintable() and "//" not in kept
        return redirect(kept if safe else back)
    members = listing(request, tenant_selectors.municipality_list(), NUMBERING_LIST)
    schemes = selectors.numbering_schemes_of([m.pk for m in members.rows])
    rows = [(m, schemes.get(m.pk)) for m in members.rows]
    return render_list(request, "papers/kreis/numbering.html", {"members": members, "rows": rows})


_kreis_oparl = {
    name: kreis_role_required(*KREIS_ROLES)(view)
    for name, view in oparl_views_for(lambda _r, pk: kreis_paper(pk), "").items()
}
oparl_paper = _kreis_oparl["paper"]
oparl_consultation = _kreis_oparl["consultation"]
oparl_organization = _kreis_oparl["organization"]
oparl_file = _kreis_oparl["file"]


# --------------------------------------------------------------------------- calendar


def _calendar_page(
    request: PortalRequest, year: int, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "papers/kreis/calendar.html",
        {
            "year": year,
            "errors": errors or [],
            "missing_dates": selectors.papers_missing_dates(year),
        },
        status=status,
    )


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def calendar_import(request: PortalRequest, year: int) -> HttpResponse:
    if request.method != "POST":
        return _calendar_page(request, year)
    upload = request.FILES.get("datei")
    if upload is None:
        return _calendar_page(request, year, ["Bitte eine CSV-Datei auswählen."], 400)
    try:
        result = services.calendar_import(
            raw=upload.read(), year=year, overwrite=request.POST.get("ueberschreiben") == "1"
        )
    except services.CalendarError as error:
        return _calendar_page(request, year, [str(e) for e in error.errors], 400)
    messages.success(
        request,
        f"{result.meetings} Sitzungstermine gelesen ({result.meetings_created} neu), "
        f"{result.consultations_dated} Sitzungsdaten in Beschlussvorlagen eingetragen. "
        + (
            f"{result.papers_without_dates} Vorlagen fehlt noch ein Datum."
            if result.papers_without_dates
            else "Alle Vorlagen der Kommunen aus der Datei haben ihre Sitzungsdaten."
        ),
    )
    return redirect(f"{reverse('papers:home')}?jahr={year}")


@kreis_role_required(COORDINATOR)
@require_POST
def consultations_copy(request: PortalRequest, year: int) -> HttpResponse:
    back = f"{reverse('papers:home')}?jahr={year}"
    try:
        source = kreis_paper(int(request.POST.get("vorlage", "")))
    except (ValueError, Http404):
        raise PortalError(
            "Bitte die Vorlage wählen, deren Beratungsfolge gilt.", back=back
        ) from None
    if source.year != year:
        raise PortalError("Die gewählte Vorlage gehört zu einem anderen Jahr.", back=back)
    changed = services.consultations_copy(source=source, year=year)
    messages.success(
        request,
        f"Die Beratungsfolge von {source.reference} ({source.municipality.name}) gilt jetzt "
        f"für {changed} weitere Vorlagen; Sitzungsdaten stammen aus dem Sitzungskalender.",
    )
    return redirect(back)
