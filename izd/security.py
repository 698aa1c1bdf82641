"""Content-Security-Policy and Permissions-Policy on every response.

The portal's pages run only the scripts and styles it serves itself: no inline script, no inline
style, no `eval` (htmx is configured to match in base.html: no indicator styles, no eval, no
script tags in swapped content; the little behaviour the templates need lives in
static/js/portal.js). Text that people type therefore cannot become code in another person's
browser, even if an escaping mistake let it into a page. Forms may send to the portal's own hosts
only (the Kreis domain and every municipality's subdomain, as sign-in redirects between them).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip


def content_security_policy() -> str:
    scheme, domain = settings.PORTAL_SCHEME, settings.BASE_DOMAIN
    portal_hosts = f"{scheme}://{domain}:* {scheme}://*.{domain}:*"
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "form-action": f"'self' {portal_hosts}",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    """Outermost, so that static files, redirects and error pages carry the headers too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
