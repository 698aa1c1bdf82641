"""Views of the best-practice exchange: check access, call a selector or service, render.

Municipality subdomain: find, describe and adopt practices, ask questions, register for events.
Kreis domain: the centre's review, its own practices, the adoption matrix and the events; and
the public pages (list, detail, Atom feed) that anyone may read without signing in.

Long because one page of the exchange is served to up to three audiences (municipality subdomain,
Kreis domain, public) from one implementation per feature (bound to each domain's access rule by
`_on_both_domains`, or wrapped where the audiences see more or less), so a split per audience
would separate each view from the code it calls; the sections below are the features.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from izd.http import found_or_404
from izd.listing import Filter, ListSpec, Search, listing, render_list
from roadmap.practices import calendar, selectors, services
from roadmap.practices.forms import (
    AdoptionForm,
    AnswerForm,
    AttachmentForm,
    EventForm,
    PracticeForm,
    QuestionForm,
    RequestFromAdoptionForm,
    ReviewForm,
    SearchForm,
)
from roadmap.practices.models import Attachment, ExchangeEvent, Practice, Question
from roadmap.practices.services import PracticeError
from roadmap.practices.uploads import keep_raw_file_names, raw_file_name
from tenants.access import (
    ALL_MUNICIPALITY_ROLES,
    ViewFunc,
    get_access,
    kreis_role_required,
    view_allows,
)
from tenants.access import municipality_role_required as role_required
from tenants.http import PortalRequest
from tenants.models import KreisRole, Membership, Municipality

OFFICER = Membership.Role.DIGITAL_OFFICER
COORDINATOR = KreisRole.Role.COORDINATOR
PAGE_SIZE = 20
MEMBER_ACCESS = role_required(*ALL_MUNICIPALITY_ROLES)
OFFICER_ACCESS = role_required(OFFICER)
CENTRE_ACCESS = kreis_role_required()
COORDINATOR_ACCESS = kreis_role_required(COORDINATOR)
# Who may use a feature on (a municipality's subdomain, the Kreis domain).
AUTHORS = (OFFICER_ACCESS, COORDINATOR_ACCESS)
READERS = (MEMBER_ACCESS, CENTRE_ACCESS)
GET_POST = require_http_methods(["GET", "POST"])


def _on_both_domains(
    methods: Callable[[ViewFunc], ViewFunc],
    audience: tuple[Callable[[ViewFunc], ViewFunc], Callable[[ViewFunc], ViewFunc]],
    view: ViewFunc,
) -> tuple[ViewFunc, ViewFunc]:
    """One implementation as the view on a municipality's subdomain and as the view on the Kreis
    domain, each behind its own access rule (which the menu and `view_allows` ask)."""
    on_subdomain, on_kreis = audience
    return methods(on_subdomain(view)), methods(on_kreis(view))


def _municipality(request: PortalRequest) -> Municipality | None:
    """The authoring or adopting municipality: None on the Kreis domain (the centre)."""
    return None if request.tenant.is_kreis else request.tenant


def _viewer(request: HttpRequest) -> selectors.Viewer:
    if not request.user.is_authenticated:
        return selectors.ANONYMOUS
    return selectors.viewer_for(get_access(request), getattr(request, "tenant", None))


# --- lists and search -----------------------------------------------------------------------


# The search form (SearchForm) filters; the list helper pages, keeps the query string and
# answers htmx with the results only. The order is the search's (best match first).
PRACTICE_LIST = ListSpec(key="praxisbeispiele", per_page=PAGE_SIZE)
EVENT_LIST = ListSpec(
    key="termine",
    label="Austauschtermine",
    noun="Termin,Termine",
    search=Search(label="Thema", fields=("topic",)),
    filters=(
        Filter(
            "zeit",
            "Zeitraum",
            [("kommende", "kommende"), ("vergangene", "vergangene")],
            apply=selectors.events_when,
        ),
    ),
    ordering=("starts_at",),
)


def _search_context(request: HttpRequest, viewer: selectors.Viewer) -> dict[str, Any]:
    form = SearchForm(request.GET or None)
    filters = form.filters()
    return {
        "form": form,
        "results": listing(request, selectors.search(viewer, filters), PRACTICE_LIST),
        "searched": bool(filters.text),
        "dimension_titles": dict(selectors.dimension_choices()),
    }


def _list_page(request: PortalRequest, create_view: Any, **more: Any) -> HttpResponse:
    """The list for people signed in; `create_view` is where they would describe a practice."""
    context = _search_context(request, _viewer(request))
    context.update(
        detail_name="practices:detail",
        events=list(selectors.events(upcoming_only=True)[:3]),
        may_describe=view_allows(create_view, get_access(request)),
        **more,
    )
    return render_list(request, "practices/list.html", context)


@require_GET
@MEMBER_ACCESS
def practice_list(request: PortalRequest) -> HttpResponse:
    return _list_page(request, create)


@require_GET
@CENTRE_ACCESS
def kreis_list(request: PortalRequest) -> HttpResponse:
    return _list_page(request, kreis_create, queue=selectors.review_queue(), kreis=True)


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    context = _search_context(request, selectors.ANONYMOUS)
    context.update(detail_name="practices:public_detail", public=True)
    return render_list(request, "practices/list.html", context)


@require_GET
@MEMBER_ACCESS
def own(request: PortalRequest) -> HttpResponse:
    municipality = _municipality(request)
    return render(
        request,
        "practices/own.html",
        {
            "rows": selectors.own_practices(municipality),
            "adoptions": selectors.adoptions_of_municipality(municipality) if municipality else [],
            "may_describe": view_allows(create, get_access(request)),
        },
    )


# --- one practice ---------------------------------------------------------------------------


def _detail_context(
    request: HttpRequest, practice: Practice, *, public: bool = False
) -> dict[str, Any]:
    access = get_access(request)
    municipality = None if public else _municipality(request)  # type: ignore[arg-type]
    is_author = not public and selectors.may_author(access, practice, municipality)
    is_own = not public and (
        practice.municipality_id is not None
        and municipality is not None
        and practice.municipality_id == municipality.pk
    )
    history = selectors.versions(practice)
    latest = history[0]
    shown = practice.published_version if practice.published_version else latest
    if public:
        history = [v for v in history if v.published_at is not None]
    adoption = None if public else selectors.adoption_of(practice, municipality)
    adoptions = selectors.adoptions_of(practice)
    is_centre = not public and access.is_kreis_staff
    on_kreis = not public and request.tenant.is_kreis  # type: ignore[attr-defined]
    choices = selectors.dimension_choices()
    return {
        "practice": practice,
        "version": shown,
        "latest": latest,
        "history": history,
        "is_author": is_author,
        "is_own": is_own or is_author,
        "is_centre": is_centre,
        "on_kreis": on_kreis,
        "public": public,
        "adoption": adoption,
        "adoptions": adoptions,
        "users": [a for a in adoptions if a.status in ("geplant", "umsetzung", "betrieb")],
        # Contact details are exchanged once a municipality has declared its interest.
        "show_contact": is_author or is_own or is_centre or adoption is not None,
        "show_adopter_contacts": is_author or is_own or is_centre,
        "attachments": list(practice.attachments.defer("data").select_related("event")),
        "questions": list(practice.questions.select_related("municipality")),
        "events": selectors.events_of_practice(practice),
        "dimensions": selectors.titles(choices, shown.dimension_keys),
        "questions_linked": selectors.titles(selectors.question_choices(), shown.question_keys),
        "products": list(shown.products.all()),
        "question_form": QuestionForm(),
        "answer_form": AnswerForm(),
        "attachment_form": AttachmentForm(),
        "review_form": ReviewForm(),
        # Only the digital officers act on an adoption; others would meet a "Kein Zugriff".
        "may_adopt": not public
        and view_allows(interest, access)
        and municipality is not None
        and not is_own
        and practice.published_version is not None,
    }


def _practice_for(request: PortalRequest, practice_id: int) -> Practice:
    """A practice this person may read: a visible published one, or an own one in any state."""
    practice = selectors.practice_visible(_viewer(request), practice_id)
    if practice is None:
        own_practice = selectors.own_practice(_municipality(request), practice_id)
        if own_practice is None and get_access(request).is_kreis_staff:
            # The centre also sees what was submitted to it (drafts stay with their authors).
            candidate = Practice.objects.filter(pk=practice_id).first()
            if candidate is not None and candidate.versions.exclude(state="entwurf").exists():
                own_practice = candidate
        practice = own_practice
    if practice is None:
        raise Http404("Dieses Praxisbeispiel gibt es nicht oder es ist für Sie nicht sichtbar.")
    return practice


def _authored(request: PortalRequest, practice_id: int) -> Practice:
    practice = selectors.own_practice(_municipality(request), practice_id)
    if practice is None or not selectors.may_author(
        get_access(request), practice, _municipality(request)
    ):
        raise Http404("Dieses Praxisbeispiel gibt es in Ihrer Kommune nicht.")
    return practice


def _detail(request: PortalRequest, practice_id: int) -> HttpResponse:
    practice = _practice_for(request, practice_id)
    return render(request, "practices/detail.html", _detail_context(request, practice))


detail, kreis_detail = _on_both_domains(require_GET, READERS, _detail)


def _public_practice(practice_id: int) -> Practice:
    return found_or_404(
        selectors.practice_visible(selectors.ANONYMOUS, practice_id),
        "Dieses Praxisbeispiel gibt es nicht oder es ist nicht öffentlich.",
    )


@require_GET
def public_detail(request: HttpRequest, practice_id: int) -> HttpResponse:
    practice = _public_practice(practice_id)
    return render(request, "practices/detail.html", _detail_context(request, practice, public=True))


def _form_page(
    request: HttpRequest, form: Any, title: str, submit: str, back: str, status: int = 200,
    multipart: bool = False,
) -> HttpResponse:  # fmt: skip
    return render(
        request,
        "practices/form.html",
        {"form": form, "title": title, "submit": submit, "back": back, "multipart": multipart},
        status=status,
    )


def _create(request: PortalRequest) -> HttpResponse:
    form = PracticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            practice = services.practice_create(
                municipality=_municipality(request), data=form.to_input(), user=request.user
            )
        except PracticeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                "Der Entwurf ist gespeichert. Nur Ihre Kommune sieht ihn, bis Sie ihn zur "
                "Prüfung einreichen und das Zentrum ihn veröffentlicht.",
            )
            return redirect("practices:detail", practice_id=practice.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, "Praxisbeispiel beschreiben", "Entwurf speichern",
                      reverse("practices:list"), status)  # fmt: skip


create, kreis_create = _on_both_domains(GET_POST, AUTHORS, _create)


def _edit(request: PortalRequest, practice_id: int) -> HttpResponse:
    practice = _authored(request, practice_id)
    latest = selectors.versions(practice)[0]
    form = PracticeForm(request.POST or None, instance=latest if request.method == "GET" else None)
    if request.method == "GET":
        form = PracticeForm(instance=latest)
    elif form.is_valid():
        services.practice_update(practice=practice, data=form.to_input(), user=request.user)
        messages.success(request, "Die Änderungen sind als Entwurf gespeichert.")
        return redirect("practices:detail", practice_id=practice.pk)
    status = 400 if request.method == "POST" else 200
    back = reverse("practices:detail", args=[practice.pk])
    return _form_page(request, form, "Praxisbeispiel bearbeiten", "Entwurf speichern", back,
                      status)  # fmt: skip


edit, kreis_edit = _on_both_domains(GET_POST, AUTHORS, _edit)


def _submit(request: PortalRequest, practice_id: int) -> HttpResponse:
    practice = _authored(request, practice_id)
    services.practice_submit(practice=practice, user=request.user)
    messages.success(request, "Eingereicht: das Zentrum prüft das Praxisbeispiel.")
    return redirect("practices:detail", practice_id=practice.pk)


submit, kreis_submit = _on_both_domains(require_POST, AUTHORS, _submit)


@require_POST
@COORDINATOR_ACCESS
def review(request: PortalRequest, practice_id: int) -> HttpResponse:
    practice = _practice_for(request, practice_id)
    form = ReviewForm(request.POST)
    back = reverse("practices:detail", args=[practice.pk])
    if not form.is_valid():
        raise PracticeError("Bitte eine Entscheidung wählen.", back=back)
    services.practice_review(
        practice=practice,
        user=request.user,
        approve=form.cleaned_data["decision"] == "veroeffentlichen",
        note=form.cleaned_data["note"],
    )
    messages.success(request, "Die Prüfung ist gespeichert.")
    return redirect("practices:detail", practice_id=practice.pk)


# --- attachments ----------------------------------------------------------------------------


def _upload(request: PortalRequest, practice: Practice, back: str, event: Any = None) -> Any:
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = " ".join(str(m) for messages_ in form.errors.values() for m in messages_)
        raise PracticeError(errors or "Bitte eine Datei wählen.", back=back)
    upload = form.cleaned_data["file"]
    services.attachment_add(
        practice=practice,
        name=raw_file_name(request, upload.name or ""),
        data=upload.read(),
        title=form.cleaned_data["title"],
        kind=form.cleaned_data["kind"],
        user=request.user,
        event=event,
    )
    messages.success(request, "Die Datei ist angehängt.")
    return redirect(back)


@require_POST
@keep_raw_file_names
@role_required(OFFICER)
def attachment_upload(request: PortalRequest, practice_id: int) -> HttpResponse:
    practice = _authored(request, practice_id)
    return _upload(request, practice, reverse("practices:detail", args=[practice.pk]))


@require_POST
@keep_raw_file_names
@COORDINATOR_ACCESS
def kreis_attachment_upload(request: PortalRequest, practice_id: int) -> HttpResponse:
    practice = _practice_for(request, practice_id)
    return _upload(request, practice, reverse("practices:detail", args=[practice.pk]))


def _download(attachment: Attachment) -> HttpResponse:
    response = HttpResponse(bytes(attachment.data), content_type=attachment.content_type)
    response["Content-Disposition"] = _disposition(attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _attachment(practice: Practice, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.filter(pk=attachment_id, practice=practice).first()
    return found_or_404(attachment, "Diese Datei gibt es nicht.")


def _attachment_download(request: PortalRequest, practice_id: int, attachment_id: int) -> Any:
    return _download(_attachment(_practice_for(request, practice_id), attachment_id))


attachment_download, kreis_attachment_download = _on_both_domains(
    require_GET, READERS, _attachment_download
)


@require_GET
def public_attachment(request: HttpRequest, practice_id: int, attachment_id: int) -> Any:
    return _download(_attachment(_public_practice(practice_id), attachment_id))


# --- adopting -------------------------------------------------------------------------------


@require_POST
@role_required(OFFICER)
def interest(request: PortalRequest, practice_id: int) -> HttpResponse:
    practice = _practice_for(request, practice_id)
    municipality = _municipality(request)
    back = reverse("practices:detail", args=[practice.pk])
    if municipality is None:
        raise Http404
    services.interest_declare(practice=practice, municipality=municipality, user=request.user)
    messages.success(
        request, "Ihr Interesse ist vermerkt; die Ansprechperson ist per E-Mail informiert."
    )
    return redirect(back)


def _adoption(request: PortalRequest, adoption_id: int) -> Any:
    municipality = _municipality(request)
    adoption = selectors.adoption_get(municipality, adoption_id) if municipality else None
    return found_or_404(adoption, "Diese Nachnutzung gibt es in Ihrer Kommune nicht.")


@require_http_methods(["GET", "POST"])
@role_required(OFFICER)
def adoption_edit(request: PortalRequest, adoption_id: int) -> HttpResponse:
    adoption = _adoption(request, adoption_id)
    back = reverse("practices:detail", args=[adoption.practice_id])
    form = AdoptionForm(request.POST or None, instance=adoption)
    if request.method == "POST" and form.is_valid():
        services.adoption_update(
            adoption=adoption,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, "Der Stand der Nachnutzung ist gespeichert.")
        return redirect(back)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, "Stand der Nachnutzung", "Speichern", back, status)


@require_POST
@role_required(OFFICER)
def adoption_measure(request: PortalRequest, adoption_id: int) -> HttpResponse:
    adoption = _adoption(request, adoption_id)
    back = reverse("practices:detail", args=[adoption.practice_id])
    services.adoption_to_measure(adoption=adoption, user=request.user)
    messages.success(request, "Die Maßnahme steht jetzt auf der Roadmap Ihrer Kommune.")
    return redirect(back)


@require_http_methods(["GET", "POST"])
@role_required(OFFICER)
def adoption_request(request: PortalRequest, adoption_id: int) -> HttpResponse:
    adoption = _adoption(request, adoption_id)
    back = reverse("practices:detail", args=[adoption.practice_id])
    version = adoption.practice.published_version
    initial = {"service": version.service_id} if version and version.service_id else None
    form = RequestFromAdoptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        access = get_access(request)
        try:
            services.adoption_to_request(
                adoption=adoption,
                user=request.user,
                service_id=form.cleaned_data["service"].pk,
                wished_date=form.cleaned_data["wished_date"],
                roles=access.municipality_roles,
                is_coordinator=access.is_coordinator,
            )
        except PracticeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Die Anfrage an das Zentrum ist eingereicht.")
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, "Unterstützung beim Zentrum anfragen", "Anfrage einreichen",
                      back, status)  # fmt: skip


# --- questions ------------------------------------------------------------------------------


def _ask(request: PortalRequest, practice_id: int) -> HttpResponse:
    practice = _practice_for(request, practice_id)
    back = reverse("practices:detail", args=[practice.pk])
    form = QuestionForm(request.POST)
    if not form.is_valid():
        raise PracticeError("Bitte eine Frage eingeben.", back=back)
    services.question_ask(
        practice=practice, user=request.user, municipality=_municipality(request),
        text=form.cleaned_data["text"],
    )  # fmt: skip
    messages.success(request, "Ihre Frage ist gestellt; die Ansprechperson wird informiert.")
    return redirect(back)


def _answer(request: PortalRequest, practice_id: int, question_id: int) -> HttpResponse:
    practice = _authored(request, practice_id)
    back = reverse("practices:detail", args=[practice.pk])
    question = Question.objects.filter(pk=question_id, practice=practice).first()
    if question is None:
        raise Http404("Diese Frage gibt es nicht.")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        raise PracticeError("Bitte eine Antwort eingeben.", back=back)
    services.question_answer(question=question, user=request.user,
                             text=form.cleaned_data["text"])  # fmt: skip
    messages.success(request, "Die Antwort ist gespeichert; die fragende Person wird informiert.")
    return redirect(back)


ask, kreis_ask = _on_both_domains(require_POST, READERS, _ask)
answer, kreis_answer = _on_both_domains(require_POST, AUTHORS, _answer)


# --- matrix ---------------------------------------------------------------------------------


@require_GET
@CENTRE_ACCESS
def matrix(request: PortalRequest) -> HttpResponse:
    return render(request, "practices/matrix.html", {"matrix": selectors.adoption_matrix()})


# --- events ---------------------------------------------------------------------------------


def _event(event_id: int) -> ExchangeEvent:
    event = selectors.events().filter(pk=event_id).first()
    return found_or_404(event, "Diesen Termin gibt es nicht.")


@require_GET
@MEMBER_ACCESS
def event_list(request: PortalRequest) -> HttpResponse:
    registered = selectors.registered_event_ids(request.user.pk)
    return render_list(
        request, "practices/events.html",
        {"events": listing(request, selectors.events(), EVENT_LIST), "registered": registered},
    )  # fmt: skip


@require_GET
@CENTRE_ACCESS
def kreis_event_list(request: PortalRequest) -> HttpResponse:
    return render_list(
        request, "practices/events.html",
        {
            "events": listing(request, selectors.events(), EVENT_LIST),
            "registered": set(),
            "kreis": True,
        },
    )  # fmt: skip


@require_GET
@MEMBER_ACCESS
def event_detail(request: PortalRequest, event_id: int) -> HttpResponse:
    event = _event(event_id)
    return render(
        request,
        "practices/event.html",
        {
            "event": event,
            "practices": selectors.event_practices(_viewer(request), event),
            "is_registered": event.pk in selectors.registered_event_ids(request.user.pk),
        },
    )


@require_POST
@MEMBER_ACCESS
def event_register(request: PortalRequest, event_id: int) -> HttpResponse:
    event = _event(event_id)
    back = reverse("practices:event", args=[event.pk])
    if request.POST.get("abmelden"):
        services.event_unregister(event=event, user=request.user)
        messages.success(request, "Sie sind abgemeldet.")
    else:
        services.event_register(event=event, user=request.user, municipality=_municipality(request))
        messages.success(request, "Sie sind angemeldet; wir erinnern Sie am Vortag.")
    return redirect(back)


@require_GET
@MEMBER_ACCESS
def event_ics(request: PortalRequest, event_id: int) -> HttpResponse:
    event = _event(event_id)
    response = HttpResponse(
        calendar.event_ics(event, request.build_absolute_uri(reverse("practices:event",
                                                                      args=[event.pk]))),
        content_type="text/calendar; charset=utf-8",
    )  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="austausch-{event.pk}.ics"'
    return response


@require_http_methods(["GET", "POST"])
@COORDINATOR_ACCESS
def event_edit(request: PortalRequest, event_id: int | None = None) -> HttpResponse:
    event = _event(event_id) if event_id is not None else None
    initial = None
    if event is not None:
        initial = {
            "topic": event.topic, "starts_at": event.starts_at,
            "duration_minutes": event.duration_minutes, "description": event.description,
            "online_url": event.online_url, "recording_url": event.recording_url,
            "presenters": list(event.presenters.all()), "practices": list(event.practices.all()),
        }  # fmt: skip
    form = EventForm(request.POST or None, initial=initial)
    back = reverse("practices:events")
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.event_save(event=event, data=form.to_input(), user=request.user)
        except PracticeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Der Termin ist gespeichert.")
            return redirect("practices:event_edit", event_id=saved.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form, "event": event, "back": back,
        "attachment_form": AttachmentForm(),
        "practices": list(event.practices.select_related("published_version")) if event else [],
        "materials": list(event.attachments.defer("data").select_related(
            "practice__published_version")) if event else [],
    }  # fmt: skip
    return render(request, "practices/event_form.html", context, status=status)


@require_POST
@keep_raw_file_names
@COORDINATOR_ACCESS
def event_material(request: PortalRequest, event_id: int) -> HttpResponse:
    """Slides of an event, attached afterwards to one of its practices."""
    event = _event(event_id)
    back = reverse("practices:event_edit", args=[event.pk])
    practice = event.practices.filter(pk=request.POST.get("practice") or 0).first()
    if practice is None:
        raise PracticeError("Bitte ein Praxisbeispiel des Termins wählen.", back=back)
    return _upload(request, practice, back, event=event)
