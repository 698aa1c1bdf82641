"""Load benchmark of the whole portal: ``.venv/bin/python tests/benchmarks/bench_load.py``.

Not a pytest module. Runs the server exactly as the quick start does (`manage.py start`:
gunicorn with config/gunicorn_conf.py and a Celery worker) on a database of its own,
`izd_bench_load` in the embedded PostgreSQL, which it creates, migrates and fills with the demo
data on the first run and keeps for later runs.

Then USERS people sign in through the sign-in form and work for DURATION seconds, each waiting
about THINK seconds between two requests, as people do:

- 60 % digital officers of different municipalities: autosaves of the maturity assessment (each
  on a question of their own), now and then the assessment page;
- 20 % coordinators: the county pages (start, county matrix, cost sharing, roadmap, papers);
- 20 % treasurers of different municipalities: downloads of their share (CSV, XLSX, XRechnung).

One more client asks /healthz twice a second. A monitor samples the connections every 0.25 s:
PostgreSQL's pg_stat_activity by application name (izd-web, izd-worker) and Redis's INFO clients.

Prints requests, errors and p50/p95 per kind and the peak connections against the configured
bounds. Fails (exit code 1) on any response >= 500 or a peak above its bound.

    --users 50 --duration 300     the full run (default)
    --short                        10 users for 30 seconds
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.measure import free_port, percentile  # noqa: E402

DATABASE = "izd_bench_load"
DOMAIN = "izd.localhost"
PASSWORD = "Bench-Last-2026!"


# --- the server -------------------------------------------------------------------------------


def prepare_environment() -> None:
    """Point this process (and the server it starts) at the benchmark database."""
    from izd import embedded

    data = Path(os.environ.get("IZD_DATA_DIR", ROOT / ".data"))
    base_url = embedded.postgres_url(data)
    redis_url = embedded.redis_url(data, int(os.environ.get("IZD_EMBEDDED_REDIS_PORT", "6389")))
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    parsed = urllib.parse.urlparse(base_url)
    database_url = parsed._replace(path=f"/{DATABASE}").geturl()
    secret = (data / "secret_key").read_text().strip()
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=secret,
        DEBUG="false",
        IZD_HTTPS="false",
        IZD_BASE_DOMAIN=DOMAIN,
        DJANGO_SETTINGS_MODULE="config.settings",
    )


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    print(f"Starte `manage.py start --port {port}` (Protokoll: {log}) …", flush=True)
    out = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "manage.py", "start", "--port", str(port)],
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole at the end
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    import signal

    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- HTTP as a browser does it ------------------------------------------------------------------


@dataclass
class Browser:
    """One person's browser: a keep-alive connection and the portal's two cookies."""

    port: int
    host: str
    cookies: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, data: dict[str, object] | None = None, *, htmx: bool = False
    ) -> tuple[int, bytes]:
        headers = {"Host": f"{self.host}:{self.port}"}
        if htmx:
            headers["HX-Request"] = "true"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("izd_csrftoken", "")
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection; a browser opens a new one.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def sign_in(self, email: str) -> None:
        status, _ = self.request("GET", "/anmelden/")
        assert status == 200, f"sign-in page: {status}"
        status, body = self.request(
            "POST",
            "/anmelden/",
            {"username": email, "password": PASSWORD,
             "csrfmiddlewaretoken": self.cookies.get("izd_csrftoken", "")},
        )  # fmt: skip
        assert status == 302, f"sign-in of {email}: {status} {body[:300]!r}"


# --- the people -------------------------------------------------------------------------------


@dataclass
class Person:
    kind: str
    email: str
    host: str
    question: int = 0
    version: int = 0


def create_people(users: int) -> tuple[list[Person], int]:
    """Bench accounts in the demo data; returns them and the open campaign's id."""
    import django

    os.environ["DATABASE_APPLICATION_NAME"] = "izd-bench-setup"  # the server's env is its own
    django.setup()
    from izd.schemas import activate_public, activate_tenant
    from maturity import selectors as maturity_selectors
    from maturity.models import Campaign, Participation
    from maturity.municipal.models import Answer
    from tenants.models import KreisRole, Membership, Municipality, User
    from tenants.services import kreis_role_grant, membership_grant, user_create

    campaign = Campaign.objects.filter(status=Campaign.Status.OPEN).order_by("-start_date").first()
    assert campaign is not None, "the demo data have no open maturity campaign"
    questions = [
        q.id for q in maturity_selectors.model_structure(campaign.model_version_id).questions
    ]
    open_towns = [
        p.municipality
        for p in Participation.objects.filter(campaign=campaign)
        .exclude(status=Participation.Status.SUBMITTED)
        .select_related("municipality")
        .order_by("municipality__name")
    ]
    assert open_towns, "no municipality is still answering the open campaign"
    officers = round(users * 0.6)
    treasurers = round(users * 0.2)
    coordinators = users - officers - treasurers

    def account(email: str) -> User:
        user = User.objects.filter(email=email).first()
        return user or user_create(email=email, password=PASSWORD, first_name="Bench")

    people: list[Person] = []
    for n in range(officers):
        town = open_towns[n % len(open_towns)]
        user = account(f"bench-digital-{n}@{DOMAIN}")
        membership_grant(user=user, municipality=town, role=Membership.Role.DIGITAL_OFFICER)
        question = questions[n // len(open_towns) % len(questions)]
        activate_tenant(town)
        # this campaign's answer: an earlier campaign's answer to the same question has
        # another version, and the first save would be refused as stale
        answer = Answer.objects.filter(
            question_id=question, assessment__campaign_id=campaign.pk
        ).first()
        activate_public()
        people.append(
            Person(
                "officer",
                user.email,
                f"{town.slug}.{DOMAIN}",
                question,
                answer.version if answer else 0,
            )
        )
    members = list(Municipality.objects.members().order_by("name"))
    for n in range(treasurers):
        town = members[n % len(members)]
        user = account(f"bench-kaemmerei-{n}@{DOMAIN}")
        membership_grant(user=user, municipality=town, role=Membership.Role.TREASURER)
        people.append(Person("treasurer", user.email, f"{town.slug}.{DOMAIN}"))
    for n in range(coordinators):
        user = account(f"bench-koordination-{n}@{DOMAIN}")
        kreis_role_grant(user=user, role=KreisRole.Role.COORDINATOR)
        people.append(Person("coordinator", user.email, DOMAIN))
    from django.db import connection

    connection.close()
    if connection.settings_dict["OPTIONS"].get("pool"):
        connection.close_pool()  # type: ignore[attr-defined]
    return people, campaign.pk


# --- the monitor ------------------------------------------------------------------------------


@dataclass
class Peaks:
    postgres: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    redis: int = 0
    samples: int = 0


def monitor(stop: threading.Event, peaks: Peaks) -> None:
    import psycopg
    import redis

    conn = psycopg.connect(
        os.environ["DATABASE_URL"], autocommit=True, application_name="izd-bench-monitor"
    )
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    while not stop.is_set():
        rows = conn.execute(
            "SELECT application_name, count(*) FROM pg_stat_activity "
            "WHERE datname = %s AND application_name <> 'izd-bench-monitor' "
            "GROUP BY application_name",
            [DATABASE],
        ).fetchall()
        total = 0
        for name, count in rows:
            peaks.postgres[name] = max(peaks.postgres[name], count)
            total += count
        peaks.postgres["(alle)"] = max(peaks.postgres["(alle)"], total)
        # Our own monitoring connection does not count.
        peaks.redis = max(peaks.redis, int(client.info("clients")["connected_clients"]) - 1)
        peaks.samples += 1
        stop.wait(0.25)
    conn.close()


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    failures: list[str] = field(default_factory=list)

    def record(self, kind: str, status: int, seconds: float, what: str) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.statuses[kind][status] += 1
            if status >= 500 or status == 0:
                self.failures.append(f"{kind} {what}: {status}")


def timed(
    results: Results,
    kind: str,
    browser: Browser,
    method: str,
    path: str,
    data: dict[str, object] | None = None,
    *,
    htmx: bool = False,
) -> bytes:
    began = time.perf_counter()
    try:
        status, body = browser.request(method, path, data, htmx=htmx)
    except (OSError, http.client.HTTPException) as error:
        status, body = 0, str(error).encode()
        browser.conn = None
    results.record(kind, status, time.perf_counter() - began, path)
    return body


VERSION = re.compile(rb'name="version" value="(\d+)"')


def officer_loop(
    person: Person, browser: Browser, campaign: int, results: Results, stop: threading.Event,
    think: float,
) -> None:  # fmt: skip
    save = f"/reifegrad/{campaign}/antwort/"
    page = f"/reifegrad/{campaign}/"
    while not stop.is_set():
        if random.random() < 0.2:
            timed(results, "Digitallotse: Seite", browser, "GET", page)
        else:
            # A real change every time: the level alternates with the stored version.
            data: dict[str, object] = {
                "question": person.question, "version": person.version,
                "current_level": person.version % 2 + 1, "target_level": 3,
            }  # fmt: skip
            body = timed(results, "Digitallotse: Autosave", browser, "POST", save, data, htmx=True)
            found = VERSION.search(body)
            person.version = int(found.group(1)) if found else person.version + 1
        stop.wait(random.uniform(0.5, 1.5) * think)


def loop(
    kind: str, paths: list[str], browser: Browser, results: Results, stop: threading.Event,
    think: float,
) -> None:  # fmt: skip
    while not stop.is_set():
        path = random.choice(paths)
        timed(results, kind, browser, "GET", path)
        stop.wait(random.uniform(0.5, 1.5) * think)


def health_loop(port: int, results: Results, stop: threading.Event) -> None:
    browser = Browser(port, DOMAIN)
    while not stop.is_set():
        timed(results, "/healthz (anonym)", browser, "GET", "/healthz")
        stop.wait(0.5)


def health_alone(port: int, signed_in: Browser) -> None:
    """/healthz before the load: one caller after another, then 200 at once and a page."""
    from concurrent.futures import ThreadPoolExecutor

    browser = Browser(port, DOMAIN)
    quiet = []
    for _ in range(100):
        began = time.perf_counter()
        browser.request("GET", "/healthz")
        quiet.append((time.perf_counter() - began) * 1000)
        time.sleep(0.02)
    print(f"/healthz einzeln (100 nacheinander): p50 {statistics.median(quiet):.1f} ms, "
          f"p95 {percentile(quiet, 0.95):.1f} ms", flush=True)  # fmt: skip

    def one(_n: int) -> int:
        return Browser(port, DOMAIN).request("GET", "/healthz")[0]

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(one, range(200)))
    burst = time.perf_counter() - began
    began = time.perf_counter()
    page_status, _ = signed_in.request("GET", "/")
    page = (time.perf_counter() - began) * 1000
    codes = ", ".join(f"{code}: {statuses.count(code)}" for code in sorted(set(statuses)))
    print(f"/healthz 200 gleichzeitig: alle beantwortet in {burst:.1f} s ({codes}); "
          f"danach Kreis-Startseite {page_status} in {page:.0f} ms", flush=True)  # fmt: skip
    assert page_status == 200 and set(statuses) <= {200, 503}


