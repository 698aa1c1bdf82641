"""Start page panels of roadmap: a municipality's requests waiting for an answer, and the
requests the centre still has to triage."""

from __future__ import annotations

from django.db.models import Count, F, Max, Q
from django.utils.translation import gettext as _

from roadmap import workflow
from roadmap.models import RequestStatus, RequestSummary, Service
from roadmap.municipal.models import ServiceRequest
from tenants.start_panels import PanelItem, StartContext, StartPanel, link_for

S = RequestStatus
WAITING = (S.SUBMITTED, S.IN_REVIEW)
UNDER_WAY = (S.ACCEPTED, S.IN_PROGRESS)
SHOWN_QUESTIONS = 5


def _open_counts(model: type[ServiceRequest] | type[RequestSummary]) -> dict[str, int]:
    """How many open requests there are per status (one query): a municipality's own requests,
    or the Kreis' read model of all of them."""
    return dict(
        model.objects.filter(status__in=workflow.OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )


def requests_panel(context: StartContext) -> StartPanel | None:
    """The municipality's open requests: those the centre has not answered yet, those with a
    question of the centre the municipality has not replied to, and those under way.

    Runs in the municipality's schema: three queries, whatever the number of requests."""
    if context.municipality is None:
        return None
    access = context.access
    list_url = link_for(access, "roadmap:request_list")
    if not list_url:
        return None
    counts = _open_counts(ServiceRequest)
    # A comment of the centre after the municipality's last one is a question to answer.
    questions = list(
        ServiceRequest.objects.filter(status__in=workflow.OPEN_STATUSES)
        .annotate(
            last_kreis=Max("comments__created_at", filter=Q(comments__by_kreis=True)),
            last_own=Max("comments__created_at", filter=Q(comments__by_kreis=False)),
        )
        .filter(last_kreis__isnull=False)
        .filter(Q(last_own__isnull=True) | Q(last_own__lt=F("last_kreis")))
        .order_by("-last_kreis")
        .values_list("pk", "service_id")[:SHOWN_QUESTIONS]
    )
    names = dict(
        Service.objects.filter(pk__in={service for _pk, service in questions}).values_list(
            "pk", "name"
        )
    )
    items = [
        PanelItem(
            _("Rückfrage des Zentrums: %(service)s") % {"service": names.get(service, "")},
            _("bitte antworten"),
            link_for(access, "roadmap:request_detail", pk),
        )
        for pk, service in questions
    ]
    waiting = sum(counts.get(status, 0) for status in WAITING)
    under_way = sum(counts.get(status, 0) for status in UNDER_WAY)
    if waiting:
        items.append(PanelItem(_("warten auf Antwort des Zentrums"), str(waiting), list_url))
    if under_way:
        items.append(PanelItem(_("angenommen oder in Umsetzung"), str(under_way), list_url))
    catalogue = link_for(access, "roadmap:request_create")
    if not items:
        items.append(PanelItem(_("Keine offene Anfrage"), "", list_url))
    if catalogue:
        items.append(PanelItem(_("Leistung des Zentrums anfragen"), "", catalogue))
    return StartPanel(title=_("Leistungsanfragen"), items=tuple(items), order=20)


def triage_panel(context: StartContext) -> StartPanel | None:
    """For the centre: the requests waiting for triage, by status (one query)."""
    access = context.access
    if context.municipality is not None or not link_for(access, "roadmap:triage"):
        return None
    counts = _open_counts(RequestSummary)
    labels = dict(RequestStatus.choices)
    items = tuple(
        PanelItem(
            str(labels[status]),
            str(counts.get(status, 0)),
            link_for(access, "roadmap:triage", query=f"status={status}"),
        )
        for status in (*WAITING, *UNDER_WAY)
    )
    return StartPanel(title=_("Leistungsanfragen zu bearbeiten"), items=items, order=20)
