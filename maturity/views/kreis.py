"""Maturity on the Kreis domain: campaigns, reminders, the county overview with its drill-down
and exports, and the versions of the model. Thin views: check access, call a selector or
service, render."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from izd import confirm
from izd.http import found_or_404
from izd.listing import Filter, ListSpec, Search, listing, render_list
from maturity import exports, pages, selectors, services, versions
from maturity.forms import CampaignForm
from maturity.models import Campaign, Participation
from tenants.access import get_access, kreis_role_required
from tenants.http import PortalRequest
from tenants.models import KreisRole, Municipality

COORDINATOR = KreisRole.Role.COORDINATOR


@require_GET
@kreis_role_required()
def campaign_list(request: PortalRequest) -> HttpResponse:
    return render(
        request,
        "maturity/kreis/campaign_list.html",
        {"campaigns": selectors.campaign_list(), "may_edit": get_access(request).is_coordinator},
    )


@require_http_methods(["GET", "POST"])
@kreis_role_required(COORDINATOR)
def campaign_create(request: PortalRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(**form.cleaned_data)
        except services.MaturityError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Die Erhebung „{campaign.name}“ ist eröffnet.")
            return redirect("maturity:campaign_detail", campaign_id=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "maturity/kreis/campaign_form.html", {"form": form}, status=status)


def reminder_summary(sent: services.Reminders) -> str:
    """One sentence that counts municipalities, not recipients, and names those left out."""
    places = "1 Kommune" if sent.municipalities == 1 else f"{sent.municipalities} Kommunen"
    mails = "1 E-Mail" if sent.emails == 1 else f"{sent.emails} E-Mails"
    text = f"Erinnerung an {places} verschickt ({mails})."
    if sent.without_officer:
        text += (
            " Nicht erinnert, weil dort niemand Digitalisierungsbeauftragte/r ist: "
            + ", ".join(sent.without_officer)
            + "."
        )
    return text


def _campaign(campaign_id: int) -> Campaign:
    return found_or_404(selectors.campaign_get(campaign_id), "Diese Erhebung gibt es nicht.")


PARTICIPANT_LIST = ListSpec(
    key="teilnehmende",
    label="Teilnehmende Kommunen",
    noun="Kommune,Kommunen",
    search=Search(
        label="Kommune oder AGS",
        fields=("municipality__name",),
        prefix_fields=("municipality__ags",),
    ),
    filters=(Filter("status", "Status", Participation.Status.choices),),
    ordering=("municipality__name", "municipality__ags"),
)


@require_GET
@kreis_role_required()
def campaign_detail(request: PortalRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    return render_list(
        request,
        "maturity/kreis/campaign_detail.html",
        {
            "campaign": campaign,
            "structure": selectors.model_structure(campaign.model_version_id),
            "counts": selectors.participation_counts(campaign),
            "participants": listing(request, selectors.participants(campaign), PARTICIPANT_LIST),
            "may_edit": get_access(request).is_coordinator,
        },
    )


@require_POST
@kreis_role_required(COORDINATOR)
def campaign_remind(request: PortalRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    sent = services.campaign_remind(campaign=campaign)
    messages.success(request, reminder_summary(sent))
    return redirect("maturity:campaign_detail", campaign_id=campaign.pk)


@require_POST
@kreis_role_required(COORDINATOR)
def campaign_close(request: PortalRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    if campaign.is_open and not confirm.is_confirmed(request):
        return confirm.ask(
            request,
            confirm.Confirmation(
                title="Erhebung abschließen?",
                text=(
                    f"Nach dem Abschluss von „{campaign.name}“ kann keine Kommune mehr antworten "
                    "oder abgeben, und abgegebene Selbsteinschätzungen lassen sich nicht mehr "
                    "öffnen."
                ),
                button="Erhebung abschließen",
                action=request.path,
                cancel=reverse("maturity:campaign_detail", args=[campaign.pk]),
            ),
        )
    services.campaign_close(campaign=campaign)
    messages.success(request, f"Die Erhebung „{campaign.name}“ ist abgeschlossen.")
    return redirect("maturity:campaign_detail", campaign_id=campaign.pk)


def _municipality(slug: str) -> Municipality:
    found = Municipality.objects.members().filter(slug=slug).first()
    return found_or_404(found, "Diese Kommune gibt es nicht.")


@require_POST
@kreis_role_required(COORDINATOR)
def assessment_reopen(request: PortalRequest, campaign_id: int, slug: str) -> HttpResponse:
    campaign = _campaign(campaign_id)
    municipality = _municipality(slug)
    services.assessment_reopen(campaign=campaign, municipality=municipality)
    messages.success(request, f"Die Selbsteinschätzung von {municipality.name} ist wieder offen.")
    return redirect("maturity:campaign_detail", campaign_id=campaign.pk)


# The matrix is sorted by its column headers (sort, dir); search, filter and pages come on top.
MATRIX_LIST = ListSpec(
    key="matrix",
    search=Search(label="Kommune oder AGS", apply=selectors.county_rows_search),
    filters=(
        Filter(
            "status",
            "Status",
            Participation.Status.choices,
            apply=lambda rows, status: [row for row in rows if row.status == status],
        ),
    ),
    per_page=50,
    partial="matrix",
)


@require_GET
@kreis_role_required()
def county_matrix(request: PortalRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    overview = selectors.county_overview(
        campaign, sort=request.GET.get("sort", "name"), descending=request.GET.get("dir") == "desc"
    )
    found = listing(request, overview.rows, MATRIX_LIST)
    shown = dataclasses.replace(overview, rows=found.rows)
    keep = request.GET.copy()
    for name in ("sort", "dir", MATRIX_LIST.page_param):
        keep.pop(name, None)
    drilldown_base = reverse("maturity:county_drilldown", args=[campaign.pk, "x"])[:-2]
    context = {
        "campaign": campaign,
        "overview": overview,
        "matrix": found,
        "columns": pages.sort_columns(overview, keep.urlencode()),
        "sort_label": pages.sort_label(overview),
        "matrix_body": pages.matrix_body(shown, drilldown_base),
    }
    return render_list(request, "maturity/kreis/matrix.html", context, partial="matrix")


@require_GET
@kreis_role_required()
def county_export(request: PortalRequest, campaign_id: int, fmt: str) -> HttpResponse:
    campaign = _campaign(campaign_id)
    overview = selectors.county_overview(campaign)
    if fmt == "csv":
        return exports.csv_response(overview)
    if fmt == "xlsx":
        return exports.xlsx_response(overview)
    raise Http404("Unbekanntes Format.")


@require_GET
@kreis_role_required()
def county_drilldown(request: PortalRequest, campaign_id: int, slug: str) -> HttpResponse:
    campaign = _campaign(campaign_id)
    municipality = _municipality(slug)
    participation = selectors.participation_get(campaign.pk, municipality)
    if participation is None:
        raise Http404("Diese Kommune nimmt an der Erhebung nicht teil.")
    structure = selectors.model_structure(campaign.model_version_id)
    # Drill-down reads the one municipality's schema; the overview never does.
    with selectors.in_schema(municipality):
        assessment = selectors.assessment_get(campaign.pk)
        answers = selectors.answers_by_question(assessment)
    sections = [(d, pages.question_rows(structure, d, answers)) for d in structure.dimensions]
    return render(
        request,
        "maturity/kreis/drilldown.html",
        {
            "campaign": campaign,
            "municipality": municipality,
            "participation": participation,
            "scores": selectors.decimal_scores(participation.dimension_scores),
            "sections": sections,
            "structure": structure,
            "assessment": assessment,
            "may_edit": get_access(request).is_coordinator,
        },
    )


# --- model versions -----------------------------------------------------------------------

MAX_MODEL_FILE = 2 * 1024 * 1024


def _models_page(
    request: PortalRequest, problems: list[str] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "maturity/kreis/models.html",
        {
            "versions": list(selectors.model_versions()),
            "problems": problems or [],
            "may_edit": get_access(request).is_coordinator,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@kreis_role_required(COORDINATOR, KreisRole.Role.CENTRE_TREASURER)
def model_list(request: PortalRequest) -> HttpResponse:
    if request.method != "POST":
        return _models_page(request)
    if not get_access(request).is_coordinator:
        return _models_page(request, ["Nur die Koordination kann Modellversionen laden."], 403)
    upload = request.FILES.get("datei")
    if upload is None:
        return _models_page(request, ["Bitte eine Modelldatei (YAML) auswählen."], 400)
    if upload.size is not None and upload.size > MAX_MODEL_FILE:
        return _models_page(request, ["Die Datei ist größer als 2 MB."], 400)
    try:
        version, created = services.model_version_upload(content=upload.read())
    except services.ModelFileError as error:
        # In place: the coordinator sees every problem with its line, next to the upload form.
        return _models_page(request, list(error.problems), error.status)
    except services.MaturityError as error:
        return _models_page(request, [error.message], error.status)
    if created:
        messages.success(request, f"Version {version.version} von „{version.title}“ ist geladen.")
    else:
        messages.info(request, f"Version {version.version} ist schon geladen; nichts geändert.")
    return redirect("maturity:model_list")


@require_GET
@kreis_role_required(COORDINATOR, KreisRole.Role.CENTRE_TREASURER)
def model_compare(request: PortalRequest) -> HttpResponse:
    available = list(selectors.model_versions())
    ids = {v.pk for v in available}
    try:
        old_id = int(request.GET.get("von", ""))
        new_id = int(request.GET.get("zu", ""))
    except ValueError:
        return _models_page(request, ["Bitte zwei Modellversionen zum Vergleich wählen."], 400)
    if old_id not in ids or new_id not in ids:
        raise Http404("Diese Modellversion gibt es nicht.")
    comparison = versions.compare(
        selectors.model_structure(old_id), selectors.model_structure(new_id)
    )
    return render(
        request,
        "maturity/kreis/model_compare.html",
        {"comparison": comparison, "versions": available, "old_id": old_id, "new_id": new_id},
    )
