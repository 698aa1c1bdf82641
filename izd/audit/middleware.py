"""Tells the audit trail who makes the changes of a request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from izd.audit.recording import actor_from


class AuditActorMiddleware:
    """After AuthenticationMiddleware: the signed-in person is the actor of the request's
    changes. Looked up only when a change is recorded, so reading pages costs nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with actor_from(lambda: getattr(request, "user", None)):
            return self.get_response(request)