def working_paths(browser: Browser, candidates: list[str]) -> list[str]:
    found = []
    for path in candidates:
        status, _ = browser.request("GET", path)
        if status == 200:
            found.append(path)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=300, help="seconds")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--short", action="store_true", help="10 users for 30 seconds")
    args = parser.parse_args()
    if args.short:
        args.users, args.duration = 10, 30

    prepare_environment()
    port = free_port()
    log = ROOT / ".data" / "bench_load_server.log"
    server = start_server(port, log)
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 1800  # the first run migrates and loads the demo data
        probe = Browser(port, DOMAIN)
        while True:
            assert server.poll() is None, f"the server stopped; see {log}"
            try:
                if probe.request("GET", "/healthz")[0] in (200, 503):
                    break
            except OSError:
                probe.conn = None
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(1)
        people, campaign = create_people(args.users)

        from izd import sizing

        pool = sizing.database_pool()
        web_workers, threads = sizing.web_workers(), sizing.web_threads()
        concurrency, redis_max = sizing.worker_concurrency(), sizing.redis_max_connections()
        print(
            f"Server: gunicorn {web_workers} Prozesse × {threads} Threads, Celery-Worker "
            f"{concurrency} Prozesse; Datenbank-Pool {pool.min_size}–{pool.max_size} je Prozess; "
            f"Redis höchstens {redis_max} je Prozess und Client. Maschine: {os.cpu_count()} Kerne, "
            f"Last {os.getloadavg()[0]:.1f}.",
            flush=True,
        )
        print(f"{len(people)} Personen melden sich an …", flush=True)
        browsers = []
        for person in people:
            browser = Browser(port, person.host)
            browser.sign_in(person.email)
            browsers.append(browser)

        coordinator = next(
            b for b, p in zip(browsers, people, strict=True) if p.kind == "coordinator"
        )
        county = working_paths(
            coordinator,
            ["/", "/reifegrad/", f"/reifegrad/erhebungen/{campaign}/",
             f"/reifegrad/erhebungen/{campaign}/uebersicht/", "/kosten/",
             *(f"/kosten/{year}/" for year in range(2024, 2028)),
             "/roadmap/", "/roadmap/zeitplan/", "/roadmap/anfragen/", "/beschlussvorlagen/",
             "/kommunen/"],
        )  # fmt: skip
        treasurer = next(b for b, p in zip(browsers, people, strict=True) if p.kind == "treasurer")
        downloads = working_paths(
            treasurer,
            [f"/kosten/{year}/anteil.{fmt}" for year in range(2024, 2028)
             for fmt in ("csv", "xlsx", "xml")],
        )  # fmt: skip
        print(f"Kreisseiten: {', '.join(county)}", flush=True)
        print(f"Downloads: {', '.join(downloads)}", flush=True)
        assert county and downloads, "the demo data offer no county pages or downloads"

        health_alone(port, coordinator)

        results = Results()
        peaks = Peaks()
        threads_ = [threading.Thread(target=monitor, args=(stop, peaks), daemon=True)]
        threads_.append(
            threading.Thread(target=health_loop, args=(port, results, stop), daemon=True)
        )
        for person, browser in zip(people, browsers, strict=True):
            if person.kind == "officer":
                target: Callable[..., None] = officer_loop
                call_args: tuple[object, ...] = (
                    person,
                    browser,
                    campaign,
                    results,
                    stop,
                    args.think,
                )
            elif person.kind == "coordinator":
                target, call_args = (
                    loop,
                    ("Koordination: Kreisseiten", county, browser, results, stop, args.think),
                )
            else:
                target, call_args = (
                    loop,
                    ("Kämmerei: Download", downloads, browser, results, stop, args.think),
                )
            threads_.append(threading.Thread(target=target, args=call_args, daemon=True))
        print(f"Last: {len(people)} Personen für {args.duration} s …", flush=True)
        began = time.monotonic()
        for thread in threads_:
            thread.start()
        time.sleep(args.duration)
        stop.set()
        for thread in threads_:
            thread.join(timeout=90)
        wall = time.monotonic() - began
    finally:
        stop.set()
        stop_server(server)

    total = sum(len(t) for t in results.times.values())
    print(f"\nErgebnis: {total} Anfragen in {wall:.0f} s ({total / wall:.1f}/s)")
    print(f"{'Art':30} {'Anfragen':>8} {'Fehler':>7} {'p50 ms':>8} {'p95 ms':>8}  Status")
    for kind in sorted(results.times):
        ms = [s * 1000 for s in results.times[kind]]
        errors = sum(
            n for status, n in results.statuses[kind].items() if status >= 500 or status == 0
        )
        codes = ", ".join(f"{s}: {n}" for s, n in sorted(results.statuses[kind].items()))
        print(f"{kind:30} {len(ms):8d} {errors:7d} {statistics.median(ms):8.1f} "
              f"{percentile(ms, 0.95):8.1f}  {codes}")  # fmt: skip
    web_bound = web_workers * pool.max_size
    worker_bound = (concurrency + 1) * pool.max_size
    redis_bound = (web_workers + concurrency + 1) * 3 * redis_max
    web_peak = peaks.postgres.get("izd-web", 0)
    worker_peak = peaks.postgres.get("izd-worker", 0)
    print(f"\nSpitzen ({peaks.samples} Messungen, alle 0,25 s):")
    rows = [
        ("PostgreSQL izd-web", web_peak, f"{web_workers} × {pool.max_size} = {web_bound}"),
        ("PostgreSQL izd-worker", worker_peak,
         f"{concurrency + 1} × {pool.max_size} = {worker_bound}"),
        ("PostgreSQL gesamt", peaks.postgres.get("(alle)", 0), str(dict(peaks.postgres))),
        ("Redis-Verbindungen", peaks.redis,
         f"{web_workers + concurrency + 1} Prozesse × 3 × {redis_max} = {redis_bound}"),
    ]  # fmt: skip
    for label, peak, bound in rows:
        word = "je Name" if label.endswith("gesamt") else "Grenze"
        print(f"  {label:24} {peak:4d}  ({word} {bound})")
    failed = []
    if results.failures:
        failed.append(
            f"{len(results.failures)} Antworten >= 500 oder ohne Antwort, "
            f"z. B. {results.failures[:3]}"
        )
    if web_peak > web_bound or worker_peak > worker_bound:
        failed.append("mehr PostgreSQL-Verbindungen als die Pools erlauben")
    if peaks.redis > redis_bound:
        failed.append("mehr Redis-Verbindungen als erlaubt")
    if failed:
        print("\nNICHT BESTANDEN: " + "; ".join(failed))
        return 1
    print("\nBestanden: 0 Antworten >= 500, Verbindungen innerhalb der Pools.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
