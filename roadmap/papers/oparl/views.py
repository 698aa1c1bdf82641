"""The public, read-only OParl 1.1 API under /oparl/v1/ on the Kreis domain.

Nobody signs in here, and signing in changes nothing: every view answers from the public
selectors only, so a paper that is not öffentlich is not found, whoever asks. Errors are JSON
with a German message: 400 for a bad list parameter, 404 for what is not there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from izd.exceptions import PortalError
from izd.http import found_or_404
from roadmap.papers.models import Committee, Consultation, Meeting, Paper
from roadmap.papers.oparl import listing, objects
from roadmap.papers.oparl import selectors as public
from tenants.models import Municipality

View = Callable[..., HttpResponseBase]
R = TypeVar("R", bound=HttpResponseBase)
M = TypeVar("M", bound=Model)
# What makes a page of a list into OParl objects.
Build = Callable[[Sequence[Model]], list[dict[str, Any]]]


def kreis_base(request: HttpRequest) -> str:
    """Scheme, Kreis host and port: the API lives on the Kreis domain, whichever host asks."""
    port = request.get_port()
    suffix = f":{port}" if port not in ("80", "443") else ""
    return f"{request.scheme}://{settings.BASE_DOMAIN}{suffix}"


def _urls(request: HttpRequest) -> objects.Urls:
    return objects.Urls(kreis_base(request))


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data, status=status, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    return _open(response)


def _open(response: R) -> R:
    # OParl recommends CORS so that web clients on other domains can read the API.
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def api_view(view: View) -> View:
    """GET and HEAD only; a missing object or a refusal (a bad list parameter, a page beyond the
    last) answers as JSON, never as a page: clients of an API read JSON, so here, and only here,
    a PortalError becomes an error object instead of the error page."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except Http404 as missing:
            refused = PortalError(str(missing) or "Dieses Objekt gibt es nicht.", 404)
        except PortalError as error:
            refused = error
        body = {"type": "Fehler", "status": refused.status, "message": refused.message}
        return _json(body, status=refused.status)

    return wrapper


def _body(body_id: int) -> Municipality:
    return found_or_404(public.body_get(body_id), "Diese Körperschaft gibt es nicht.")


