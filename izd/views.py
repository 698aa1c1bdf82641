from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from izd import shared_redis
from izd.health.selectors import WorkerLiveness, worker_liveness
from izd.models import LegalPage
from izd.selectors import legal_page_content

# Parallel health checks within this many seconds share one look at the services, so that a
# burst of them costs one query and one Redis round trip per process.
HEALTH_REUSE_SECONDS = 1.0
_health_lock = threading.Lock()
_health_last: tuple[float, dict[str, Any]] | None = None

# Who may see every check. Roles live in tenants, above izd, so tenants registers the rule
# (TenantsConfig.ready); until then nobody sees more than the overall status.
HealthViewerRule = Callable[[HttpRequest], bool]


def _nobody(request: HttpRequest) -> bool:
    return False


_may_see_checks: HealthViewerRule = _nobody


def register_health_viewer(rule: HealthViewerRule) -> None:
    global _may_see_checks
    _may_see_checks = rule


def _look() -> dict[str, Any]:
    liveness: WorkerLiveness | None
    try:
        liveness = worker_liveness()  # a query: also proves the database answers
    except Exception:
        liveness = None
    redis_ok = shared_redis.ping(settings.REDIS_URL)
    checks: dict[str, Any] = {
        "database": "ok" if liveness is not None else "unreachable",
        "redis": "ok" if redis_ok else "unreachable",
        "worker": "ok" if liveness and liveness.alive else "unreachable",
        "workers": liveness.alive if liveness else None,
        "worker_last_seen_seconds": liveness.last_seen_seconds if liveness else None,
    }
    if checks["database"] != "ok":
        status = "down"  # nothing works without the database
    elif checks["redis"] != "ok" or checks["worker"] != "ok":
        status = "degraded"  # pages work; documents wait for Redis and a worker
    else:
        status = "ok"
    return {"status": status, **checks}


def _health() -> dict[str, Any]:
    global _health_last
    last = _health_last
    if last is not None and time.monotonic() - last[0] < HEALTH_REUSE_SECONDS:
        return last[1]
    with _health_lock:
        last = _health_last
        if last is not None and time.monotonic() - last[0] < HEALTH_REUSE_SECONDS:
            return last[1]
        body = _look()
        _health_last = (time.monotonic(), body)
        return body


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """State of the database, Redis and the Celery workers, as JSON; never asks the broker.

    Workers count as alive by the heartbeat they write to the database. Anonymous callers learn
    only the overall status; the Kreis's staff see every check. 200 only when all is well.
    """
    body = _health()
    if not (request.user.is_authenticated and _may_see_checks(request)):
        body = {"status": body["status"]}
    response = JsonResponse(body, status=200 if body["status"] == "ok" else 503)
    # A 503 here reports on other services; it is no error of this request worth a log line on
    # every probe.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@require_GET
def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in LegalPage.Kind.values:
        raise Http404
    return render(request, "izd/legal_page.html", {"page": legal_page_content(kind)})
