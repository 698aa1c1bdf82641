"""Views of the decision papers: check access, parse the form, call a selector or service,
render.

Errors a person can fix come back as a German message with a 4xx status and change nothing:
400 for bad input (including a paper that cannot be made), 404 for a paper that is not there
or not the visitor's municipality's, 409 for a document that is not finished yet.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from izd.documents import (
    batch_documents,
    batch_retry,
    batch_summary,
    download_response,
    status_or_retry,
    zip_documents,
)
from izd.listing import Filter, ListSpec, Search, listing, render_list
from izd.models import Document
from izd.numbers import ascii_int
from roadmap.papers import oparl, placeholders, selectors, services
from roadmap.papers.forms import (
    ConsultationsForm,
    DecisionForm,
    GenerateForm,
    PaperForm,
    SchemeForm,
    TemplateForm,
    committees_text,
)
from roadmap.papers.models import Consultation, Paper, PaperTemplate
from roadmap.papers.oparl import objects as oparl_objects
from roadmap.papers.oparl import views as oparl_views
from roadmap.papers.services import CommitteeSpec, PaperError
from tenants.access import (
    ALL_MUNICIPALITY_ROLES,
    get_access,
    kreis_role_required,
    municipality_role_required,
)
from tenants.http import PortalRequest
from tenants.models import KreisRole, Membership, Municipality

COORDINATOR = KreisRole.Role.COORDINATOR
KREIS_ROLES = (COORDINATOR, KreisRole.Role.CENTRE_TREASURER)
DECISION_ROLES = (Membership.Role.DIGITAL_OFFICER, Membership.Role.TREASURER)


def _error(request: PortalRequest, message: str, back: str = "", status: int = 400) -> HttpResponse:
    return render(request, "papers/error.html", {"message": message, "back": back}, status=status)


def _form_message(form: Any) -> str:
    errors = [str(e) for e in form.non_field_errors()]
    for name, field_errors in form.errors.items():
        if name != "__all__":
            label = form.fields[name].label if name in form.fields else name
            errors.extend(f"{label}: {e}" for e in field_errors)
    return " ".join(errors)


def _year(request: PortalRequest) -> int | None:
    wanted = ascii_int(request.GET.get("jahr", ""))
    if wanted is not None and 2000 <= wanted <= 2100:
        return wanted
    years = selectors.paper_years()
    return years[0] if years else None


def _kreis_paper(paper_id: int) -> Paper:
    paper = selectors.paper_get(paper_id)
    if paper is None:
        raise Http404("Diese Beschlussvorlage gibt es nicht.")
    return paper


def _tenant(request: PortalRequest) -> Municipality:
    return request.tenant


def _own_paper(request: PortalRequest, paper_id: int) -> Paper:
    paper = selectors.paper_of_municipality(paper_id, _tenant(request))
    if paper is None:
        raise Http404("Diese Beschlussvorlage gibt es für Ihre Kommune nicht.")
    return paper


# =========================================================================== Kreis


RESULT_OPTIONS = [
    ("offen", "offen (ohne Ergebnis)"),
    *((value, str(label)) for value, label in Paper.Result.choices),
]
PAPER_LIST = ListSpec(
    key="vorlagen",
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


@kreis_role_required(*KREIS_ROLES)
@require_GET
def home(request: PortalRequest) -> HttpResponse:
    year = _year(request)
    papers = listing(
        request, selectors.papers_of_year(year) if year else Paper.objects.none(), PAPER_LIST
    )
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
            "year_decided": bool(year) and selectors.year_decided(year or 0),
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
        try:
            saved = services.template_save(form.instance)
        except ValidationError as error:
            return _error(request, services.validation_message(error), reverse("papers:home"))
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
        try:
            created = services.papers_generate(
                template=data["template"],
                year=data["year"],
                paper_date=data["paper_date"],
                committees=data["committees"],
                is_public=data["is_public"],
                office=data["office"],
                file_reference=data["file_reference"],
            )
        except PaperError as error:
            return _error(request, str(error), reverse("papers:generate"))
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
        for c in paper.consultations.select_related("committee")
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
    paper = _kreis_paper(paper_id)
    if request.method == "POST":
        if not get_access(request).is_coordinator:
            return _error(request, "Nur die Koordination kann Vorlagen ändern.", status=403)
        form = PaperForm(request.POST, instance=paper)
        if not form.is_valid():
            return _paper_page(request, _kreis_paper(paper_id), form=form, status=400)
        try:
            services.paper_save(form.instance)
        except ValidationError as error:
            return _error(request, services.validation_message(error))
        messages.success(request, f"Die Beschlussvorlage {paper.reference} ist gespeichert.")
        return redirect("papers:paper", paper_id=paper.pk)
    return _paper_page(request, paper)


@kreis_role_required(COORDINATOR)
@require_POST
def paper_consultations(request: PortalRequest, paper_id: int) -> HttpResponse:
    paper = _kreis_paper(paper_id)
    form = ConsultationsForm(request.POST)
    if not form.is_valid():
        return _paper_page(request, paper, consultations=form, status=400)
    try:
        services.consultations_replace(paper=paper, committees=form.cleaned_data["committees"])
    except PaperError as error:
        return _error(request, str(error), reverse("papers:paper", args=[paper.pk]))
    messages.success(request, "Die Beratungsfolge ist gespeichert.")
    return redirect("papers:paper", paper_id=paper.pk)


@kreis_role_required(*KREIS_ROLES)
@require_GET
def paper_preview(request: PortalRequest, paper_id: int) -> HttpResponse:
    paper = _kreis_paper(paper_id)
    try:
        context = services.paper_context(paper)
    except PaperError as error:
        return _error(request, str(error), reverse("papers:paper", args=[paper.pk]))
    return render(request, "papers/kreis/preview.html", {**context, "paper_obj": paper})


@kreis_role_required(COORDINATOR)
@require_POST
def paper_render(request: PortalRequest, paper_id: int) -> HttpResponse:
    paper = _kreis_paper(paper_id)
    try:
        services.paper_render(paper=paper, user=request.user)
    except PaperError as error:
        return _error(request, str(error), reverse("papers:paper", args=[paper.pk]))
    return redirect("papers:paper", paper_id=paper.pk)


def _status(request: PortalRequest, paper: Paper, download: str, status_name: str) -> HttpResponse:
    if paper.document is None:
        raise Http404("Für diese Vorlage wurde noch kein PDF erstellt.")
    return status_or_retry(
        request,
        paper.document,
        download_url=reverse(download, args=[paper.pk]),
        status_url=reverse(status_name, args=[paper.pk]),
        may_retry=get_access(request).is_coordinator,
    )


@kreis_role_required(*KREIS_ROLES)
@require_http_methods(["GET", "POST"])
def paper_status(request: PortalRequest, paper_id: int) -> HttpResponse:
    """The PDF's progress; POST ("Neu versuchen", the coordinator) sends a failed PDF again."""
    return _status(request, _kreis_paper(paper_id), "papers:download", "papers:status")


