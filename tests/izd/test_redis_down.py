"""Without Redis the portal keeps working: sign-in, pages and the assessment's autosave.

A Redis server of this test's own (the embedded binary, on a free port) is stopped and started
again; the shared Redis of the development server and of parallel runs is never touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.test import Client, override_settings

from izd import embedded, shared_redis, views
from maturity.municipal.models import Answer
from tests.conftest import PASSWORD, Portal
from tests.maturity.factories import load_small_model, make_campaign, qid
from tests.tenants.test_access import kreis_paths, municipality_paths
from tests.workers import OwnRedis, free_port

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


class RedisServer(OwnRedis):
    """The test's own Redis; stopping it must really take it away."""

    def stop(self) -> None:
        assert self.process is not None
        super().stop()
        assert not embedded._redis_answers(self.port)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(port=free_port(), folder=tmp_path)
    server.start()
    caches = {
        "default": {
            "BACKEND": "izd.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "izd",
        }
    }
    with override_settings(REDIS_URL=server.url, CACHES=caches):
        _forget_health()
        try:
            yield server
        finally:
            if server.process is not None:
                server.stop()
            _forget_health()


def _forget_health() -> None:
    views._health_last = None
    shared_redis.mark_reachable()


def _health_of(client: Client) -> dict[str, object]:
    _forget_health()
    response = client.get("/healthz")
    return {"http": response.status_code, **json.loads(response.content)}


def _sign_in(portal: Portal, email: str) -> Client:
    client = Client(HTTP_HOST=portal.host())
    response = client.post("/anmelden/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_sign_in_pages_and_autosave_work_while_redis_is_stopped(
    portal: Portal, own_redis: RedisServer, in_tenant
):
    campaign = make_campaign(load_small_model(), [portal.a, portal.b])
    coordinator = _sign_in(portal, portal.coordinator.email)
    assert _health_of(coordinator)["redis"] == "ok"
    cache.set("probe", "da")
    assert cache.get("probe") == "da"

    own_redis.stop()

    # Signing in works, and so does a session opened before Redis went away.
    officer = _sign_in(portal, portal.officer_a.email)
    officer.defaults["HTTP_HOST"] = portal.host(portal.a)
    assert officer.get("/").status_code == 200
    assert coordinator.get("/").status_code == 200
    # The assessment and its autosave.
    page = officer.get(f"/reifegrad/{campaign.pk}/a/")
    assert page.status_code == 200
    assert "Frage a1?" in page.content.decode()
    saved = officer.post(
        f"/reifegrad/{campaign.pk}/antwort/",
        {"question": qid(campaign, "a1"), "version": 0, "current_level": "2", "target_level": "4"},
        **HTMX,
    )
    assert saved.status_code == 200
    assert "gespeichert" in saved.content.decode()
    with in_tenant(portal.a):
        assert Answer.objects.get(question_id=qid(campaign, "a1")).target_level == 4
    # The cache only misses.
    assert cache.get("probe", "fehlt") == "fehlt"
    cache.set("probe", "neu")
    # The health check tells the coordinator which part is missing, and others only the status.
    health = _health_of(coordinator)
    assert health["redis"] == "unreachable"
    assert health["database"] == "ok"
    assert health["status"] == "degraded" and health["http"] == 503
    assert _health_of(Client(HTTP_HOST=portal.host())) == {"http": 503, "status": "degraded"}

    own_redis.start()

    assert _health_of(coordinator)["redis"] == "ok"
    cache.set("probe", "wieder da")
    assert cache.get("probe") == "wieder da"
    assert officer.get(f"/reifegrad/{campaign.pk}/a/").status_code == 200


def test_no_page_answers_500_while_redis_is_stopped(portal: Portal, own_redis: RedisServer):
    own_redis.stop()
    coordinator = _sign_in(portal, portal.coordinator.email)
    failures = []
    for path in kreis_paths():
        response = coordinator.get(path)
        if response.status_code >= 500 and not path.startswith("/healthz"):
            failures.append((path, response.status_code))
    officer = _sign_in(portal, portal.officer_a.email)
    officer.defaults["HTTP_HOST"] = portal.host(portal.a)
    for path in municipality_paths():
        response = officer.get(path)
        if response.status_code >= 500 and not path.startswith("/healthz"):
            failures.append((path, response.status_code))
    assert failures == []


def test_a_burst_of_cache_calls_from_many_threads_shares_one_bounded_pool(
    own_redis: RedisServer, settings
):
    import threading

    from django.core.cache import caches

    pools = set()
    wrong: list[object] = []

    def work() -> None:
        local = caches["default"]
        for n in range(20):
            local.set(f"k{n}", n)
            if local.get(f"k{n}") is None:  # another thread may have written its own n
                wrong.append(n)
        pools.add(id(local._cache._get_connection_pool(write=True)))  # type: ignore[attr-defined]

    threads = [threading.Thread(target=work) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []  # every thread got a connection: none took a full pool for a dead Redis
    assert len(pools) == 1
    clients = redis.Redis.from_url(own_redis.url).info("clients")["connected_clients"]
    # The pool's connections plus the one asking.
    assert clients <= settings.CELERY_REDIS_MAX_CONNECTIONS + 1
