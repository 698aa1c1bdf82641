"""Shared by both audiences of the decision papers: roles, finding a paper, its PDF, and the
OParl objects of a paper (the Kreis and a municipality serve the same shapes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from izd.document_flow import DocumentFlow, anyone
from izd.http import found_or_404
from izd.models import Document
from roadmap.papers import oparl, selectors, services
from roadmap.papers.models import Consultation, Paper
from roadmap.papers.oparl import objects as oparl_objects
from roadmap.papers.oparl import views as oparl_views
from tenants.http import PortalRequest
from tenants.models import KreisRole, Membership, Municipality

COORDINATOR = KreisRole.Role.COORDINATOR
KREIS_ROLES = (COORDINATOR, KreisRole.Role.CENTRE_TREASURER)
DECISION_ROLES = (Membership.Role.DIGITAL_OFFICER, Membership.Role.TREASURER)


def kreis_paper(paper_id: int) -> Paper:
    return found_or_404(selectors.paper_get(paper_id), "Diese Beschlussvorlage gibt es nicht.")


def tenant(request: PortalRequest) -> Municipality:
    return request.tenant


def own_paper(request: PortalRequest, paper_id: int) -> Paper:
    paper = selectors.paper_of_municipality(paper_id, tenant(request))
    return found_or_404(paper, "Diese Beschlussvorlage gibt es für Ihre Kommune nicht.")


def paper_pdf(paper: Paper) -> Document | None:
    """The paper's PDF, which lives in its municipality's schema."""
    document = paper.document
    if document is None or document.schema_name != paper.municipality.schema_name:
        return None
    return document


def paper_key(document: Document) -> int:
    return int(document.params["paper_id"])


def paper_flow(
    status_url: str,
    download_url: str,
    find: Callable[[PortalRequest, int], Paper],
    may_retry: Callable[[HttpRequest], bool] = anyone,
) -> DocumentFlow:
    """A paper's PDF as one audience reaches it: named by the paper, which `find` looks up
    among those the audience may see."""
    return DocumentFlow(
        kind=services.KIND,
        status_url=status_url,
        download_url=download_url,
        missing="Für diese Vorlage gibt es noch kein PDF.",
        # The flow's views run behind the portal's middleware: every request is a PortalRequest.
        find=lambda request, paper_id: paper_pdf(find(cast(PortalRequest, request), paper_id)),
        key=paper_key,
        may_retry=may_retry,
    )


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
    consultation = selectors.consultation_of(paper, consultation_id)
    return found_or_404(consultation, "Diese Beratung gibt es nicht.")


def oparl_views_for(
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
