"""Every page is valid HTML by the Nu Html Checker (vnu.jar), for every role.

Like the axe-core test, the pages start from the URL resolver; links found on them are followed
(same host, GET, bounded), so detail pages and later issues' pages are checked too. All pages of
all roles are validated in one vnu run. vnu comes from npm (tests/assets/vnu, `npm ci`), Java
from Debian's `default-jre-headless`; `.ci/run` installs both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import deque
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from tests.conftest import Portal
from tests.izd.test_accessibility import _plain_paths

VNU_DIR = Path(__file__).resolve().parents[1] / "assets" / "vnu"
VNU_JAR = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SKIPPED = ("/abmelden/", "/healthz", "/static/", "/media/")
PAGES_PER_ROLE = 250


def vnu_jar() -> Path:
    """The checker, installed from the lock file on first use (as `.ci/run` does)."""
    if not VNU_JAR.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                "vnu.jar fehlt und npm ist nicht installiert: `sudo apt-get install npm`, dann "
                "`npm ci --ignore-scripts --prefix tests/assets/vnu`.",
                pytrace=False,
            )
        subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", str(VNU_DIR)],
            check=True,
            capture_output=True,
        )
    if shutil.which("java") is None:
        pytest.fail(
            "Der Nu Html Checker braucht Java: `sudo apt-get install default-jre-headless`.",
            pytrace=False,
        )
    return VNU_JAR


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _local(href: str) -> str | None:
    url, _fragment = urldefrag(href)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIPPED):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Client, starts: list[str], limit: int = PAGES_PER_ROLE) -> dict[str, str]:
    """GET the start pages and the same-host pages they link to; path → HTML."""
    pages: dict[str, str] = {}
    queue = deque(starts)
    seen = set(starts)
    # Query variants of one page (sorting, filters) are checked a few times, not combinatorially.
    variants: dict[str, int] = {}
    while queue and len(pages) < limit:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200:
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[path] = html
        parser = _Links()
        parser.feed(html)
        for href in parser.hrefs:
            target = _local(href)
            if target is None or target in seen:
                continue
            base = target.split("?")[0]
            if "?" in target:
                variants[base] = variants.get(base, 0) + 1
                if variants[base] > 3:
                    continue
            seen.add(target)
            queue.append(target)
    return pages


def validate(documents: dict[str, str], workdir: Path) -> dict[str, list[str]]:
    """One vnu run over all documents; label → error messages."""
    names: dict[str, str] = {}
    for index, (label, html) in enumerate(documents.items()):
        name = f"page-{index:04d}.html"
        (workdir / name).write_text(html, encoding="utf-8")
        names[name] = label
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--format", "json", "--errors-only", "--exit-zero-always",
         *sorted(str(workdir / name) for name in names)],
        capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    report = json.loads(result.stderr or result.stdout)
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        label = names.get(Path(message.get("url", "")).name, message.get("url", "?"))
        text = f"{message.get('lastLine', '?')}: {message['message']}"
        errors.setdefault(label, []).append(text)
    return errors


def _world(portal: Portal) -> None:
    """Something on most pages: measures, a request, a campaign with answers, a frozen year
    with decision papers."""
    from costsharing import services as costsharing_services
    from roadmap import services as roadmap_services
    from roadmap.papers import services as paper_services
    from tests.costsharing.factories import NO_PAPERS, centre_treasurer, issuer
    from tests.maturity.factories import answer_all, load_small_model, make_campaign
    from tests.papers.factories import paper_for, paper_template, simple_year
    from tests.roadmap.factories import file_request, make_measure, make_service

    service = make_service(name="OZG-Anbindung Validierung")
    file_request(portal.a, portal.officer_a, service)
    first = make_measure(title="E-Akte einführen", start="2026-Q1", end="2026-Q3")
    make_measure(title="WLAN", start="2026-Q3", end="2027-Q2", depends_on=(first.pk,))
    roadmap_services.target_levels_set(levels={("a", 2026): 2})
    campaign = make_campaign(load_small_model(), [portal.a, portal.b])
    answer_all(campaign, portal.a, 2, submit=True, user=portal.officer_a)
    year = simple_year(2026, (portal.a, portal.b), joined=date(2020, 1, 1))
    issuer()
    costsharing_services.allocation_freeze(
        budget_year=year, user=centre_treasurer(), decisions_waiver=NO_PAPERS
    )
    paper_services.scheme_save(municipality=portal.a, prefix="VL", next_number=1)
    paper_for(portal.a, 2026, paper_template("Validierung"))


@pytest.mark.django_db
def test_every_page_of_every_role_is_valid_html(portal: Portal, tmp_path: Path):
    _world(portal)
    tenant = get_resolver(settings.ROOT_URLCONF).url_patterns
    kreis = get_resolver(settings.PUBLIC_SCHEMA_URLCONF).url_patterns
    roles = [
        ("Digitalbeauftragte A", portal.officer_a, portal.a, tenant),
        ("Kämmerei A", portal.treasurer_a, portal.a, tenant),
        ("Koordination", portal.coordinator, None, kreis),
        ("Zentrumskämmerei", portal.centre_treasurer, None, kreis),
        ("abgemeldet", None, None, kreis),
    ]
    documents: dict[str, str] = {}
    for role, user, municipality, patterns in roles:
        client = Client(HTTP_HOST=portal.host(municipality))
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        starts = ["/", *_plain_paths(patterns)]
        if user is None:
            starts = ["/anmelden/", "/passwort/vergessen/", "/impressum/", "/datenschutz/",
                      "/barrierefreiheit/"]  # fmt: skip
        pages = crawl(client, starts)
        assert len(pages) >= 3, f"too few pages for {role}"
        documents.update({f"{role} {path}": html for path, html in pages.items()})
    assert len(documents) >= 100, f"only {len(documents)} pages were checked"
    errors = validate(documents, tmp_path)
    summary = {label: found[:5] for label, found in errors.items()}
    assert errors == {}, json.dumps(summary, ensure_ascii=False, indent=1)[:20000]


def test_the_checker_finds_an_invalid_page(tmp_path: Path):
    head = '<!DOCTYPE html><html lang="de"><title>x</title>'
    invalid = head + '<p hx-get="/x"><label for="">a</label>'
    valid = head + '<p data-hx-get="/x">a</p>'
    errors = validate({"invalid": invalid, "valid": valid}, tmp_path)
    assert set(errors) == {"invalid"}
    assert any("hx-get" in message for message in errors["invalid"]), errors
    assert any("“for”" in message for message in errors["invalid"]), errors
