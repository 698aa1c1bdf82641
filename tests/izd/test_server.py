"""The portal behind the production server (gunicorn, config/gunicorn_conf.py), as `start` runs it.

The server is a real gunicorn on a free port, serving the test database. What it must see is
committed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from izd import sizing
from tests.conftest import BACKEND, Portal

ROOT = Path(__file__).resolve().parents[2]
WORKERS, THREADS = 2, 4


@dataclass(frozen=True)
class Server:
    port: int
    application_name: str

    def get(
        self, host: str, path: str, cookie: str = "", timeout: float = 20
    ) -> tuple[int, str, float]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        request.add_header("Host", host)
        if cookie:
            request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - our server
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode()
        return status, body, time.monotonic() - started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    params = connection.settings_dict
    user = urllib.parse.quote(params["USER"] or "", safe="")
    password = urllib.parse.quote(params["PASSWORD"] or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@"
    if params["HOST"].startswith("/"):
        return f"postgresql://{auth}/{params['NAME']}?host={urllib.parse.quote(params['HOST'])}"
    return f"postgresql://{auth}{params['HOST']}:{params['PORT']}/{params['NAME']}"


@pytest.fixture(scope="module")
def server(portal: Portal, django_db_blocker) -> Iterator[Server]:
    port = _free_port()
    name = f"izd-test-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        database_url = _database_url()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_TEST_NAME")
    }
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=settings.REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="false",
        IZD_HTTPS="false",
        IZD_WEB_WORKERS=str(WORKERS),
        IZD_WEB_THREADS=str(THREADS),
        DATABASE_APPLICATION_NAME=name,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    running = Server(port=port, application_name=name)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, "gunicorn stopped"
            try:
                running.get(settings.BASE_DOMAIN, "/anmelden/", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.3)
        yield running
    finally:
        process.terminate()
        process.wait(timeout=30)


def _session_cookie(portal: Portal, user, committed) -> str:
    with committed():
        client = Client(HTTP_HOST=portal.host(portal.a))
        client.force_login(user, backend=BACKEND)
        return client.cookies[settings.SESSION_COOKIE_NAME].value


def _portal_connections(server: Server, committed) -> int:
    with committed(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [server.application_name],
        )
        return int(cursor.fetchone()[0])


def test_two_hundred_parallel_health_checks_leave_every_other_page_working(
    portal: Portal, server: Server, committed
):
    cookie = _session_cookie(portal, portal.officer_a, committed)
    host = portal.host(portal.a)
    with ThreadPoolExecutor(max_workers=200) as pool:
        checks = list(pool.map(lambda _: server.get(settings.BASE_DOMAIN, "/healthz"), range(200)))
    assert {status for status, _body, _seconds in checks} <= {200, 503}
    assert all(body.startswith('{"status": ') and "redis" not in body for _s, body, _t in checks)
    # Right after the burst, and during a second one, the officer's pages answer.
    with ThreadPoolExecutor(max_workers=200) as pool:
        burst = [pool.submit(server.get, settings.BASE_DOMAIN, "/healthz") for _ in range(200)]
        status, body, _seconds = server.get(host, "/", cookie)
        assert status == 200
        assert portal.a.name in body
        status, _body, _seconds = server.get(host, "/reifegrad/", cookie)
        assert status == 200
        assert all(call.result()[0] in (200, 503) for call in burst)
    assert _portal_connections(server, committed) <= WORKERS * THREADS


def test_production_server_serves_static_files_and_german_error_pages(
    portal: Portal, server: Server, committed
):
    cookie = _session_cookie(portal, portal.officer_a, committed)
    status, body, _seconds = server.get(portal.host(portal.a), "/gibt-es-nicht/", cookie)
    assert status == 404
    assert "Seite nicht gefunden" in body
    assert "Traceback" not in body and "DEBUG = True" not in body
    status, body, _seconds = server.get(settings.BASE_DOMAIN, "/static/css/portal.css")
    assert status == 200
    assert "{" in body


def test_many_signed_in_requests_stay_within_the_database_pool(
    portal: Portal, server: Server, committed
):
    cookie = _session_cookie(portal, portal.coordinator, committed)
    peak = 0

    def one(_n: int) -> int:
        return server.get(settings.BASE_DOMAIN, "/", cookie)[0]

    with ThreadPoolExecutor(max_workers=40) as pool:
        calls = [pool.submit(one, n) for n in range(160)]
        while not all(call.done() for call in calls):
            peak = max(peak, _portal_connections(server, committed))
            time.sleep(0.05)
        statuses = [call.result() for call in calls]
    assert set(statuses) == {200}
    pool_max = sizing.database_pool().max_size
    assert peak <= WORKERS * pool_max
    assert _portal_connections(server, committed) <= WORKERS * pool_max


def test_pooled_connections_never_carry_one_municipality_into_another(
    portal: Portal, server: Server, committed
):
    # Pooled connections go from request to request; each must run in its own schema.
    people = [
        (portal.host(portal.a), _session_cookie(portal, portal.officer_a, committed), portal.a),
        (portal.host(portal.b), _session_cookie(portal, portal.officer_b, committed), portal.b),
    ]

    def one(n: int) -> tuple[bool, int]:
        host, cookie, town = people[n % 2]
        other = people[(n + 1) % 2][2]
        status, body, _seconds = server.get(host, "/", cookie)
        return town.name in body and other.name not in body, status

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(one, range(120)))
    assert {status for _own, status in answers} == {200}
    assert all(own for own, _status in answers)
