"""Benchmark of maturity: ``.venv/bin/python tests/benchmarks/bench_maturity.py``.

Not a pytest module. Works on a throw-away database (`izd_bench_maturity`) in the embedded
PostgreSQL that it creates, migrates and drops, so the development data stay as they are.

1. Autosave latency: a gunicorn server (gthread) against that database; 16 concurrent clients
   load a trivial view of the same server (the sign-in page), then save answers (htmx POST, a
   real change every time; each client on a question of its own, signed in with a session of
   its own). Two cases: the worst, all 16 colleagues of one municipality (all saves project
   into the same read-model row), and a realistic one, 4 municipalities with 4 colleagues each.
   The three kinds take turns in several cycles (the machine may be shared). Median and 95th
   percentile per request.
2. In-process (Django test client, CSRF checks on, the autosave form-encoded as htmx sends it):
   per request the Python CPU time, the database server's CPU time (its backend process, read
   from /proc), the SQL statements and the wall time, autosave against the trivial view, median
   of `--inprocess` requests. Far less sensitive to the machine's load than the server run.
3. County overview: the matrix page (middleware, read model, sorting, template) in-process for
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.benchmarks.measure import django_for_benchmark  # noqa: E402

django_for_benchmark(
    "izd_bench_maturity", IZD_HTTPS="false", IZD_BASE_DOMAIN="izd.localhost", DEBUG="false"
)

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from maturity.models import Campaign  # noqa: E402
from tenants.models import Membership, Municipality, User  # noqa: E402
from tenants.services import membership_grant, user_create  # noqa: E402
from tests.benchmarks.measure import free_port, percentile  # noqa: E402
from tests.conftest import BACKEND, Portal, _municipality, build_portal  # noqa: E402
from tests.maturity.factories import (  # noqa: E402
    fake_municipalities,
    fake_results,
    load_real_model,
    make_campaign,
    structure_of,
)

CLIENTS = 16


def summary(label: str, seconds: list[float], wall: float) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    median, p95 = statistics.median(ms), percentile(ms, 0.95)
    print(f"  {label}\n    n={len(ms):5d}  median {median:7.1f} ms  p95 {p95:7.1f} ms"
          f"  throughput {len(ms) / wall:6.1f}/s")  # fmt: skip
    return {"median": median, "p95": p95}


@dataclass(frozen=True)
class Saver:
    """One concurrent client: a colleague of one municipality answering one question."""

    host: str
    cookie: str
    question: int


def session_cookie(host: str, user: User) -> str:
    client = Client(HTTP_HOST=host)
    client.force_login(user, backend=BACKEND)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def savers(
    portal: Portal, towns: list[Municipality], campaign: Campaign, *, first_question: int = 0
) -> list[Saver]:
    """CLIENTS colleagues spread evenly over the towns, each on a question of their own.

    Every client signs in with a session of its own, as a digital officer of its town. Questions
    from `first_question` on, so that two scenarios of one campaign never share an answer.
    """
    questions = [q.id for q in structure_of(campaign).questions]
    per_town = CLIENTS // len(towns)
    result = []
    for town in towns:
        for c in range(per_town):
            user = user_create(
                email=f"bench-{town.slug}-{first_question + c}@test.example",
                password=None,
                first_name=f"Kollegin {c}",
                last_name=town.name,
            )
            membership_grant(user=user, municipality=town, role=Membership.Role.DIGITAL_OFFICER)
            host = portal.host(town)
            # Different questions within a town; the towns use the same questions.
            result.append(Saver(host, session_cookie(host, user), questions[first_question + c]))
    return result


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
            "config.wsgi",
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


def autosave_benchmark(
    portal: Portal,
    campaign: Campaign,
    scenarios: dict[str, list[Saver]],
    rounds: int,
    cycles: int,
) -> None:
    port = free_port()
    server = start_server(port, connection.settings_dict["NAME"])
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    base = f"http://127.0.0.1:{port}"
    page_host = portal.host(portal.a)
    errors: list[str] = []
    lock = threading.Lock()

    def request(host: str, path: str, data: Mapping[str, object] | None, cookie: str) -> float:
        headers = {"Host": host}
        if cookie:
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

    def run(job: Callable[[int], float], count: int) -> tuple[list[float], float]:
        """`count` requests per client, all clients at once; the times and the wall time."""
        times: list[float] = []

        def worker(index: int) -> None:
            for _n in range(count):
                try:
                    elapsed = job(index)
                except (OSError, RuntimeError) as error:  # URLError and timeouts are OSErrors
                    with lock:
                        errors.append(str(error))
                    return
                with lock:
                    times.append(elapsed)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return times, time.perf_counter() - began

    def page(_index: int) -> float:
        return request(page_host, "/anmelden/", None, "")

    def saving(clients: list[Saver]) -> Callable[[int], float]:
        versions = [0] * len(clients)

        def save(index: int) -> float:
            client = clients[index]
            # A real change every time: the level alternates with the stored version.
            data = {"question": client.question, "version": versions[index],
                    "current_level": versions[index] % 2 + 1, "target_level": 3}  # fmt: skip
            elapsed = request(
                client.host, f"/reifegrad/{campaign.pk}/antwort/", data, client.cookie
            )
            versions[index] += 1
            return elapsed

        return save

    trivial = "trivial view (GET /anmelden/)"
    jobs = {trivial: page} | {
        f"autosave, {label}": saving(clients) for label, clients in scenarios.items()
    }
    samples: dict[str, list[float]] = {label: [] for label in jobs}
    walls = dict.fromkeys(jobs, 0.0)
    ratios: dict[str, list[float]] = {label: [] for label in jobs}
    cycles = max(1, min(cycles, rounds))
    try:
        run(page, rounds)  # warm-up
        # The machine is shared: the kinds take turns in several cycles, so that a change of
        # the background load affects all of them alike.
        for _cycle in range(cycles):
            medians = {}
            for label, job in jobs.items():
                times, wall = run(job, rounds // cycles)
                if not times:
                    raise RuntimeError(f"{label}: no answer within 30 s ({errors[0]})")
                samples[label] += times
                walls[label] += wall
                medians[label] = statistics.median(times)
            for label in jobs:
                ratios[label].append(medians[label] / medians[trivial])
        print(f"  {cycles} cycles; per kind all requests of all cycles:")
        summaries = {label: summary(label, samples[label], walls[label]) for label in jobs}
        for label in list(jobs)[1:]:
            ratio = summaries[label]["median"] / summaries[trivial]["median"]
            per_cycle = ", ".join(f"{r:.2f}" for r in ratios[label])
            print(f"  {label}: median / trivial median = {ratio:.2f} (target ≤ 2); "
                  f"per cycle {per_cycle}")  # fmt: skip
        if errors:
            print(f"  errors: {len(errors)}, first: {errors[0]}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)  # a loaded machine may need a while for a graceful stop
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _backend_cpu(pid: int) -> float:
    """CPU seconds the database server's backend process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def inprocess_benchmark(portal: Portal, campaign: Campaign, count: int) -> None:
    """The trivial view and an autosave taking turns in this process, `count` of each."""
    host = portal.host(portal.a)
    question = structure_of(campaign).questions[-1].id
    saver = Client(HTTP_HOST=host, enforce_csrf_checks=True)
    saver.force_login(portal.officer_a, backend=BACKEND)
    csrf = secrets.token_hex(16)
    saver.cookies[settings.CSRF_COOKIE_NAME] = csrf
    url = f"/reifegrad/{campaign.pk}/antwort/"
    version = 0
    visitor = Client(HTTP_HOST=host)

    def trivial() -> int:
        visitor.cookies.clear()  # a first visit, as in the server run
        return visitor.get("/anmelden/").status_code

    def autosave() -> int:
        nonlocal version
        data = {"question": question, "version": version,
                "current_level": version % 2 + 1, "target_level": 3}  # fmt: skip
        # Form-encoded, as htmx and the server run send it (the test client's default,
        # multipart, would add its encoding and parsing to the autosave's CPU time).
        response = saver.post(
            url,
            urllib.parse.urlencode(data),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_CSRFTOKEN=csrf,
            HTTP_HX_REQUEST="true",
        )
        version += 1
        return response.status_code

    kinds = {"trivial view (GET /anmelden/)": trivial, "autosave": autosave}
    walls: dict[str, list[float]] = {label: [] for label in kinds}
    cpus: dict[str, list[float]] = {label: [] for label in kinds}
    statements: dict[str, list[int]] = {label: [] for label in kinds}
    backend = dict.fromkeys(kinds, 0.0)
    for job in kinds.values():  # warm-up: caches, the model structure, the first answer
        assert job() == 200
    for _n in range(count):
        for label, job in kinds.items():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            server_before = _backend_cpu(pid)
            with CaptureQueriesContext(connection) as queries:
                began, cpu = time.perf_counter(), time.process_time()
                status = job()
                wall, cpu = time.perf_counter() - began, time.process_time() - cpu
            assert status == 200, f"{label}: HTTP {status}"
            backend[label] += _backend_cpu(pid) - server_before
            walls[label].append(wall * 1000)
            cpus[label].append(cpu * 1000)
            statements[label].append(len(queries.captured_queries))
    print(f"  median of {count} each, taking turns; database CPU: mean of its backend process;"
          " statements as Django sends them, with BEGIN and COMMIT")  # fmt: skip
    medians = {}
    for label in kinds:
        database = backend[label] / count * 1000
        medians[label] = statistics.median(cpus[label]) + database
        print(f"  {label}\n    wall {statistics.median(walls[label]):6.1f} ms  "
              f"Python CPU {statistics.median(cpus[label]):6.1f} ms  "
              f"database CPU {database:5.1f} ms  "
              f"statements {statistics.median(statements[label]):4.0f}")  # fmt: skip
    trivial_label, save_label = kinds
    print(
        f"  autosave / trivial: CPU (Python + database) "
        f"{medians[save_label] / medians[trivial_label]:.2f}, wall "
        f"{statistics.median(walls[save_label]) / statistics.median(walls[trivial_label]):.2f}"
    )


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