def _list(
    request: HttpRequest,
    queryset: Any,
    build: Build,
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    query = listing.parse(request.GET)
    base_url = kreis_base(request) + request.path
    return _json(listing.page_object(queryset, query, base_url, build, fields))


# --------------------------------------------------------------------------- builders of lists


def _each(
    kind: type[M], make: Callable[[M, objects.Urls], dict[str, Any]]
) -> Callable[[objects.Urls], Build]:
    """The OParl object of each row (of the model the list shows)."""
    return lambda urls: lambda rows: [make(row, urls) for row in rows if isinstance(row, kind)]


def _papers(urls: objects.Urls) -> Build:
    def build(rows: Sequence[Model]) -> list[dict[str, Any]]:
        papers = [row for row in rows if isinstance(row, Paper)]
        documents = public.main_documents(papers)
        return [objects.paper_object(p, documents.get(p.pk), urls) for p in papers]

    return build


def _files(urls: objects.Urls) -> Build:
    def build(rows: Sequence[Model]) -> list[dict[str, Any]]:
        papers = [row for row in rows if isinstance(row, Paper)]
        documents = public.main_documents(papers)
        return [objects.file_object(p, documents[p.pk], urls) for p in papers if p.pk in documents]

    return build


def _meetings(urls: objects.Urls) -> Build:
    def build(rows: Sequence[Model]) -> list[dict[str, Any]]:
        meetings = [row for row in rows if isinstance(row, Meeting)]
        agenda = public.agenda(meetings)
        return [objects.meeting_object(m, agenda[m.pk], urls) for m in meetings]

    return build


def _agenda_items(urls: objects.Urls) -> Build:
    def build(rows: Sequence[Model]) -> list[dict[str, Any]]:
        items = [row for row in rows if isinstance(row, Consultation)]
        meetings = [item.meeting for item in items if item.meeting is not None]
        agenda = public.agenda(meetings)
        return [
            objects.agenda_item_object(
                item, agenda[item.meeting_id].index(item) + 1 if item.meeting_id else None, urls
            )
            for item in items
        ]

    return build


# --------------------------------------------------------------------------- entry points


@api_view
def system(request: HttpRequest) -> HttpResponse:
    return _json(objects.system_object(_urls(request), list(public.bodies())))


@api_view
def bodies(request: HttpRequest) -> HttpResponse:
    return _list(request, public.bodies(), _each(Municipality, objects.body_object)(_urls(request)))


@api_view
def body(request: HttpRequest, body_id: int) -> HttpResponse:
    return _json(objects.body_object(_body(body_id), _urls(request)))


def _body_list(
    select: Callable[[Municipality], QuerySet[Any]],
    build: Callable[[objects.Urls], Build],
    fields: dict[str, str] | None = None,
) -> View:
    """The view of one of a body's lists: `select` finds its rows, `build` makes their objects."""

    @api_view
    def view(request: HttpRequest, body_id: int) -> HttpResponse:
        return _list(request, select(_body(body_id)), build(_urls(request)), fields)

    return view


body_papers = _body_list(public.papers, _papers)
body_organizations = _body_list(public.organizations, _each(Committee, objects.organization_object))
body_meetings = _body_list(public.meetings, _meetings)
body_agenda_items = _body_list(public.agenda_items, _agenda_items)
body_consultations = _body_list(
    public.consultations, _each(Consultation, objects.consultation_object)
)
body_files = _body_list(
    public.file_papers, _files, {"created": "file_created", "modified": "file_modified"}
)


@api_view
def body_persons(request: HttpRequest, body_id: int) -> HttpResponse:
    # The portal keeps no council members, only the staff who use it; they are not published.
    _body(body_id)
    return _list(request, Municipality.objects.none(), lambda rows: [])


# --------------------------------------------------------------------------- single objects


def _paper(paper_id: int) -> Paper:
    return found_or_404(public.paper_get(paper_id), "Diese Drucksache gibt es nicht.")


@api_view
def paper(request: HttpRequest, paper_id: int) -> HttpResponse:
    found = _paper(paper_id)
    return _json(objects.paper_object(found, public.main_document(found), _urls(request)))


def _committee(organization_id: int) -> Committee:
    return found_or_404(public.organization_get(organization_id), "Dieses Gremium gibt es nicht.")


@api_view
def organization(request: HttpRequest, organization_id: int) -> HttpResponse:
    return _json(objects.organization_object(_committee(organization_id), _urls(request)))


@api_view
def organization_meetings(request: HttpRequest, organization_id: int) -> HttpResponse:
    meetings = public.meetings_of(_committee(organization_id))
    return _list(request, meetings, _meetings(_urls(request)))


@api_view
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = found_or_404(public.meeting_get(meeting_id), "Diese Sitzung gibt es nicht.")
    items = public.agenda([found])[found.pk]
    return _json(objects.meeting_object(found, items, _urls(request)))


def _consultation(consultation_id: int) -> Consultation:
    found = public.consultation_get(consultation_id)
    return found_or_404(found, "Diese Beratung gibt es nicht.")


@api_view
def consultation(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _json(objects.consultation_object(_consultation(consultation_id), _urls(request)))


@api_view
def agenda_item(request: HttpRequest, agenda_item_id: int) -> HttpResponse:
    found = _consultation(agenda_item_id)
    if found.meeting_id is None and found.deleted_at is None:
        raise Http404("Diesen Tagesordnungspunkt gibt es nicht.")
    return _json(objects.agenda_item_object(found, None, _urls(request)))


def _document(paper_id: int) -> tuple[Paper, Any]:
    found = _paper(paper_id)
    document = public.main_document(found)
    if document is None:
        raise Http404("Zu dieser Drucksache gibt es noch keine Datei.")
    return found, document


@api_view
def file(request: HttpRequest, file_id: int) -> HttpResponse:
    found, document = _document(file_id)
    return _json(objects.file_object(found, document, _urls(request)))


def _file_response(file_id: int, *, attachment: bool) -> FileResponse:
    _found, document = _document(file_id)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=attachment,
        filename=document.filename,
        content_type=document.mime_type,
    )
    return _open(response)


@api_view
def file_access(request: HttpRequest, file_id: int) -> FileResponse:
    return _file_response(file_id, attachment=False)


@api_view
def file_download(request: HttpRequest, file_id: int) -> FileResponse:
    return _file_response(file_id, attachment=True)
