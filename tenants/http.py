"""The request as the portal's middleware leaves it, for the type checker.

Django's ``HttpRequest`` knows nothing of what our middleware adds, and types ``request.user``
as "a user or anonymous". Views that only a signed-in person reaches annotate their request as
``PortalRequest`` instead; nothing changes at run time, the class is never instantiated.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from tenants.access import Access
from tenants.models import Municipality, User


class PortalRequest(HttpRequest):
    """An ``HttpRequest`` after the middleware, for a view only a signed-in person reaches.

    - ``tenant``: set by django-tenants' ``TenantMainMiddleware`` on every host (the Kreis'
      domain is a municipality too, the public one);
    - ``htmx``: set by django-htmx' ``HtmxMiddleware``;
    - ``access``: set by ``tenants.middleware.MembershipAccessMiddleware``;
    - ``user``: a ``User``, never ``AnonymousUser``. That holds only behind
      ``MembershipAccessMiddleware`` (which sends anonymous visitors to sign in, except on its
      ``ANONYMOUS_PATH_PREFIXES``) or a role decorator of ``tenants.access``. Views that also
      serve anonymous visitors keep ``HttpRequest`` and check ``user.is_authenticated``.
    """

    tenant: Municipality
    htmx: HtmxDetails
    access: Access
    user: User
