"""The portal's own address, from the settings alone.

Links that leave the request, above all in e-mails, are built here: from IZD_BASE_DOMAIN, IZD_HTTPS
and IZD_PORT, never from the Host header a client sent (a forged Host would otherwise put an
attacker's address into a password-reset mail).
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443}


def site_host(host: str | None = None) -> str:
    """`host` (the base domain when omitted) with the configured port if it is not the default."""
    port = int(settings.PORTAL_PORT or 0)
    suffix = f":{port}" if port and port != DEFAULT_PORTS[settings.PORTAL_SCHEME] else ""
    return f"{host or settings.BASE_DOMAIN}{suffix}"


def site_url(path: str = "/", *, host: str | None = None) -> str:
    """The absolute address of `path` on `host` (the base domain when omitted)."""
    return f"{settings.PORTAL_SCHEME}://{site_host(host)}{path}"
