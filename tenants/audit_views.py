"""The audit trail's list and CSV export.

On the Kreis' domain the coordinator and the centre's treasurer see every entry and may filter
by municipality; on a municipality's subdomain its digital officer and treasurer see only the
entries about that municipality. Plain GET forms and links: it works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django import forms
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from izd.audit import selectors
from izd.errors import refuse_invalid
from izd.spreadsheet import csv_bytes
from tenants.access import municipality_role_required
from tenants.http import PortalRequest
from tenants.models import KreisRole, Membership, Municipality

PAGE_PARAMETER = "seite"
CSV_HEADER = (
    "Zeitpunkt",
    "Person",
    "Kommune",
    "Bereich",
    "Vorgang",
    "Objektart",
    "Objekt-ID",
    "Objekt",
    "Änderung",
    "Werte vorher → nachher",
)

audit_access = municipality_role_required(
    Membership.Role.DIGITAL_OFFICER,
    Membership.Role.TREASURER,
    kreis_roles=(KreisRole.Role.COORDINATOR, KreisRole.Role.CENTRE_TREASURER),
)


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _day_field(label: str) -> forms.DateField:
    """An optional day, picked in the browser's date field or typed the German way."""
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={"invalid": "Bitte ein Datum wie 31.12.2026 angeben."},
    )


class AuditFilterForm(forms.Form):
    person = forms.CharField(label="Person (Name oder E-Mail)", required=False, max_length=200)
    kommune = forms.TypedChoiceField(
        label="Kommune", required=False, coerce=int, empty_value=None, choices=()
    )
    bereich = forms.ChoiceField(label="Bereich", required=False, choices=())
    von = _day_field("von")
    bis = _day_field("bis")

    def __init__(
        self, *args: object, municipalities: list[tuple[int, str]] | None, **kwargs: object
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _choice_field(self, "bereich").choices = [("", "alle Bereiche"), *selectors.kinds()]
        if municipalities is None:
            del self.fields["kommune"]
        else:
            _choice_field(self, "kommune").choices = [
                ("", "alle Kommunen und der Kreis"),
                (selectors.KREIS_ONLY, "nur der Kreis"),
                *municipalities,
            ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("von"), data.get("bis")
        if isinstance(since, date) and isinstance(until, date) and since > until:
            raise forms.ValidationError("„von“ liegt nach „bis“: bitte den Zeitraum prüfen.")
        return data

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data
        return selectors.Filters(
            person=(data.get("person") or "").strip(),
            municipality_id=data.get("kommune"),
            kind=data.get("bereich") or "",
            since=data.get("von"),
            until=data.get("bis"),
        )


def _scope(request: PortalRequest) -> int | None:
    return None if request.tenant.is_kreis else int(request.tenant.pk)


def _form(request: PortalRequest) -> AuditFilterForm:
    municipalities = None
    if request.tenant.is_kreis:
        municipalities = list(
            Municipality.with_offboarded.exclude(pk=request.tenant.pk)
            .order_by("name")
            .values_list("pk", "name")
        )
    return AuditFilterForm(request.GET or None, municipalities=municipalities)


def _page_link(request: PortalRequest, number: int) -> str:
    query = request.GET.copy()
    query[PAGE_PARAMETER] = str(number)
    return f"?{query.urlencode()}"


@require_safe
@audit_access
def audit_list(request: PortalRequest) -> HttpResponse:
    form = _form(request)
    valid = not form.is_bound or form.is_valid()
    filters = form.filters() if form.is_bound and valid else selectors.Filters()
    page = selectors.entries_page(
        scope=_scope(request), filters=filters, page=request.GET.get(PAGE_PARAMETER)
    )
    export_query = request.GET.copy()
    export_query.pop(PAGE_PARAMETER, None)
    template = "audit/_list_results.html" if getattr(request, "htmx", False) else "audit/list.html"
    response = render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "previous_link": _page_link(request, page.number - 1) if page.has_previous else "",
            "next_link": _page_link(request, page.number + 1) if page.has_next else "",
            "export_query": export_query.urlencode(),
            "municipality": None if request.tenant.is_kreis else request.tenant,
        },
        status=200 if valid else 400,
    )
    # The same address answers htmx with the results only: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _csv_chunks(entries: Iterator[selectors.Entry]) -> Iterator[bytes]:
    yield csv_bytes([CSV_HEADER])
    batch: list[tuple[object, ...]] = []
    for entry in entries:
        batch.append(
            (
                entry.at,
                entry.actor,
                entry.municipality,
                entry.kind_label,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.object_label,
                entry.summary,
                "; ".join(f"{c.field}: {c.before} → {c.after}" for c in entry.changes),
            )
        )
        if len(batch) == 500:
            yield csv_bytes(batch).removeprefix(b"\xef\xbb\xbf")
            batch = []
    if batch:
        yield csv_bytes(batch).removeprefix(b"\xef\xbb\xbf")


@require_safe
@audit_access
def audit_csv(request: PortalRequest) -> HttpResponse | StreamingHttpResponse:
    form = _form(request)
    if form.is_bound:
        refuse_invalid(form)
    filters = form.filters() if form.is_bound else selectors.Filters()
    entries = selectors.entries_for_export(scope=_scope(request), filters=filters)
    response = StreamingHttpResponse(_csv_chunks(entries), content_type="text/csv; charset=utf-8")
    name = "kreis" if request.tenant.is_kreis else request.tenant.slug
    response["Content-Disposition"] = (
        f'attachment; filename="aenderungsprotokoll-{name}-{date.today():%Y-%m-%d}.csv"'
    )
    return response