def _download(paper: Paper) -> HttpResponseBase:
    document = paper.document
    if document is None or document.schema_name != paper.municipality.schema_name:
        raise Http404("Für diese Vorlage gibt es noch kein PDF.")
    return download_response(document)


@kreis_role_required(*KREIS_ROLES)
@require_GET
def paper_download(request: PortalRequest, paper_id: int) -> HttpResponseBase:
    return _download(_kreis_paper(paper_id))


@kreis_role_required(COORDINATOR)
@require_POST
def batch(request: PortalRequest, year: int) -> HttpResponse:
    back = f"{reverse('papers:home')}?jahr={year}"
    try:
        batch_id = services.papers_render_batch(year=year, user=request.user)
    except PaperError as error:
        return _error(request, str(error), back)
    return redirect("papers:batch_status", year=year, batch=batch_id)


def _batch_documents(batch_id: uuid.UUID) -> list[Document]:
    documents = list(batch_documents(batch_id).filter(kind=services.KIND))
    if not documents:
        raise Http404("Diesen Stapel gibt es nicht.")
    return documents


@kreis_role_required(*KREIS_ROLES)
@require_http_methods(["GET", "POST"])
def batch_status(request: PortalRequest, year: int, batch: uuid.UUID) -> HttpResponse:
    """The batch's progress; POST ("Neu versuchen", the coordinator) sends its failed PDFs
    again."""
    may_retry = get_access(request).is_coordinator
    if request.method == "POST":
        if not may_retry:
            raise PermissionDenied
        batch_retry(_batch_documents(batch))
        if not request.htmx:
            return redirect("papers:batch_status", year=year, batch=batch)
    summary = batch_summary(batch, services.KIND)
    if not summary.total:
        raise Http404("Diesen Stapel gibt es nicht.")
    # While the batch runs, the page polls the counts only; the list comes once it is finished.
    documents = _batch_documents(batch) if summary.finished else []
    context = {
        "year": year,
        "batch": batch,
        "documents": documents,
        "total": summary.total,
        "progress": summary.progress,
        "finished": summary.finished,
        "done": summary.done,
        "reused": summary.reused,
        "failed": summary.failed,
        "waiting": summary.waiting,
        "may_retry": may_retry,
    }
    template = "papers/kreis/batch.html"
    if request.htmx:
        template += "#batch"
    return render(request, template, context)


