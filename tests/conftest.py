"""Fixtures shared by all tests.

Municipality schemas are created once per test session and committed, so that tests wrapped in a
transaction, the live server's threads and Celery workers all see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from izd.schemas import activate_public, activate_tenant
from tenants.models import KreisRole, Membership, Municipality, User
from tenants.services import (
    MunicipalityData,
    kreis_ensure,
    kreis_role_grant,
    membership_grant,
    municipality_create,
    user_create,
)

PASSWORD = "Test-Passwort-2026"
BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass(frozen=True)
class Portal:
    """The test world: the Kreis, two municipalities A and B, and one person per role."""

    kreis: Municipality
    a: Municipality
    b: Municipality
    coordinator: User
    centre_treasurer: User
    officer_a: User
    treasurer_a: User
    reader_a: User
    officer_b: User
    treasurer_b: User
    stranger: User

    def host(self, municipality: Municipality | None = None) -> str:
        if municipality is None or municipality.is_kreis:
            return settings.BASE_DOMAIN
        return f"{municipality.slug}.{settings.BASE_DOMAIN}"


def _user(email: str) -> User:
    return User.objects.filter(email=email).first() or user_create(
        email=email, password=PASSWORD, first_name=email.split("@")[0].title(), last_name="Test"
    )


def _municipality(name: str, ags: str, population: int) -> Municipality:
    existing = Municipality.objects.filter(ags=ags).first()
    if existing:
        return existing
    return municipality_create(
        data=MunicipalityData(
            name=name,
            ags=ags,
            population=population,
            population_date=date(2024, 12, 31),
            street="Rathausplatz 1",
            postal_code="63599",
            city=name,
        )
    )


# The portal's people, by the role they have (the stranger has none).
PEOPLE = (
    "coordinator",
    "centre_treasurer",
    "officer_a",
    "treasurer_a",
    "reader_a",
    "officer_b",
    "treasurer_b",
    "stranger",
)


def build_portal() -> Portal:
    kreis = kreis_ensure(
        name="Testkreis", ags="06435000", population=50_000, population_date=date(2024, 12, 31)
    )
    a = _municipality("Testhausen", "06435901", 14_000)
    b = _municipality("Beispielstadt", "06435902", 9_500)
    people = {name: _user(f"{name}@test.example") for name in PEOPLE}
    kreis_role_grant(user=people["coordinator"], role=KreisRole.Role.COORDINATOR)
    kreis_role_grant(user=people["centre_treasurer"], role=KreisRole.Role.CENTRE_TREASURER)
    for person, town, role in (
        ("officer_a", a, Membership.Role.DIGITAL_OFFICER),
        ("treasurer_a", a, Membership.Role.TREASURER),
        ("reader_a", a, Membership.Role.READER),
        ("officer_b", b, Membership.Role.DIGITAL_OFFICER),
        ("treasurer_b", b, Membership.Role.TREASURER),
    ):
        membership_grant(user=people[person], municipality=town, role=role)
    return Portal(kreis=kreis, a=a, b=b, **people)


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: pytest.FixtureRequest,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """Always create the test database, also for a run of browser or worker tests only.

    pytest-django creates it only when a collected test carries the django_db mark; without
    that, the session fixtures below would write into the development database.
    """
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        config = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases={"default": None},
            serialized_aliases=set(),
        )
    yield
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        drift = _schema_drift()
        _close_other_connections()
        teardown_databases(config, verbosity=request.config.option.verbose)
    if drift:
        pytest.fail("Schemas weichen von der Vorlage ab:\n" + "\n".join(drift), pytrace=False)


def _schema_drift() -> list[str]:
    """`check_schemas` once more after every test, the migrating ones included."""
    from tenants.catalogue import schema_drift

    activate_public()
    return [str(difference) for difference in schema_drift()]


def _close_other_connections() -> None:
    """The live server's and the worker's threads may still hold connections to the test
    database; PostgreSQL refuses to drop a database that is in use."""
    from django.db import connection, connections

    connections.close_all()
    if connection.settings_dict.get("OPTIONS", {}).get("pool"):
        connection.close_pool()  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture(autouse=True)
def _public_schema_after_each_test() -> Iterator[None]:
    """A request through the test client leaves the connection in the tenant it served."""
    yield
    activate_public()


@pytest.fixture(scope="session")
def portal(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Portal:
    from django.db import connection

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        test_settings: dict[str, str] = settings.DATABASES["default"]["TEST"]  # type: ignore[assignment]
        assert connection.settings_dict["NAME"] == test_settings["NAME"]
        return build_portal()


@pytest.fixture
def client_for(portal: Portal, db: None) -> Iterator[object]:
    """`client_for(user, municipality)`: a test client signed in on that host."""

    def make(user: User | None, municipality: Municipality | None = None) -> Client:
        client = Client(HTTP_HOST=portal.host(municipality))
        if user is not None:
            client.force_login(user, backend=BACKEND)
        return client

    yield make
    activate_public()


@pytest.fixture
def in_tenant(db: None) -> Iterator[object]:
    """`with in_tenant(municipality): ...` runs ORM calls in that municipality's schema."""
    from contextlib import contextmanager

    @contextmanager
    def switch(municipality: Municipality) -> Iterator[None]:
        activate_tenant(municipality)
        try:
            yield
        finally:
            activate_public()

    yield switch
    activate_public()