def run_autosave(portal: Portal, rounds: int, cycles: int) -> None:
    towns = [portal.a, portal.b] + [
        _municipality(f"Benchdorf {n}", f"0643599{n}", 5_000 + n) for n in (1, 2)
    ]
    campaign = make_campaign(load_real_model(), towns, name="Bench-Autosave")
    scenarios = {
        "worst case: 16 colleagues of one municipality": savers(portal, towns[:1], campaign),
        "realistic: 4 municipalities × 4 colleagues": savers(
            portal, towns, campaign, first_question=CLIENTS
        ),
    }
    print(f"1. Autosave, {CLIENTS} concurrent clients, {rounds} requests each, "
          "each client on a question of its own")  # fmt: skip
    autosave_benchmark(portal, campaign, scenarios, rounds, cycles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40, help="requests per client and kind")
    parser.add_argument("--cycles", type=int, default=4, help="turns of the request kinds")
    parser.add_argument("--repeat", type=int, default=10, help="runs per overview size")
    parser.add_argument(
        "--part",
        choices=["all", "autosave", "inprocess", "overview"],
        default="all",
        help="what to measure",
    )
    parser.add_argument("--inprocess", type=int, default=30, help="in-process requests per kind")
    args = parser.parse_args()
    test_db = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=False, serialize=False
    )
    print(f"Database {test_db}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")  # fmt: skip
    try:
        portal = build_portal()
        if args.part in ("all", "autosave"):
            run_autosave(portal, args.rounds, args.cycles)
        if args.part in ("all", "inprocess"):
            print("2. Autosave and trivial view in-process (test client)")
            campaign = make_campaign(load_real_model(), [portal.a], name="Bench-im-Prozess")
            inprocess_benchmark(portal, campaign, args.inprocess)
        if args.part in ("all", "overview"):
            print("3. County overview (matrix page)")
            overview_benchmark(portal, [400, 4000], args.repeat)
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
