from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from izd.celery import app as celery_app
from izd.models import LegalPage
from izd.selectors import legal_page_content


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _redis_ok() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _workers() -> int:
    try:
        return len(celery_app.control.ping(timeout=1.0) or [])
    except Exception:
        return 0


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Reachability of the database, Redis and the Celery workers, as JSON."""
    workers = _workers()
    checks = {
        "database": "ok" if _database_ok() else "unreachable",
        "redis": "ok" if _redis_ok() else "unreachable",
        "worker": "ok" if workers else "unreachable",
    }
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks, "workers": workers}
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in LegalPage.Kind.values:
        raise Http404
    return render(request, "izd/legal_page.html", {"page": legal_page_content(kind)})
