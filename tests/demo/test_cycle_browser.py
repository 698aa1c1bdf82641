"""Every role walks its part of the yearly cycle on the default demo data alone.

The portal runs as on a fresh clone (`manage.py runserver` and a Celery worker, both on the
demo database), Chromium signs in with the published demo accounts."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from django.conf import settings

from tenants.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db]
ARTEFACTS = Path(os.environ.get("IZD_TEST_ARTEFACTS", "test-artefacts")) / "screenshots"
DOCUMENTS = ARTEFACTS.parent / "documents"


def _keep_for_review(download: Any, name: str) -> None:
    """The downloaded document kept beside the screenshots, for a person to look at its pages."""
    DOCUMENTS.mkdir(parents=True, exist_ok=True)
    target = DOCUMENTS / name
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF-")


IDS = """
import json
from maturity.models import Campaign
from roadmap.models import RequestSummary
from roadmap.papers.models import Paper
print("@@" + json.dumps({
    "campaign_2026": Campaign.objects.get(name="Erhebung 2026").pk,
    "submitted": str(RequestSummary.objects.filter(status="eingereicht").first().request_id),
    "paper_2026": Paper.objects.filter(year=2026).order_by("pk").first().pk,
}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def demo_server(mkk_demo) -> Iterator[str]:
    """The demo portal's base URL pattern, e.g. http://{host}:PORT (host filled per role)."""
    port = _free_port()
    env = {**mkk_demo.env, "IZD_PORT": str(port)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR, env=env, check=True, timeout=300,
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "warning",
         "--concurrency", "2", "--pool", "prefork"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.5)
        yield f"http://{{host}}:{port}"
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _url(base: str, path: str, town: str | None = None) -> str:
    host = f"{town}.{settings.BASE_DOMAIN}" if town else settings.BASE_DOMAIN
    return base.format(host=host) + path


def _sign_in(browser, base: str, email: str, town: str | None = None):
    context = browser.new_context(locale="de-DE", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(_url(base, "/anmelden/", town))
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(_url(base, "/", town))
    return context, page


def _lands_on_tasks(page, name: str) -> None:
    """Every demo account lands on a start page with something to do, and every link there
    opens for this account (kept as a screenshot)."""
    tasks = page.locator("section.start-panels")
    tasks.get_by_role("heading", name="Was offen ist").wait_for()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"startseite-{name}.png"), full_page=True)
    links = {a.get_attribute("href") or "" for a in tasks.locator("a").all()}
    assert links, f"{name}: nichts zu tun"
    start = page.url
    # In the page itself: only the browser resolves the municipalities' *.localhost names.
    for href in sorted(links):
        response = page.goto(urljoin(start, href))
        assert response is not None and response.status == 200, f"{name}: {href} antwortet"
    page.goto(start)


def test_every_role_walks_its_part_of_the_cycle_on_the_demo(mkk_demo, demo_server, browser):
    ids = mkk_demo.json(IDS)
    domain = settings.BASE_DOMAIN
    town = "waechtersbach"

    # Officer: the 2026 assessment saves itself; a new request is filed.
    context, page = _sign_in(browser, demo_server, f"digital@{town}.{domain}", town)
    try:
        _lands_on_tasks(page, "digitalisierung")
        page.goto(_url(demo_server, f"/reifegrad/{ids['campaign_2026']}/strategie/", town))
        question = page.locator("section.maturity-question").nth(0)
        first = question.get_attribute("id").removeprefix("frage-")
        current = page.locator(f"input[name^='ist'][id^='q{first}-ist-']:checked")
        level = "3" if current.count() and current.get_attribute("value") != "3" else "2"
        page.locator(f"#q{first}-ist-{level}").check()
        page.locator(f"#status-{first}").filter(has_text="gespeichert").wait_for()
        page.goto(_url(demo_server, "/roadmap/anfragen/neu/", town))
        page.get_by_label("Leistung").select_option(index=1)
        page.get_by_label("Bedarf").fill("Onlinedienst Hundesteuer auf Civento.")
        page.get_by_label("Menge").fill("12")
        page.get_by_label("Priorität").select_option("mittel")
        page.get_by_label("Gewünscht bis").fill((date.today() + timedelta(days=60)).isoformat())
        page.get_by_role("button", name="Anfrage einreichen").click()
        page.wait_for_url(re.compile(r"/roadmap/anfragen/[0-9a-f-]{36}/$"))
        assert page.locator("[data-status]").inner_text() == "eingereicht"
    finally:
        context.close()

    # Coordinator: the campaign page, triage of a submitted request, the 2026 papers rendered.
    context, page = _sign_in(browser, demo_server, f"koordination@{domain}")
    try:
        _lands_on_tasks(page, "koordination")
        page.goto(_url(demo_server, f"/reifegrad/erhebungen/{ids['campaign_2026']}/"))
        page.get_by_role("heading", name=re.compile("Erhebung 2026")).first.wait_for()
        page.goto(_url(demo_server, f"/roadmap/anfragen/{ids['submitted']}/"))
        page.get_by_role("button", name="Prüfung beginnen").click()
        page.locator('[data-status="in_pruefung"]').wait_for()
        # One paper of 2026 (all 29 would take minutes on a small machine; the batch has its
        # own tests): its meeting dates are there, so the PDF is made by the worker.
        page.goto(_url(demo_server, f"/beschlussvorlagen/{ids['paper_2026']}/"))
        page.get_by_role("button", name="PDF erstellen").click()
        paper_link = page.get_by_role("link", name=re.compile("herunterladen"))
        paper_link.wait_for(timeout=300_000)
        with page.expect_download() as paper_download:
            paper_link.click()
        _keep_for_review(paper_download.value, "beschlussvorlage-2026.pdf")
    finally:
        context.close()

    # Treasurer of the town: the share of the frozen 2025, its notice downloaded.
    context, page = _sign_in(browser, demo_server, f"kaemmerei@{town}.{domain}", town)
    try:
        _lands_on_tasks(page, "kaemmerei")
        page.goto(_url(demo_server, "/kosten/2025/", town))
        page.get_by_role("link", name="E-Rechnung (XRechnung, CII)").wait_for()
        page.get_by_role("button", name="Bescheid als PDF erstellen").click()
        link = page.get_by_role("link", name=re.compile("herunterladen"))
        link.wait_for(timeout=300_000)
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.endswith(".pdf")
        _keep_for_review(download.value, "bescheid-2025.pdf")
    finally:
        context.close()

    # Centre treasurer: the year overview shows 2025 frozen.
    context, page = _sign_in(browser, demo_server, f"kaemmerei-zentrum@{domain}")
    try:
        _lands_on_tasks(page, "kaemmerei-zentrum")
        page.goto(_url(demo_server, "/kosten/"))
        row = page.get_by_role("row").filter(has_text="2025")
        assert "festgeschrieben" in row.first.inner_text()
    finally:
        context.close()

    # Reader of the town: sees what is open, may change nothing.
    context, page = _sign_in(browser, demo_server, f"lesen@{town}.{domain}", town)
    try:
        _lands_on_tasks(page, "lesen")
    finally:
        context.close()