def checksums_text(documents: list[Document]) -> str:
    """sha256sum-compatible lines for the ZIP's PRUEFSUMMEN.sha256."""
    return "".join(
        f"{d.sha256}  {d.filename}\n" for d in documents if d.status == Document.Status.DONE
    )


def batch_zip_bytes(documents: list[Document]) -> bytes:
    buffer = io.BytesIO(zip_documents(documents))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("PRUEFSUMMEN.sha256", checksums_text(documents))
    return buffer.getvalue()


@kreis_role_required(*KREIS_ROLES)
@require_GET
def batch_zip(request: PortalRequest, year: int, batch: uuid.UUID) -> HttpResponse:
    documents = _batch_documents(batch)
    if not all(d.is_finished for d in documents):
        return _error(request, "Die Vorlagen werden noch erstellt; bitte kurz warten.", status=409)
    content = batch_zip_bytes(documents)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="Beschlussvorlagen-{year}.zip"'
    response["X-Checksum-SHA256"] = hashlib.sha256(content).hexdigest()
    return response


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
            "year_decided": selectors.year_decided(year),
        },
    )


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def numbering(request: PortalRequest) -> HttpResponse:
    back = reverse("papers:numbering")
    if request.method == "POST":
        wanted = ascii_int(request.POST.get("municipality", ""))
        municipality = Municipality.objects.members().filter(pk=wanted).first() if wanted else None
        if municipality is None:
            return _error(request, "Bitte eine Kommune wählen.", back)
        form = SchemeForm(request.POST)
        if not form.is_valid():
            return _error(request, _form_message(form), back)
        try:
            services.scheme_save(
                municipality=municipality,
                prefix=form.cleaned_data["prefix"],
                next_number=form.cleaned_data["next_number"],
            )
        except ValidationError as error:
            return _error(request, services.validation_message(error), back)
        messages.success(request, f"Nummernkreis von {municipality.name} gespeichert.")
        # Back to the page of the list the change came from.
        kept = request.POST.get("zurueck", "")
        safe = kept.startswith(f"{back}?") and kept.isprintable() and "//" not in kept
        return redirect(kept if safe else back)
    members = listing(request, Municipality.objects.members(), NUMBERING_LIST)
    schemes = selectors.numbering_schemes([m.pk for m in members.rows])
    rows = [(m, schemes.get(m.pk)) for m in members.rows]
    return render_list(request, "papers/kreis/numbering.html", {"members": members, "rows": rows})


NUMBERING_LIST = ListSpec(
    key="nummernkreise",
    search=Search(label="Kommune oder AGS", fields=("name",), prefix_fields=("ags",)),
    ordering=("name", "ags"),
)


# =========================================================================== OParl


def _links(request: PortalRequest, prefix: str) -> oparl.Links:
    def url(name: str, *args: object) -> str:
        return request.build_absolute_uri(reverse(f"papers:{prefix}{name}", args=args))

    api = oparl_objects.Urls(oparl_views.kreis_base(request))
    return oparl.Links(
        paper=lambda p: url("oparl_paper", p.pk),
        consultation=lambda c: url("oparl_consultation", c.paper_id, c.pk),
        # One Organization per committee, in the public API (committee names are public).
        organization=lambda c: api.organization(c.committee_id),
        file=lambda p: url("oparl_file", p.pk),
        access=lambda p: url("download", p.pk),
        download=lambda p: url("download", p.pk),
        web=lambda p: url("paper", p.pk),
    )


def _json(data: dict[str, Any]) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})


def _consultation(paper: Paper, consultation_id: int) -> Consultation:
    consultation = paper.consultations.filter(pk=consultation_id).first()
    if consultation is None:
        raise Http404("Diese Beratung gibt es nicht.")
    return consultation


