"""The decision papers on a municipality's subdomain: its papers, the decision, the PDF and
the OParl objects; a paper of another municipality is not found (404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from izd.exceptions import PortalError
from roadmap.papers import selectors, services
from roadmap.papers.forms import (
    DecisionForm,
)
from roadmap.papers.views.common import (
    DECISION_ROLES,
    KREIS_ROLES,
    oparl_views_for,
    own_paper,
    paper_flow,
    tenant,
)
from tenants.access import (
    ALL_MUNICIPALITY_ROLES,
    get_access,
    municipality_role_required,
)
from tenants.http import PortalRequest

MUNICIPAL_PAPERS = paper_flow("papers:municipal_paper", "papers:municipal_download", own_paper)

MEMBER_ACCESS = municipality_role_required(*ALL_MUNICIPALITY_ROLES, kreis_roles=KREIS_ROLES)


@MEMBER_ACCESS
@require_GET
def municipal_list(request: PortalRequest) -> HttpResponse:
    papers = selectors.papers_of_municipality(tenant(request))
    return render(request, "papers/municipal/list.html", {"papers": papers})


@MEMBER_ACCESS
@require_http_methods(["GET", "POST"])
def municipal_paper(request: PortalRequest, paper_id: int) -> HttpResponse:
    paper = own_paper(request, paper_id)
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
            raise PortalError(
                "Den Beschluss erfassen die Digitalisierungsbeauftragten oder die Kämmerei.", 403
            )
        if form.is_valid():
            services.decision_record(
                paper=paper,
                decided_on=form.cleaned_data["decided_on"],
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
                user=request.user,
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
    return MUNICIPAL_PAPERS.download(request, paper_id)


_municipal_oparl = {
    name: MEMBER_ACCESS(view) for name, view in oparl_views_for(own_paper, "municipal_").items()
}
municipal_oparl_paper = _municipal_oparl["paper"]
municipal_oparl_consultation = _municipal_oparl["consultation"]
municipal_oparl_organization = _municipal_oparl["organization"]
municipal_oparl_file = _municipal_oparl["file"]
