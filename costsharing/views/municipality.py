"""Cost sharing on a municipality's subdomain: its share, notice, exports, membership and
module choices."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from costsharing import exports, notices, selectors, services
from costsharing.documents import NOTICE_KIND, notice_filename, notice_params, notice_title
from costsharing.forms import (
    CooperationForm,
    ModuleChoiceForm,
)
from costsharing.views.common import (
    KREIS_ROLES,
    OFFICER,
    TREASURER,
    budget_year_or_404,
    tenant,
)
from costsharing.xrechnung import invoice_ubl, invoice_xml
from izd.document_flow import DocumentFlow, attachment
from izd.errors import refuse_invalid
from tenants.access import municipality_role_required
from tenants.http import PortalRequest

SHARE_ROLES = {"kreis_roles": KREIS_ROLES}

# A member's own notice, requested on its subdomain and kept in its schema.
NOTICES = DocumentFlow(
    kind=NOTICE_KIND,
    status_url="costsharing:notice_status",
    download_url="costsharing:notice_download",
)


@municipality_role_required(TREASURER, **SHARE_ROLES)
@require_GET
def share(request: PortalRequest) -> HttpResponse:
    return share_year(request, notices.default_year())


@municipality_role_required(TREASURER, **SHARE_ROLES)
@require_GET
def share_year(request: PortalRequest, year: int) -> HttpResponse:
    municipality = tenant(request)
    notice = notices.notice(municipality, year)
    recent = NOTICES.latest(request, year=year)
    return render(
        request,
        "costsharing/municipal/share.html",
        {
            "notice": notice,
            "history": notices.history(municipality),
            "years": [y.year for y in selectors.years()],
            "document": recent,
            **(
                {f"document_{k}": v for k, v in NOTICES.urls(recent).items()}
                if recent is not None
                else {}
            ),
        },
    )


# The same e-invoice in both syntaxes of XRechnung: CII (also inside the PDF notice) and UBL,
# which some receiving platforms ask for.
EINVOICE_FORMATS: dict[str, tuple[Callable[[notices.Notice], bytes], str]] = {
    "xml": (invoice_xml, "XRechnung"),
    "ubl.xml": (invoice_ubl, "XRechnung-UBL"),
}


@municipality_role_required(TREASURER, **SHARE_ROLES)
@require_GET
def share_export(request: PortalRequest, year: int, fmt: str) -> HttpResponse:
    municipality = tenant(request)
    notice = notices.notice(municipality, year)
    stem = f"Kostenbeteiligung-{year}-{municipality.slug}"
    if fmt == "csv":
        return attachment(exports.notice_csv(notice), "text/csv; charset=utf-8", f"{stem}.csv")
    if fmt == "xlsx":
        return attachment(
            exports.notice_xlsx(notice),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{stem}.xlsx",
        )
    if fmt in EINVOICE_FORMATS:
        build, prefix = EINVOICE_FORMATS[fmt]
        content = build(notice)
        return attachment(content, "application/xml", f"{prefix}-{stem}.xml")
    raise Http404("Dieses Format gibt es nicht.")


@municipality_role_required(TREASURER, **SHARE_ROLES)
@require_POST
def notice_request(request: PortalRequest, year: int) -> HttpResponse:
    municipality = tenant(request)
    budget_year_or_404(year)
    document = NOTICES.request(
        request,
        params=notice_params(municipality.pk, year),
        title=notice_title(municipality, year),
        filename=notice_filename(municipality, year),
    )
    return NOTICES.requested(request, document, back=reverse("costsharing:share_year", args=[year]))


@municipality_role_required(TREASURER, **SHARE_ROLES)
@require_http_methods(["GET", "POST"])
def notice_status(request: PortalRequest, document_id: int) -> HttpResponse:
    """The progress partial; POST sends a failed notice again."""
    return NOTICES.status(request, document_id)


@municipality_role_required(TREASURER, **SHARE_ROLES)
@require_GET
def notice_download(request: PortalRequest, document_id: int) -> HttpResponseBase:
    return NOTICES.download(request, document_id)


PARTICIPATION_ROLES = (TREASURER, OFFICER)


@municipality_role_required(*PARTICIPATION_ROLES, **SHARE_ROLES)
@require_http_methods(["GET", "POST"])
def participation(request: PortalRequest) -> HttpResponse:
    municipality = tenant(request)
    cooperation = selectors.cooperation()
    initial = (
        {
            "joined_on": cooperation.joined_on,
            "left_on": cooperation.left_on,
            "budget_line": cooperation.budget_line,
            "contact_name": cooperation.contact_name,
            "contact_email": cooperation.contact_email,
            "contact_phone": cooperation.contact_phone,
        }
        if cooperation
        else None
    )
    back = reverse("costsharing:participation")
    form = CooperationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        refuse_invalid(form)
        services.cooperation_save(
            municipality=municipality, user_id=request.user.pk, **form.cleaned_data
        )
        messages.success(request, "Die Angaben zur Mitgliedschaft wurden gespeichert.")
        return redirect(back)
    chosen = selectors.chosen_module_ids()
    years = []
    for budget_year in selectors.years():
        modules = selectors.year_modules(budget_year)
        years.append(
            {
                "budget_year": budget_year,
                "form": ModuleChoiceForm(
                    modules=modules,
                    initial={"modules": [m.pk for m in modules if m.pk in chosen]},
                    prefix=f"y{budget_year.year}",
                ),
                "has_modules": modules.exists(),
            }
        )
    return render(
        request,
        "costsharing/municipal/participation.html",
        {"form": form, "cooperation": cooperation, "years": years, "municipality": municipality},
    )


@municipality_role_required(*PARTICIPATION_ROLES, **SHARE_ROLES)
@require_POST
def module_choices(request: PortalRequest, year: int) -> HttpResponse:
    municipality = tenant(request)
    budget_year = budget_year_or_404(year)
    back = reverse("costsharing:participation")
    form = ModuleChoiceForm(
        request.POST, modules=selectors.year_modules(budget_year), prefix=f"y{year}"
    )
    refuse_invalid(form)
    services.module_choices_save(
        municipality=municipality,
        year=year,
        module_ids=[m.pk for m in form.cleaned_data["modules"]],
    )
    messages.success(request, f"Die Module für {year} wurden gespeichert.")
    return redirect(back)