def _oparl_views(
    get_paper: Callable[[PortalRequest, int], Paper], prefix: str
) -> dict[str, Callable[..., HttpResponse]]:
    def paper_view(request: PortalRequest, paper_id: int) -> HttpResponse:
        return _json(oparl.paper_object(get_paper(request, paper_id), _links(request, prefix)))

    def consultation_view(
        request: PortalRequest, paper_id: int, consultation_id: int
    ) -> HttpResponse:
        paper = get_paper(request, paper_id)
        consultation = _consultation(paper, consultation_id)
        return _json(oparl.consultation_object(paper, consultation, _links(request, prefix)))

    def organization_view(
        request: PortalRequest, paper_id: int, consultation_id: int
    ) -> HttpResponse:
        # Earlier exports made one Organization per consultation; it is now the committee's.
        consultation = _consultation(get_paper(request, paper_id), consultation_id)
        return redirect(_links(request, prefix).organization(consultation), permanent=True)

    def file_view(request: PortalRequest, paper_id: int) -> HttpResponse:
        paper = get_paper(request, paper_id)
        document = oparl.finished_document(paper)
        if document is None:
            raise Http404("Für diese Vorlage gibt es noch kein PDF.")
        return _json(oparl.file_object(paper, document, _links(request, prefix)))

    return {
        "paper": require_GET(paper_view),
        "consultation": require_GET(consultation_view),
        "organization": require_GET(organization_view),
        "file": require_GET(file_view),
    }


_kreis_oparl = {
    name: kreis_role_required(*KREIS_ROLES)(view)
    for name, view in _oparl_views(lambda _r, pk: _kreis_paper(pk), "").items()
}
oparl_paper = _kreis_oparl["paper"]
oparl_consultation = _kreis_oparl["consultation"]
oparl_organization = _kreis_oparl["organization"]
oparl_file = _kreis_oparl["file"]


# =========================================================================== municipality

MEMBER_ACCESS = municipality_role_required(*ALL_MUNICIPALITY_ROLES, kreis_roles=KREIS_ROLES)


@MEMBER_ACCESS
@require_GET
def municipal_list(request: PortalRequest) -> HttpResponse:
    papers = selectors.papers_of_municipality(_tenant(request))
    return render(request, "papers/municipal/list.html", {"papers": papers})


@MEMBER_ACCESS
@require_http_methods(["GET", "POST"])
def municipal_paper(request: PortalRequest, paper_id: int) -> HttpResponse:
    paper = _own_paper(request, paper_id)
    access = get_access(request)
    may_decide = access.has_municipality_role(*DECISION_ROLES)
    form = DecisionForm(
        request.POST or None,
        initial={
            "decided_on": paper.decided_on,
            "result": paper.result,
            "note": paper.decision_note,
        },
    )
    status = 200
    if request.method == "POST":
        if not may_decide:
            return _error(
                request,
                "Den Beschluss erfassen die Digitalisierungsbeauftragten oder die Kämmerei.",
                status=403,
            )
        if form.is_valid():
            try:
                services.decision_record(
                    paper=paper,
                    decided_on=form.cleaned_data["decided_on"],
                    result=form.cleaned_data["result"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except PaperError as error:
                return _error(
                    request, str(error), reverse("papers:municipal_paper", args=[paper.pk])
                )
            messages.success(request, f"Der Beschluss zu {paper.reference} ist erfasst.")
            return redirect("papers:municipal_paper", paper_id=paper.pk)
        status = 400
    return render(
        request,
        "papers/municipal/paper.html",
        {"paper": paper, "form": form, "may_decide": may_decide, "document": paper.document},
        status=status,
    )


@MEMBER_ACCESS
@require_GET
def municipal_download(request: PortalRequest, paper_id: int) -> HttpResponseBase:
    paper = _own_paper(request, paper_id)
    if paper.document is None or paper.document.schema_name != _tenant(request).schema_name:
        raise Http404("Für diese Vorlage gibt es noch kein PDF.")
    return _download(paper)


_municipal_oparl = {
    name: MEMBER_ACCESS(view) for name, view in _oparl_views(_own_paper, "municipal_").items()
}
municipal_oparl_paper = _municipal_oparl["paper"]
municipal_oparl_consultation = _municipal_oparl["consultation"]
municipal_oparl_organization = _municipal_oparl["organization"]
municipal_oparl_file = _municipal_oparl["file"]


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
        source = _kreis_paper(int(request.POST.get("vorlage", "")))
    except (ValueError, Http404):
        return _error(request, "Bitte die Vorlage wählen, deren Beratungsfolge gilt.", back)
    if source.year != year:
        return _error(request, "Die gewählte Vorlage gehört zu einem anderen Jahr.", back)
    try:
        changed = services.consultations_copy(source=source, year=year)
    except PaperError as error:
        return _error(request, str(error), back)
    messages.success(
        request,
        f"Die Beratungsfolge von {source.reference} ({source.municipality.name}) gilt jetzt "
        f"für {changed} weitere Vorlagen; Sitzungsdaten stammen aus dem Sitzungskalender.",
    )
    return redirect(back)
