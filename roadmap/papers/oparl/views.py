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
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from izd.exceptions import PortalError
from roadmap.papers.models import Committee, Consultation, Meeting, Paper
from roadmap.papers.oparl import listing, objects
from roadmap.papers.oparl import selectors as public
from tenants.models import Municipality

View = Callable[..., HttpResponseBase]
R = TypeVar("R", bound=HttpResponseBase)


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
    body = public.body_get(body_id)
    if body is None:
        raise Http404("Diese Körperschaft gibt es nicht.")
    return body


def _list(
    request: HttpRequest,
    queryset: Any,
    build: Callable[[Sequence[Model]], list[dict[str, Any]]],
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    query = listing.parse(request.GET)
    base_url = kreis_base(request) + request.path
    return _json(listing.page_object(queryset, query, base_url, build, fields))


# --------------------------------------------------------------------------- builders of lists


def _papers(urls: objects.Urls) -> Callable[[Sequence[Model]], list[dict[str, Any]]]:
    def build(rows: Sequence[Model]) -> list[dict[str, Any]]:
        papers = [row for row in rows if isinstance(row, Paper)]
        documents = public.main_documents(papers)
        return [objects.paper_object(p, documents.get(p.pk), urls) for p in papers]

    return build


def _files(urls: objects.Urls) -> Callable[[Sequence[Model]], list[dict[str, Any]]]:
    def build(rows: Sequence[Model]) -> list[dict[str, Any]]:
        papers = [row for row in rows if isinstance(row, Paper)]
        documents = public.main_documents(papers)
        return [objects.file_object(p, documents[p.pk], urls) for p in papers if p.pk in documents]

    return build


def _meetings(urls: objects.Urls) -> Callable[[Sequence[Model]], list[dict[str, Any]]]:
    def build(rows: Sequence[Model]) -> list[dict[str, Any]]:
        meetings = [row for row in rows if isinstance(row, Meeting)]
        agenda = public.agenda(meetings)
        return [objects.meeting_object(m, agenda[m.pk], urls) for m in meetings]

    return build


def _agenda_items(urls: objects.Urls) -> Callable[[Sequence[Model]], list[dict[str, Any]]]:
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
    urls = _urls(request)
    return _list(
        request,
        public.bodies(),
        lambda rows: [objects.body_object(b, urls) for b in rows if isinstance(b, Municipality)],
    )


@api_view
def body(request: HttpRequest, body_id: int) -> HttpResponse:
    return _json(objects.body_object(_body(body_id), _urls(request)))


@api_view
def body_papers(request: HttpRequest, body_id: int) -> HttpResponse:
    return _list(request, public.papers(_body(body_id)), _papers(_urls(request)))


@api_view
def body_organizations(request: HttpRequest, body_id: int) -> HttpResponse:
    urls = _urls(request)
    return _list(
        request,
        public.organizations(_body(body_id)),
        lambda rows: [
            objects.organization_object(c, urls) for c in rows if isinstance(c, Committee)
        ],
    )


@api_view
def body_persons(request: HttpRequest, body_id: int) -> HttpResponse:
    # The portal keeps no council members, only the staff who use it; they are not published.
    _body(body_id)
    return _list(request, Municipality.objects.none(), lambda rows: [])


@api_view
def body_meetings(request: HttpRequest, body_id: int) -> HttpResponse:
    return _list(request, public.meetings(_body(body_id)), _meetings(_urls(request)))


@api_view
def body_agenda_items(request: HttpRequest, body_id: int) -> HttpResponse:
    return _list(request, public.agenda_items(_body(body_id)), _agenda_items(_urls(request)))


@api_view
def body_consultations(request: HttpRequest, body_id: int) -> HttpResponse:
    urls = _urls(request)
    return _list(
        request,
        public.consultations(_body(body_id)),
        lambda rows: [
            objects.consultation_object(c, urls) for c in rows if isinstance(c, Consultation)
        ],
    )


@api_view
def body_files(request: HttpRequest, body_id: int) -> HttpResponse:
    return _list(
        request,
        public.file_papers(_body(body_id)),
        _files(_urls(request)),
        {"created": "file_created", "modified": "file_modified"},
    )


# --------------------------------------------------------------------------- single objects


def _paper(paper_id: int) -> Paper:
    paper = public.paper_get(paper_id)
    if paper is None:
        raise Http404("Diese Drucksache gibt es nicht.")
    return paper


@api_view
def paper(request: HttpRequest, paper_id: int) -> HttpResponse:
    found = _paper(paper_id)
    return _json(objects.paper_object(found, public.main_document(found), _urls(request)))


@api_view
def organization(request: HttpRequest, organization_id: int) -> HttpResponse:
    committee = public.organization_get(organization_id)
    if committee is None:
        raise Http404("Dieses Gremium gibt es nicht.")
    return _json(objects.organization_object(committee, _urls(request)))


@api_view
def organization_meetings(request: HttpRequest, organization_id: int) -> HttpResponse:
    committee = public.organization_get(organization_id)
    if committee is None:
        raise Http404("Dieses Gremium gibt es nicht.")
    return _list(request, public.meetings_of(committee), _meetings(_urls(request)))


@api_view
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = public.meeting_get(meeting_id)
    if found is None:
        raise Http404("Diese Sitzung gibt es nicht.")
    items = public.agenda([found])[found.pk]
    return _json(objects.meeting_object(found, items, _urls(request)))


def _consultation(consultation_id: int) -> Consultation:
    found = public.consultation_get(consultation_id)
    if found is None:
        raise Http404("Diese Beratung gibt es nicht.")
    return found


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