# --- committed data, live server, browser and Celery worker ---------------------------------
#
# The live server's threads and the Celery worker use their own database connections, so what
# they must see has to be committed. These tests never flush: they create uniquely named data
# with `committed()`, and the session's test database is dropped at the end.


@pytest.fixture
def committed(django_db_blocker: pytest.FixtureRequest) -> Iterator[object]:
    """`with committed(): ...` writes outside any test transaction."""
    from contextlib import contextmanager

    @contextmanager
    def unblocked() -> Iterator[None]:
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            try:
                yield
            finally:
                activate_public()

    yield unblocked


@dataclass(frozen=True)
class LiveServer:
    port: int

    def url(self, portal: Portal, municipality: Municipality | None = None, path: str = "/") -> str:
        return f"http://{portal.host(municipality)}:{self.port}{path}"


@pytest.fixture(scope="session")
def portal_server(portal: Portal, django_db_blocker: pytest.FixtureRequest) -> Iterator[LiveServer]:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield LiveServer(port=thread.port)
    finally:
        thread.terminate()


def _with_database_open(session_fixture: str, doc: str) -> Any:
    """A fixture handing a test the session fixture's value, with database access open for
    the threads it runs during the test."""

    def fixture(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[object]:
        with django_db_blocker.unblock():
            yield request.getfixturevalue(session_fixture)

    fixture.__doc__ = doc
    return pytest.fixture(fixture)


live = _with_database_open("portal_server", "The live server for the test.")


def chromium_path() -> str:
    import os
    import shutil

    candidates = [
        os.environ.get("CHROMIUM_PATH", ""),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
    ]
    for candidate in candidates:
        if candidate and shutil.which(candidate):
            return candidate
    pytest.fail(
        "Kein Chromium gefunden: Browser-Tests brauchen Debians Chromium. "
        "Installieren mit `sudo apt-get install chromium` oder CHROMIUM_PATH setzen.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the main thread; the ORM calls the tests
    # make for setup are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


# Reported into the console by every page, so that the test sees what the browser blocked.
_REPORT_POLICY_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` in ${e.sourceFile}:${e.lineNumber}`);
});
"""
_POLICY_MARKERS = ("CSP violation", "Content Security Policy", "Permissions-Policy")


def watch_policy_violations(context: object, page: object) -> list[str]:
    """What the browser blocked under the portal's policies, as it reports it (filled live)."""
    context.add_init_script(_REPORT_POLICY_VIOLATIONS)  # type: ignore[attr-defined]
    violations: list[str] = []
    page.on(  # type: ignore[attr-defined]
        "console",
        lambda message: (
            violations.append(message.text)
            if message.type in ("error", "warning")
            and any(m in message.text for m in _POLICY_MARKERS)
            else None
        ),
    )
    return violations


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A browser page; the test fails if the page broke its Content-Security-Policy (an inline
    script or style, eval) or the browser refused the Permissions-Policy header."""
    context = browser.new_context(locale="de-DE")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = watch_policy_violations(context, page)
    yield page
    context.close()
    assert not violations, "Der Browser meldet Verstöße gegen die Sicherheitsrichtlinien:\n" + (
        "\n".join(violations)
    )


def sign_in(page: object, live: LiveServer, portal: Portal, user: User, municipality=None) -> None:
    page.goto(live.url(portal, municipality, "/anmelden/"))  # type: ignore[attr-defined]
    page.get_by_label("E-Mail-Adresse").fill(user.email)  # type: ignore[attr-defined]
    page.get_by_label("Passwort").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Anmelden").click()  # type: ignore[attr-defined]


@contextmanager
def browser_signed_in(
    browser: object, live: LiveServer, portal: Portal, user: User, municipality=None
) -> Iterator[Any]:
    """A second browser of its own, signed in as `user` on the municipality's host (the Kreis
    domain without one), on its start page."""
    context = browser.new_context(locale="de-DE")  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live, portal, user, municipality)
        page.wait_for_url(live.url(portal, municipality, "/"))
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def celery_worker_session(
    portal: Portal, django_db_blocker: pytest.FixtureRequest
) -> Iterator[object]:
    """A real Celery worker consuming from the real Redis, in a thread of the test process."""
    import uuid

    from config.celery import app
    from tests.workers import thread_worker

    # A queue of this run's own: a worker of a parallel run (or of the development server on
    # the same Redis) never takes our tasks, and purging never touches theirs.
    queue = f"izd-test-{uuid.uuid4().hex[:12]}"
    app.conf.task_default_queue = queue
    with (
        django_db_blocker.unblock(),  # type: ignore[attr-defined]
        # Jobs reach this worker through the web side's send after commit; the fault tests
        # (tests/izd/test_jobs.py) run real worker processes with the dispatcher.
        thread_worker(queue, without_job_dispatcher=True) as worker,
    ):
        yield worker


celery_worker = _with_database_open("celery_worker_session", "The Celery worker for the test.")


@pytest.fixture
def listener() -> Iterator[list[str]]:
    """A server on 127.0.0.1 that records every request it gets; item 0 is "port:N".

    Documents are rendered next to it to show that nothing in them makes the renderer fetch.
    """
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hits.append(f"port:{server.server_address[1]}")
    yield hits
    server.shutdown()
