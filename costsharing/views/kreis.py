"""Cost sharing on the Kreis domain: budget years, keys, freezing, usage, population, the
issuer, exports and the notices of all members at once.

Long because the Kreis' pages of cost sharing cover budget, key, modules, usage, population, freeze
and notices; every view is thin and they are being moved onto the one document flow of issue 14.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from costsharing import exports, selectors, services
from costsharing.allocation import AllocationError
from costsharing.documents import NOTICE_KIND
from costsharing.forms import (
    BudgetForm,
    CostLineForm,
    FreezeForm,
    GrantForm,
    IssuerForm,
    KeyForm,
    ModuleForm,
    PopulationForm,
    StaffLineForm,
    UsageCorrectForm,
    UsageForm,
    YearForm,
)
from costsharing.models import UsageRecord
from costsharing.views.common import (
    CENTRE_TREASURER,
    COORDINATOR,
    KREIS_ROLES,
    budget_year_or_404,
)
from izd.document_flow import BatchFlow, attachment
from izd.errors import refuse_invalid
from izd.exceptions import PortalError
from izd.http import found_or_404
from izd.legal_defaults import NOTICE_LEGAL_NOTE
from izd.listing import Filter, ListSpec, Search, choices_of, listing, render_list
from tenants.access import get_access, kreis_role_required
from tenants.http import PortalRequest
from tenants.models import KreisRole

# All members' notices at once, requested on the Kreis domain; the counts come from PostgreSQL
# and only failed notices are listed (with their reason).
NOTICE_BATCHES = BatchFlow(
    kind=NOTICE_KIND,
    status_url="costsharing:notices_batch_status",
    template="costsharing/kreis/notices_status.html",
    zip_name="Bescheide-{year}.zip",
    missing="Diese Bescheide gibt es nicht.",
    not_ready="Die Bescheide werden noch erstellt; bitte kurz warten.",
)


@kreis_role_required(*KREIS_ROLES)
@require_http_methods(["GET", "POST"])
def year_list(request: PortalRequest) -> HttpResponse:
    form = YearForm(request.POST or None)
    if request.method == "POST":
        if not get_access(request).is_coordinator:
            raise PermissionDenied
        refuse_invalid(form)
        budget_year = services.budget_year_create(
            year=form.cleaned_data["year"],
            kreis_share_percent=form.cleaned_data["kreis_share_percent"],
        )
        messages.success(request, f"Das Haushaltsjahr {budget_year.year} wurde angelegt.")
        return redirect("costsharing:year_detail", year=budget_year.year)
    return render(
        request,
        "costsharing/kreis/year_list.html",
        {"years": selectors.years(), "form": form, "issuer": selectors.issuer()},
    )


@kreis_role_required(*KREIS_ROLES)
@require_GET
def year_detail(request: PortalRequest, year: int) -> HttpResponse:
    budget_year = budget_year_or_404(year)
    allocation, problem = None, ""
    try:
        allocation = selectors.allocation_current(budget_year)
    except AllocationError as error:
        problem = str(error)
    budget = None
    try:
        budget = selectors.budget_of(budget_year)
    except AllocationError as error:
        problem = problem or str(error)
    lines = selectors.year_lines(budget_year)
    access = get_access(request)
    return render_list(
        request,
        "costsharing/kreis/year_detail.html",
        {
            "budget_year": budget_year,
            "budget": budget,
            "allocation": allocation,
            "shares": listing(request, allocation.rows if allocation else [], SHARE_LIST),
            "problem": problem,
            "keys": lines.keys,
            "staff": lines.staff,
            "costs": lines.costs,
            "grants": lines.grants,
            "modules": lines.modules,
            "versions": selectors.versions_of(budget_year),
            "may_plan": access.is_coordinator and not budget_year.is_frozen,
            "may_freeze": access.is_centre_treasurer,
            "freeze_blockers": services.freeze_blockers(year) if not budget_year.is_frozen else [],
            "forms": {
                "budget": BudgetForm(
                    initial={
                        "kreis_share_percent": budget_year.kreis_share_percent,
                        "note": budget_year.note,
                    }
                ),
                "personal": StaffLineForm(prefix="personal"),
                "kosten": CostLineForm(prefix="kosten"),
                "foerdermittel": GrantForm(prefix="foerdermittel"),
                "modul": ModuleForm(prefix="modul"),
                "schluessel": KeyForm(prefix="schluessel"),
                "freeze": FreezeForm(
                    initial={"settle_in_year": year + 1 if lines.has_versions else year}
                ),
            },
        },
    )


@kreis_role_required(COORDINATOR)
@require_POST
def budget_update(request: PortalRequest, year: int) -> HttpResponse:
    budget_year = budget_year_or_404(year)
    back = reverse("costsharing:year_detail", args=[year])
    form = BudgetForm(request.POST)
    refuse_invalid(form)
    services.budget_year_update(budget_year=budget_year, **form.cleaned_data)
    messages.success(request, "Der Haushalt wurde gespeichert.")
    return redirect(back)


# Per kind of budget entry: its form, the service that adds it, and what the page says then.
BUDGET_FORMS: dict[str, tuple[type[forms.Form], Callable[..., object], str]] = {
    "personal": (StaffLineForm, services.staff_line_add, "Die Personalkosten wurden ergänzt."),
    "kosten": (CostLineForm, services.cost_line_add, "Die Kosten wurden ergänzt."),
    "foerdermittel": (GrantForm, services.grant_add, "Die Fördermittel wurden ergänzt."),
    "modul": (ModuleForm, services.module_add, "Das Modul wurde angelegt."),
    "schluessel": (
        KeyForm,
        services.allocation_key_save,
        "Der Verteilungsschlüssel wurde gespeichert.",
    ),
}


@kreis_role_required(COORDINATOR)
@require_POST
def budget_item_add(request: PortalRequest, year: int, kind: str) -> HttpResponse:
    if kind not in BUDGET_FORMS:
        raise Http404("Diese Art von Eintrag gibt es nicht.")
    budget_year = budget_year_or_404(year)
    back = reverse("costsharing:year_detail", args=[year])
    form_class, add, done = BUDGET_FORMS[kind]
    form = form_class(request.POST, prefix=kind)
    refuse_invalid(form)
    add(budget_year=budget_year, **form.cleaned_data)
    messages.success(request, done)
    return redirect(back)


@kreis_role_required(COORDINATOR)
@require_POST
def budget_item_delete(request: PortalRequest, year: int, kind: str, item_id: int) -> HttpResponse:
    budget_year = budget_year_or_404(year)
    back = reverse("costsharing:year_detail", args=[year])
    services.budget_item_delete(budget_year=budget_year, kind=kind, item_id=item_id)
    messages.success(request, "Der Eintrag wurde entfernt.")
    return redirect(back)


@kreis_role_required(COORDINATOR)
@require_POST
def key_activate(request: PortalRequest, year: int, key_id: int) -> HttpResponse:
    key = found_or_404(selectors.key_get(year, key_id), "Diesen Schlüssel gibt es nicht.")
    back = reverse("costsharing:year_detail", args=[year])
    services.allocation_key_activate(key=key)
    messages.success(request, f"„{key.name}“ gilt jetzt für {year}.")
    return redirect(back)


@kreis_role_required(*KREIS_ROLES)
@require_GET
def scenario_compare(request: PortalRequest, year: int) -> HttpResponse:
    budget_year = budget_year_or_404(year)
    keys = selectors.keys_of(budget_year)
    back = reverse("costsharing:year_detail", args=[year])
    by_id = {str(key.pk): key for key in keys}
    first, second = by_id.get(request.GET.get("a", "")), by_id.get(request.GET.get("b", ""))
    context: dict[str, Any] = {"budget_year": budget_year, "keys": keys, "a": first, "b": second}
    if first is not None and second is not None:
        before = selectors.allocation_live(budget_year, first)
        after = selectors.allocation_live(budget_year, second)
        context["rows"] = selectors.differences(before, after)
        context["before"], context["after"] = before, after
    elif request.GET.get("a") or request.GET.get("b"):
        raise PortalError("Bitte zwei Schlüssel dieses Jahres zum Vergleich wählen.", back=back)
    return render(request, "costsharing/kreis/compare.html", context)


@kreis_role_required(CENTRE_TREASURER)
@require_POST
def freeze(request: PortalRequest, year: int) -> HttpResponse:
    budget_year = budget_year_or_404(year)
    form = FreezeForm(request.POST)
    refuse_invalid(form)
    version = services.allocation_freeze(
        budget_year=budget_year,
        user=request.user,
        settle_in_year=form.cleaned_data["settle_in_year"],
        reason=form.cleaned_data["reason"],
        decisions_waiver=form.cleaned_data["decisions_waiver"],
    )
    messages.success(
        request, f"Die Verteilung {year} ist als Version {version.number} festgeschrieben."
    )
    return redirect("costsharing:version_detail", year=year, number=version.number)


@kreis_role_required(CENTRE_TREASURER)
@require_POST
def correction(request: PortalRequest, year: int) -> HttpResponse:
    budget_year = budget_year_or_404(year)
    back = reverse("costsharing:year_detail", args=[year])
    services.correction_open(budget_year=budget_year)
    messages.success(
        request,
        f"{year} kann korrigiert werden. Die bisherigen Versionen bleiben unverändert; die "
        "Korrektur wird als neue Version festgeschrieben.",
    )
    return redirect(back)


@kreis_role_required(*KREIS_ROLES)
@require_GET
def version_detail(request: PortalRequest, year: int, number: int) -> HttpResponse:
    version = found_or_404(selectors.version_get(year, number), "Diese Version gibt es nicht.")
    differences = selectors.version_differences(version)
    return render_list(
        request,
        "costsharing/kreis/version_detail.html",
        {
            "version": version,
            "allocation": selectors.allocation_of_version(version),
            "differences": listing(request, differences, DIFFERENCE_LIST),
        },
    )


# The members' shares of a year: computed in one pass for all, paged for reading (the exports
# carry every row).
MEMBER_SEARCH = Search(label="Kommune oder AGS", apply=selectors.member_rows_search)
SHARE_LIST = ListSpec(
    key="anteile",
    label="Anteile der Kommunen",
    noun="Kommune,Kommunen",
    search=MEMBER_SEARCH,
    per_page=50,
)
DIFFERENCE_LIST = ListSpec(
    key="unterschiede",
    label="Anteile",
    noun="Kommune,Kommunen",
    search=MEMBER_SEARCH,
    filters=(
        Filter(
            "aenderung",
            "Änderung",
            [("geaendert", "nur geänderte Anteile")],
            apply=lambda rows, _value: [row for row in rows if row.change],
        ),
    ),
    per_page=50,
)
USAGE_LIST = ListSpec(
    key="nutzung",
    label="Nutzung",
    noun="Eintrag,Einträge",
    search=Search(
        label="Kommune, AGS, Referenz oder Bemerkung",
        fields=("municipality__name", "reference", "note"),
        prefix_fields=("municipality__ags",),
    ),
    filters=(
        Filter("quelle", "Quelle", UsageRecord.Source.choices, lookup="source"),
        Filter(
            "kommune",
            "Kommune",
            lambda: choices_of(selectors.member_municipalities(), "slug", "name"),
            lookup="municipality__slug",
        ),
    ),
    ordering=("municipality__name", "pk"),
)


@kreis_role_required(*KREIS_ROLES)
@require_http_methods(["GET", "POST"])
def usage_list(request: PortalRequest, year: int) -> HttpResponse:
    back = reverse("costsharing:usage_list", args=[year])
    municipalities = selectors.member_municipalities()
    form = UsageForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST":
        if not get_access(request).is_centre_treasurer:
            raise PermissionDenied
        refuse_invalid(form)
        services.usage_record_create(
            year=year,
            user=request.user,
            **form.cleaned_data,
        )
        messages.success(request, "Die Nutzung wurde erfasst.")
        return redirect(back)
    return render_list(
        request,
        "costsharing/kreis/usage.html",
        {
            "year": year,
            "records": listing(request, selectors.usage_records(year), USAGE_LIST),
            "form": form,
            "may_edit": get_access(request).is_centre_treasurer,
        },
    )


@kreis_role_required(CENTRE_TREASURER)
@require_POST
def usage_correct(request: PortalRequest, year: int, record_id: int) -> HttpResponse:
    found = selectors.usage_record_get(year, record_id)
    record = found_or_404(found, "Diesen Eintrag gibt es nicht.")
    back = reverse("costsharing:usage_list", args=[year])
    form = UsageCorrectForm(request.POST)
    refuse_invalid(form)
    services.usage_record_correct(record=record, **form.cleaned_data)
    messages.success(request, "Die Nutzung wurde korrigiert.")
    # Back to the page of the list the correction came from, search and filters kept.
    kept = request.POST.get("zurueck", "")
    safe = kept.startswith(f"{back}?") and kept.isprintable() and "//" not in kept
    return redirect(kept if safe else back)


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def population(request: PortalRequest) -> HttpResponse:
    back = reverse("costsharing:population")
    form = PopulationForm(request.POST or None, municipalities=selectors.member_municipalities())
    if request.method == "POST":
        refuse_invalid(form)
        services.population_figure_set(**form.cleaned_data)
        messages.success(request, "Die Einwohnerzahl wurde gespeichert.")
        return redirect(back)
    return render(request, "costsharing/kreis/population.html", {"form": form})


@kreis_role_required(CENTRE_TREASURER, KreisRole.Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def issuer_edit(request: PortalRequest) -> HttpResponse:
    back = reverse("costsharing:issuer")
    issuer = selectors.issuer()
    # Until the centre writes its own legal note, the form offers the default to adapt.
    initial = {} if issuer and issuer.legal_note else {"legal_note": NOTICE_LEGAL_NOTE}
    form = IssuerForm(request.POST or None, instance=issuer, initial=initial)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "costsharing/kreis/issuer.html", {"form": form}, status=400)
        services.issuer_save(**{k: v for k, v in form.cleaned_data.items()})
        messages.success(request, "Die Rechnungsangaben wurden gespeichert.")
        return redirect(back)
    return render(request, "costsharing/kreis/issuer.html", {"form": form})


def _allocation_for_export(year: int) -> Any:
    return selectors.allocation_current(budget_year_or_404(year))


@kreis_role_required(*KREIS_ROLES)
@require_GET
def allocation_export(request: PortalRequest, year: int, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "csv"):
        raise Http404("Dieses Format gibt es nicht.")
    allocation = _allocation_for_export(year)
    if fmt == "xlsx":
        content = exports.allocation_xlsx(allocation)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = exports.allocation_csv(allocation)
        mime = "text/csv; charset=utf-8"
    return attachment(content, mime, f"Kostenverteilung-{year}.{fmt}")


@kreis_role_required(*KREIS_ROLES)
@require_http_methods(["GET", "POST"])
def notices_batch(request: PortalRequest, year: int) -> HttpResponse:
    """All members' notices at once: request them (POST), then follow the progress."""
    budget_year = budget_year_or_404(year)
    if request.method == "POST":
        batch = services.notices_render_batch(budget_year=budget_year, user=request.user)
        return NOTICE_BATCHES.started(batch, year=year)
    return render(request, "costsharing/kreis/notices.html", {"budget_year": budget_year})


@kreis_role_required(*KREIS_ROLES)
@require_http_methods(["GET", "POST"])
def notices_batch_status(request: PortalRequest, year: int, batch: uuid.UUID) -> HttpResponse:
    """The batch's progress; POST ("Neu versuchen") sends its failed notices again."""
    return NOTICE_BATCHES.status(request, batch, year=year)


@kreis_role_required(*KREIS_ROLES)
@require_GET
def notices_batch_zip(request: PortalRequest, year: int, batch: uuid.UUID) -> HttpResponse:
    return NOTICE_BATCHES.zip(request, batch, year=year)
