"""/healthz reads the workers' heartbeats from the database and tells details only to the Kreis."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from izd import sizing, views
from izd.env import EnvironmentError_
from izd.health.models import WorkerHeartbeat
from izd.health.services import heartbeat_record
from tests.conftest import Portal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_look():
    views._health_last = None
    yield
    views._health_last = None


def _health(client) -> tuple[int, dict[str, Any]]:
    views._health_last = None
    response = client.get("/healthz")
    assert response["Cache-Control"].startswith("max-age=0")
    return response.status_code, json.loads(response.content)


def test_anonymous_callers_and_municipal_staff_learn_only_the_overall_status(
    portal: Portal, client_for
):
    WorkerHeartbeat.objects.all().delete()
    for client in (client_for(None), client_for(None, portal.a), client_for(portal.officer_a)):
        status, body = _health(client)
        assert body == {"status": "degraded"}  # no worker has written a heartbeat
        assert status == 503


def test_a_recent_heartbeat_counts_as_a_live_worker(portal: Portal, client_for):
    WorkerHeartbeat.objects.all().delete()
    heartbeat_record(hostname="celery@test", pid=1, started_at=timezone.now())
    status, body = _health(client_for(portal.coordinator))
    assert status == 200, body
    assert body["status"] == "ok"
    assert body["database"] == "ok" and body["redis"] == "ok" and body["worker"] == "ok"
    assert body["workers"] == 1
    assert _health(client_for(None)) == (200, {"status": "ok"})


def test_a_worker_silent_for_three_heartbeats_counts_as_dead(portal: Portal, client_for):
    WorkerHeartbeat.objects.all().delete()
    silent_for = timedelta(seconds=3 * sizing.worker_heartbeat_seconds() + 1)
    WorkerHeartbeat.objects.create(
        hostname="celery@old",
        pid=1,
        started_at=timezone.now() - timedelta(hours=1),
        seen_at=timezone.now() - silent_for,
    )
    status, body = _health(client_for(portal.centre_treasurer))
    assert status == 503
    assert body["worker"] == "unreachable" and body["workers"] == 0
    assert body["worker_last_seen_seconds"] >= silent_for.total_seconds()


def test_health_checks_within_a_second_share_one_look(portal: Portal, client_for):
    WorkerHeartbeat.objects.all().delete()
    client = client_for(portal.coordinator)
    _health(client)
    heartbeat_record(hostname="celery@new", pid=1, started_at=timezone.now())
    assert json.loads(client.get("/healthz").content)["worker"] == "unreachable"
    assert _health(client)[1]["worker"] == "ok"


def test_database_connections_are_pooled_and_sized_from_the_environment():
    database: dict[str, Any] = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] == 0  # the pool returns connections after every request
    pool = database["OPTIONS"]["pool"]
    assert pool["max_size"] == sizing.database_pool().max_size >= sizing.web_threads()
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DATABASE_POOL_MAX_SIZE": "2", "IZD_WEB_THREADS": "4"}, "at least IZD_WEB_THREADS"),
        ({"DATABASE_POOL_MIN_SIZE": "9", "DATABASE_POOL_MAX_SIZE": "8"}, "must not exceed"),
        ({"DATABASE_POOL_MAX_SIZE": "viele"}, "whole number"),
    ],
)
def test_unusable_pool_sizes_stop_the_portal_with_a_clear_message(monkeypatch, variables, message):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(EnvironmentError_, match=message):
        sizing.database_pool()
