"""Refuses everybody who does not belong to the municipality whose subdomain is asked.

Runs after django-tenants has chosen the tenant and after authentication. Checking here, once per
request, means every view of a municipality is protected, including those later issues add.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from tenants.access import Access
from tenants.signin import access_of

# Reachable without signing in, on every host: signing in, recovering a password, accepting an
# invitation, the legally required pages and the health check.
ANONYMOUS_PATH_PREFIXES = (
    "/anmelden/",
    "/passwort/",
    "/einladung/",
    "/impressum/",
    "/datenschutz/",
    "/barrierefreiheit/",
    "/healthz",
    settings.STATIC_URL,
)

# Reachable by every signed-in person on a municipality's subdomain, member or not: an invitation
# is how a non-member becomes one, and signing out must work for the wrong account too.
SIGNED_IN_PATH_PREFIXES = ("/einladung/", "/abmelden/")

# Open data on the Kreis domain only: the read-only OParl API publishes what council information
# systems publish (papers marked öffentlich); its views never look at who asks.
# The public best practices ("Einer für alle") and their Atom feed: their views select only
# practices the centre published with the visibility "öffentlich".
PUBLIC_API_PATH_PREFIXES = ("/oparl/", "/praxis/oeffentlich/")


class MembershipAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        request.access = access_of(request)  # type: ignore[attr-defined]
        if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
            return self._public(request)
        return self._municipality(request)

    def _public(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated or request.path.startswith(
            ANONYMOUS_PATH_PREFIXES + PUBLIC_API_PATH_PREFIXES
        ):
            return self.get_response(request)
        return redirect_to_login(request.get_full_path())

    def _municipality(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            if request.path.startswith(ANONYMOUS_PATH_PREFIXES):
                return self.get_response(request)
            return redirect_to_login(request.get_full_path())
        access: Access = request.access  # type: ignore[attr-defined]
        if request.path.startswith(("/healthz", *SIGNED_IN_PATH_PREFIXES)):
            return self.get_response(request)
        if access.may_enter_municipality():
            return self.get_response(request)
        raise PermissionDenied
