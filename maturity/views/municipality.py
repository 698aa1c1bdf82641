"""Maturity on a municipality's subdomain: its assessment with the autosave, the results and
the answers' history. Thin views: check access, call a selector or service, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from izd import confirm
from izd.errors import refusal_response
from izd.exceptions import PortalError
from izd.http import found_or_404
from izd.numbers import ascii_int
from maturity import pages, selectors, services
from maturity.forms import AnswerForm
from maturity.models import Participation
from tenants.access import ALL_MUNICIPALITY_ROLES, get_access
from tenants.access import municipality_role_required as role_required
from tenants.http import PortalRequest
from tenants.models import Membership, Municipality

OFFICER = Membership.Role.DIGITAL_OFFICER


def _participation(request: PortalRequest, campaign_id: int) -> Participation:
    participation = selectors.participation_get(campaign_id, request.tenant)
    return found_or_404(participation, "Ihre Kommune nimmt an dieser Erhebung nicht teil.")


def _may_edit(request: PortalRequest) -> bool:
    return get_access(request).has_municipality_role(OFFICER)


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def home(request: PortalRequest) -> HttpResponse:
    return render(
        request,
        "maturity/home.html",
        {"participations": selectors.participations_of(request.tenant)},
    )


def _overview_context(request: PortalRequest, participation: Participation) -> dict[str, Any]:
    campaign = participation.campaign
    structure = selectors.model_structure(campaign.model_version_id)
    assessment = selectors.assessment_get(campaign.pk)
    answers = selectors.answers_by_question(assessment)
    return {
        "campaign": campaign,
        "participation": participation,
        "structure": structure,
        "assessment": assessment,
        "progress": pages.progress(structure, answers),
        "may_edit": _may_edit(request) and campaign.is_open,
        "locked": (assessment is not None and assessment.is_submitted) or not campaign.is_open,
    }


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def campaign_overview(request: PortalRequest, campaign_id: int) -> HttpResponse:
    participation = _participation(request, campaign_id)
    return render(request, "maturity/overview.html", _overview_context(request, participation))


def _dimension_context(
    request: PortalRequest, participation: Participation, dimension_key: str
) -> dict[str, Any]:
    context = _overview_context(request, participation)
    structure = context["structure"]
    dimension = structure.dimension(dimension_key)
    if dimension is None:
        raise Http404("Dieses Handlungsfeld gibt es im Modell der Erhebung nicht.")
    answers = selectors.answers_by_question(context["assessment"])
    index = structure.dimensions.index(dimension)
    context.update(
        dimension=dimension,
        rows=pages.question_rows(structure, dimension, answers),
        dimension_progress=context["progress"].of(dimension.key),
        previous_dimension=structure.dimensions[index - 1] if index > 0 else None,
        next_dimension=structure.dimensions[index + 1]
        if index + 1 < len(structure.dimensions)
        else None,
        levels=structure.levels,
    )
    return context


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def dimension_page(request: PortalRequest, campaign_id: int, dimension_key: str) -> HttpResponse:
    participation = _participation(request, campaign_id)
    context = _dimension_context(request, participation, dimension_key)
    return render(request, "maturity/dimension.html", context)


def _answer_refused(
    request: PortalRequest,
    participation: Participation,
    question_id: int | None,
    error: PortalError,
    *,
    posted: dict[str, Any],
    conflict: pages.Conflict | None = None,
) -> HttpResponse:
    """Show a refused save next to its question (htmx) or on the page (plain form); one that
    names no question of the model gets the one error page."""
    structure = selectors.model_structure(participation.campaign.model_version_id)
    dimension = None if question_id is None else structure.dimension_of(question_id)
    if dimension is None:
        return refusal_response(request, error)
    context = _dimension_context(request, participation, dimension.key)
    row = next(r for r in context["rows"] if r.question.id == question_id)
    row.values = posted
    row.message, row.message_kind, row.conflict = error.message, "error", conflict
    context["row"] = row
    if request.htmx:
        response = render(request, "maturity/dimension.html#question", context, status=error.status)
        return reswap(retarget(response, f"#frage-{question_id}"), "outerHTML")
    return render(request, "maturity/dimension.html", context, status=error.status)


def _known_question(participation: Participation, question_id: object) -> int | None:
    """The posted question's id, if it is one of the campaign's model."""
    known_id = question_id if isinstance(question_id, int) else ascii_int(str(question_id))
    structure = selectors.model_structure(participation.campaign.model_version_id)
    return known_id if known_id is not None and structure.question(known_id) else None


def _taking_part(campaign_id: int, municipality: Municipality) -> Participation:
    participation = selectors.participation_get(campaign_id, municipality)
    if participation is None:
        raise services.NotFound("Ihre Kommune nimmt an dieser Erhebung nicht teil.")
    return participation


@require_POST
@role_required(OFFICER, kreis_roles=())
def answer_save(request: PortalRequest, campaign_id: int) -> HttpResponse:
    """The autosave. The service reads the participation together with its first locks; a
    refusal reads it again to show the question (refusals are rare)."""
    municipality: Municipality = request.tenant
    form = AnswerForm(request.POST)
    if not form.is_valid():
        participation = _taking_part(campaign_id, municipality)
        posted = {k: form.data.get(k, "") for k in services.FIELDS}
        posted["not_relevant"] = bool(form.data.get("not_relevant"))
        for level in ("current_level", "target_level"):
            posted[level] = form.cleaned_data.get(level)
        known_id = _known_question(participation, form.data.get("question", ""))
        return _answer_refused(
            request, participation, known_id, PortalError(form.error_text()), posted=posted
        )
    data = form.to_input()
    try:
        saved = services.answer_save(
            campaign_id=campaign_id,
            municipality=municipality,
            user=request.user,
            data=data,
            version=form.cleaned_data["version"],
            answer_id=form.cleaned_data["answer"],
        )
    except services.AnswerConflict as conflict:
        participation = _taking_part(campaign_id, municipality)
        structure = selectors.model_structure(participation.campaign.model_version_id)
        current = conflict.current
        names = selectors.user_names({current.updated_by_id})
        info = pages.Conflict(
            theirs=pages.answer_display(structure, pages.answer_values_dict(current)),
            mine=data.as_dict(),
            mine_shown=pages.answer_display(structure, data.as_dict()),
            by=names.get(current.updated_by_id or 0, "eine andere Person"),
            at=current.updated_at,
            version=current.version,
        )
        message = (
            f"{info.by} hat diese Antwort inzwischen geändert. Ihre Eingabe wurde nicht "
            "gespeichert. Bitte entscheiden Sie, welcher Stand gelten soll."
        )
        return _answer_refused(
            request,
            participation,
            _known_question(participation, data.question_id),
            PortalError(message, 409),
            posted=data.as_dict(),
            conflict=info,
        )
    except services.MaturityError as error:
        taking_part = selectors.participation_get(campaign_id, municipality)
        if taking_part is None:  # not taking part: the one error page
            raise
        known_id = _known_question(taking_part, data.question_id)
        return _answer_refused(request, taking_part, known_id, error, posted=data.as_dict())
    return _answer_saved(request, saved.participation, saved)


def _answer_saved(
    request: PortalRequest, participation: Participation, saved: services.SavedAnswer
) -> HttpResponse:
    answer = saved.answer
    structure = selectors.model_structure(participation.campaign.model_version_id)
    dimension = structure.dimension_of(answer.question_id)
    assert dimension is not None
    if not request.htmx:
        messages.success(request, "Ihre Antwort wurde gespeichert.")
        url = reverse("maturity:dimension", args=[participation.campaign_id, dimension.key])
        return redirect(f"{url}#frage-{answer.question_id}")
    # A resubmit from the conflict box replaces the whole question; an autosave only the
    # status line, so what the person types meanwhile stays.
    if request.htmx.target == f"frage-{answer.question_id}":
        context = _dimension_context(request, participation, dimension.key)
        row = next(r for r in context["rows"] if r.question.id == answer.question_id)
        row.message, row.message_kind = "gespeichert", "saved"
        context["row"] = row
        return render(request, "maturity/dimension.html#question", context)
    # The autosave reply is small (status line, answer id and version, progress) and needs no
    # query: the save has read which questions are answered.
    answered = saved.answered
    if answered is None:
        answered = frozenset(selectors.answered_question_ids(answer.assessment_id))
    progress = pages.progress_of(structure, answered)
    context = {
        "row": pages.saved_row(structure, answer),
        "progress": progress,
        "dimension_progress": progress.of(dimension.key),
    }
    # Rendered without the request: the fragment needs none of the context processors.
    return HttpResponse(render_to_string("maturity/dimension.html#saved", context))


@require_POST
@role_required(OFFICER, kreis_roles=())
def assessment_submit(request: PortalRequest, campaign_id: int) -> HttpResponse:
    participation = _participation(request, campaign_id)
    progress = _overview_context(request, participation)["progress"]
    # An incomplete assessment goes straight to the service, which says what is missing.
    if progress.answered >= progress.total and not confirm.is_confirmed(request):
        return confirm.ask(
            request,
            confirm.Confirmation(
                title="Selbsteinschätzung abgeben?",
                text=(
                    f"Nach der Abgabe sind die Antworten von {request.tenant.name} zur Erhebung "
                    f"„{participation.campaign.name}“ gesperrt. Nur die Koordination des "
                    "Zentrums kann sie wieder öffnen."
                ),
                button="Verbindlich abgeben",
                action=request.path,
                cancel=reverse("maturity:overview", args=[campaign_id]),
            ),
        )
    try:
        services.assessment_submit(
            campaign_id=campaign_id,
            municipality=request.tenant,
            user=request.user,
        )
    except services.MaturityError as error:
        context = _overview_context(request, participation)
        context["error"] = error.message
        return render(request, "maturity/overview.html", context, status=error.status)
    messages.success(
        request, "Die Selbsteinschätzung ist abgegeben. Vielen Dank! Sie ist nun gesperrt."
    )
    return redirect("maturity:results", campaign_id=campaign_id)


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def results(request: PortalRequest, campaign_id: int) -> HttpResponse:
    participation = _participation(request, campaign_id)
    return render(
        request,
        "maturity/results.html",
        {"campaign": participation.campaign, "results": pages.results(participation)},
    )


@require_GET
@role_required(*ALL_MUNICIPALITY_ROLES)
def answer_history(request: PortalRequest, campaign_id: int, answer_id: uuid.UUID) -> HttpResponse:
    participation = _participation(request, campaign_id)
    answer, changes = selectors.answer_history(answer_id)
    assessment = selectors.assessment_get(campaign_id)
    if answer is None or assessment is None or answer.assessment_id != assessment.pk:
        raise Http404("Diese Antwort gibt es in Ihrer Kommune nicht.")
    structure = selectors.model_structure(participation.campaign.model_version_id)
    names = selectors.user_names({c.changed_by_id for c in changes})
    entries = [
        {
            "at": c.changed_at,
            "by": names.get(c.changed_by_id or 0, "unbekannt"),
            "old": pages.answer_display(structure, c.old) if c.old else None,
            "new": pages.answer_display(structure, c.new),
        }
        for c in changes
    ]
    return render(
        request,
        "maturity/history.html",
        {
            "campaign": participation.campaign,
            "question": structure.question(answer.question_id),
            "dimension": structure.dimension_of(answer.question_id),
            "entries": entries,
        },
    )
