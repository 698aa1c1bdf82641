"""Benchmark of maturity: ``.venv/bin/python tests/benchmarks/bench_maturity.py``.

Not a pytest module. Works on a throw-away database (`izd_bench_maturity`) in the embedded
PostgreSQL that it creates, migrates and drops, so the development data stay as they are.

1. Autosave latency: a gunicorn server (gthread) against that database; 16 concurrent clients
   each save answers (htmx POST, a real change every time) and, side by side, load a trivial
   view of the same server (the sign-in page). Median and 95th percentile per request.
2. County overview: the matrix page (middleware, read model, sorting, template) in-process for
   400 and 4,000 municipalities; read-model rows are generated without creating schemas.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "izd.settings")
os.environ.setdefault("DATABASE_TEST_NAME", "izd_bench_maturity")
os.environ.setdefault("IZD_HTTPS", "false")
os.environ.setdefault("IZD_BASE_DOMAIN", "izd.localhost")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from maturity.models import Campaign  # noqa: E402
from tests.conftest import BACKEND, Portal, build_portal  # noqa: E402
from tests.maturity.factories import (  # noqa: E402
    fake_municipalities,
    fake_results,
    load_real_model,
    make_campaign,
    structure_of,
)

CLIENTS = 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(label: str, seconds: list[float], wall: float) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    median, p95 = statistics.median(ms), percentile(ms, 0.95)
    print(
        f"  {label:<28} n={len(ms):5d}  median {median:7.1f} ms  p95 {p95:7.1f} ms"
        f"  throughput {len(ms) / wall:6.1f}/s"
    )
    return {"median": median, "p95": p95}


def session_cookie(portal: Portal) -> str:
    client = Client(HTTP_HOST=portal.host(portal.a))
    client.force_login(portal.officer_a, backend=BACKEND)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def start_server(port: int, db_name: str) -> subprocess.Popen[bytes]:
    params = connection.settings_dict
    host = urllib.parse.quote(params["HOST"], safe="")
    password = urllib.parse.quote(params["PASSWORD"] or "", safe="")
    user = urllib.parse.quote(params["USER"] or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@"
    if params["HOST"].startswith("/"):
        url = f"postgresql://{auth}/{db_name}?host={host}"
    else:
        url = f"postgresql://{auth}{params['HOST']}:{params['PORT']}/{db_name}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY
        if len(settings.SECRET_KEY) >= 50
        else secrets.token_urlsafe(64),
        "IZD_HTTPS": "false",
        "IZD_PORT": str(port),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_TEST_NAME", None)
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "izd.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(max(2, (os.cpu_count() or 2) * 2)),
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def autosave_benchmark(portal: Portal, campaign: Campaign, rounds: int) -> None:
    port = free_port()
    server = start_server(port, connection.settings_dict["NAME"])
    cookie = session_cookie(portal)
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    host = portal.host(portal.a)
    base = f"http://127.0.0.1:{port}"
    question_ids = [q.id for q in structure_of(campaign).questions][:CLIENTS]
    save_times: list[float] = []
    page_times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def request(path: str, data: dict[str, object] | None, signed_in: bool) -> float:
        headers = {"Host": host}
        if signed_in:
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}; "
            headers["Cookie"] += f"{settings.CSRF_COOKIE_NAME}={csrf}"
            headers["X-CSRFToken"] = csrf
            headers["HX-Request"] = "true"
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(base + path, data=body, headers=headers)  # noqa: S310
        began = time.perf_counter()
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - loopback
            response.read()
            status = response.status
        elapsed = time.perf_counter() - began
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        return elapsed

    def worker(index: int, kind: str) -> None:
        question, version = question_ids[index], 0
        for n in range(rounds):
            try:
                if kind == "save":
                    data = {"question": question, "version": version,
                            "current_level": n % 2 + 1, "target_level": 3}  # fmt: skip
                    elapsed = request(f"/reifegrad/{campaign.pk}/antwort/", data, True)
                    version += 1
                    with lock:
                        save_times.append(elapsed)
                else:
                    elapsed = request("/anmelden/", None, False)
                    with lock:
                        page_times.append(elapsed)
            except (urllib.error.URLError, RuntimeError) as error:
                with lock:
                    errors.append(str(error))
                return

    try:
        for kind in ("warmup", "page", "save"):
            threads = [
                threading.Thread(target=worker, args=(i, "page" if kind == "warmup" else kind))
                for i in range(CLIENTS)
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - began
            if kind == "warmup":
                page_times.clear()
                continue
            if kind == "page":
                page = summary("trivial view (GET /anmelden/)", page_times, wall)
            else:
                save = summary("autosave (htmx POST)", save_times, wall)
        if errors:
            print(f"  errors: {len(errors)}, first: {errors[0]}")
        ratio = save["median"] / page["median"]
        print(f"  autosave median / trivial median = {ratio:.2f} (target ≤ 3)")
    finally:
        server.terminate()
        server.wait(timeout=10)


def overview_benchmark(portal: Portal, counts: list[int], repeat: int) -> None:
    version = load_real_model()
    client = Client(HTTP_HOST=portal.host())
    client.force_login(portal.coordinator, backend=BACKEND)
    results = {}
    for count in counts:
        campaign = make_campaign(version, [portal.a], name=f"Bench-Übersicht {count}")
        fake_results(campaign, fake_municipalities(count, prefix=f"Bench{count}"))
        url = f"/reifegrad/erhebungen/{campaign.pk}/uebersicht/?sort=strategie&dir=desc"
        assert client.get(url).status_code == 200  # warm-up
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - began)
            assert response.status_code == 200
        median = statistics.median(times) * 1000
        results[count] = median
        fastest = min(times) * 1000
        print(f"  {count:5d} municipalities: median {median:7.1f} ms, min {fastest:7.1f} ms "
              f"({repeat} runs, whole request in-process)")  # fmt: skip
    if len(counts) == 2:
        small, large = counts
        print(f"  growth ×{results[large] / results[small]:.1f} for ×{large / small:.0f} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40, help="requests per client")
    parser.add_argument("--repeat", type=int, default=10, help="runs per overview size")
    args = parser.parse_args()
    test_db = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=False, serialize=False
    )
    print(f"Database {test_db}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")  # fmt: skip
    try:
        portal = build_portal()
        campaign = make_campaign(load_real_model(), [portal.a], name="Bench-Autosave")
        print(f"1. Autosave, {CLIENTS} concurrent clients, {args.rounds} requests each")
        autosave_benchmark(portal, campaign, args.rounds)
        print("2. County overview (matrix page)")
        overview_benchmark(portal, [400, 4000], args.repeat)
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
