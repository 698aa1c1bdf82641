"""German error pages for every status a visitor can meet, with DEBUG on or off.

Django's own answers are English ("Bad Request (400)"), unstyled (the CSRF page) or empty
(`require_POST`'s 405, django-tenants' unknown host). Here each becomes a page of the portal,
built on base.html. An error page must not fail in turn: when the request cannot carry the usual
context (no tenant chosen yet, no user, a broken database), the page is rendered without it.

A refusal (`izd.exceptions.PortalError`, or a ValidationError from a service's full_clean) that
leaves a view becomes one German page, error.html, with the error's status; an htmx request gets
only the message, the page's `message` partial.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from izd import formats
from izd.exceptions import PortalError
from izd.site import site_url

logger = logging.getLogger(__name__)

TEMPLATES = {400: "400.html", 403: "403.html", 404: "404.html", 405: "405.html", 500: "500.html"}


def _plain_context() -> dict[str, Any]:
    return {"kreis_name": settings.KREIS_NAME, "kreis_url": site_url("").rstrip("/")}


def render_error(
    request: HttpRequest | None,
    status: int,
    context: dict[str, Any] | None = None,
    template: str | None = None,
) -> HttpResponse:
    """The German page for `status`; with the request's context where it can be had."""
    name = template or TEMPLATES[status]
    extra = context or {}
    if request is not None and hasattr(request, "user") and hasattr(request, "tenant"):
        try:
            return render(request, name, extra, status=status)
        except Exception:  # the page is shown anyway, without the request's context
            logger.exception("Error page %s rendered without request context", status)
    body = loader.render_to_string(name, {**_plain_context(), **extra})
    return HttpResponse(body, status=status)


def bad_request_reason(exception: Exception | None) -> str:
    if isinstance(exception, RequestDataTooBig):
        size = formats.number(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024), 1)
        return f"Die gesendeten Daten sind zu groß (höchstens {size} MB ohne Dateien)."
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return "Das Formular enthält mehr Felder oder Dateien, als das Portal annimmt."
    if isinstance(exception, MultiPartParserError):
        return "Die Übertragung des Formulars war unvollständig oder beschädigt."
    return "Die Anfrage war fehlerhaft."


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, 400, {"reason": bad_request_reason(exception)})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, 403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, 404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Never the request's context: the failure may lie in the database it would ask.
    return render_error(None, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: most often a form left open past the session, or cookies blocked."""
    return render_error(request, 403, template="403_csrf.html")


def unknown_host(request: HttpRequest) -> HttpResponse:
    """DEFAULT_NOT_FOUND_TENANT_VIEW: a subdomain no municipality has (any more)."""
    return render_error(None, 404, {"unknown_host": True})


def validation_message(error: ValidationError) -> str:
    """One German sentence from a ValidationError (a model's, with fields, or a plain one)."""
    if hasattr(error, "message_dict"):
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


def form_message(form: Any) -> str:
    """A bound form's errors as one German sentence: the form's own first, then each field's
    with its label."""
    errors = [str(e) for e in form.non_field_errors()]
    for name, field_errors in form.errors.items():
        if name != "__all__":
            label = form.fields[name].label if name in form.fields else name
            errors.extend(f"{label}: {e}" for e in field_errors)
    return " ".join(errors)


def refuse_invalid(form: Any) -> None:
    """Refuse the request (400, with the form's errors as one sentence) unless the bound form
    is valid; for pages that show the error page rather than the form again."""
    if not form.is_valid():
        raise PortalError(form_message(form))


# What a service refuses with: its own PortalError, or the ValidationError of a full_clean().
REFUSALS = (PortalError, ValidationError)


def as_refusal(error: PortalError | ValidationError) -> PortalError:
    """The PortalError a refusal stands for: a service's full_clean() refuses with a
    ValidationError (400, or the `status` its class carries)."""
    if isinstance(error, PortalError):
        return error
    return PortalError(validation_message(error), getattr(error, "status", 400))


def refusal(error: Exception) -> PortalError | None:
    """The PortalError an exception stands for, or None when it is no refusal."""
    return as_refusal(error) if isinstance(error, REFUSALS) else None


def safe_referer(request: HttpRequest, fallback: str = "") -> str:
    """The page the visitor came from, if it is one of this host's; else `fallback`."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return fallback


def refusal_response(request: HttpRequest, error: PortalError) -> HttpResponse:
    """The German answer to a refusal: the error page, or for htmx its message alone."""
    context = {
        "message": error.message,
        "back": error.back or safe_referer(request),
        # Services refuse before they write, and a failed request's transaction is rolled back.
        "unchanged": request.method not in ("GET", "HEAD", "OPTIONS"),
    }
    if getattr(request, "htmx", False):
        return render(request, "error.html#message", context, status=error.status)
    return render_error(request, error.status, context, template="error.html")


class ErrorPageMiddleware:
    """Gives the empty 4xx answers of Django and django-tenants a German page.

    `require_POST` and friends answer 405 with an empty body, django-tenants answers a foreign
    host with an empty 404. Placed first, so that it also sees what the outer middleware answer.
    Answers that carry a body (an htmx fragment, a JSON error) are left as they are.

    It is also the one place where a refusal that leaves a view (a PortalError, or a
    ValidationError from a service) becomes its German answer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status not in (400, 403, 404, 405) or response.streaming or response.content:
            return response
        page = render_error(request, status)
        for header in ("Allow", "Vary"):
            if header in response:
                page[header] = response[header]
        return page

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = refusal(exception)
        return None if error is None else refusal_response(request, error)
