"""Notices end to end through a real Celery worker: the treasurer's page on its subdomain, the
progress partial it polls, the PDF; and the centre treasurer's ZIP of all notices.

The worker reads with its own connection, so the figures are committed (`committed()`, not the
`db` fixture) for a year no other test uses, and removed again afterwards.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.test import Client
from pypdf import PdfReader

from costsharing import services
from costsharing.documents import NOTICE_KIND
from costsharing.models import AllocationLine, AllocationVersion, BudgetYear, MemberProfile
from costsharing.municipal.models import Cooperation
from izd.models import Document
from izd.schemas import tenant_schema
from tenants.models import Municipality, User
from tests.conftest import BACKEND, Portal
from tests.costsharing.factories import NO_PAPERS, budget_year, centre_treasurer, join

pytestmark = pytest.mark.celery

YEAR = 2071  # used by no other test
HX = {"HX-Request": "true"}


def pdf_text(content: bytes) -> str:
    """The PDF's text, with words WeasyPrint hyphenated at a line end joined again."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\u2010\n", "", text)


def signed_in(portal: Portal, user: User, municipality: Municipality | None = None) -> Client:
    """A client without the `db` fixture: its requests commit, so the worker sees them."""
    client = Client(HTTP_HOST=portal.host(municipality))
    client.force_login(user, backend=BACKEND)
    return client


@contextmanager
def committed_year(portal: Portal) -> Iterator[BudgetYear]:
    """A and B members only in YEAR; 100,000.01 EUR split 40 % equally, 60 % by population
    (14,000 : 9,500), frozen. Everything is deleted again afterwards."""
    towns = (portal.a, portal.b)
    assert not MemberProfile.objects.filter(municipality__in=towns).exists(), (
        "A or B has a committed membership from elsewhere; this test would remove it"
    )
    try:
        for town in towns:
            join(town, date(YEAR, 1, 1), date(YEAR, 12, 31))
        created = budget_year(
            YEAR,
            staff=(("Leitung und Koordination", "1.00", "100000.01"),),
            key=(40, 60, 0, 0),
        )
        services.allocation_freeze(
            decisions_waiver=NO_PAPERS, budget_year=created, user=centre_treasurer()
        )
        yield created
    finally:
        Document.objects.filter(kind=NOTICE_KIND, params__year=YEAR).delete()
        AllocationLine.objects.filter(version__budget_year__year=YEAR).delete()
        AllocationVersion.objects.filter(budget_year__year=YEAR).delete()
        BudgetYear.objects.filter(year=YEAR).delete()
        for town in towns:
            with tenant_schema(town):
                Cooperation.objects.all().delete()
        MemberProfile.objects.filter(municipality__in=towns).delete()


def poll(client: Client, url: str, finished: str, timeout: float = 120) -> str:
    """GET the htmx partial every 0.2 s until it contains `finished`; returns the partial."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(url, headers=HX)
        assert response.status_code == 200
        body = response.content.decode()
        if finished in body or time.monotonic() > deadline:
            break
        assert 'data-hx-trigger="every 1s"' in body, body  # unfinished: the partial keeps polling
        time.sleep(0.2)
    assert finished in body, f"not finished in time: {body}"
    return body


def href(body: str, text: str) -> str:
    match = re.search(rf'href="([^"]+)"[^>]*>{re.escape(text)}', body)
    assert match, body
    return match.group(1)


# Testhausen: Sockelbetrag 40,000.00 / 2; Einwohner 60,000.01 * 14,000 / 23,500 = 35,744.68..
# plus the spare cent (largest remainder .68 against .32); Beispielstadt the rest.
SHARES = {
    "Testhausen": ("20.000,00 €", "35.744,69 €", "55.744,69 €", "14.000 Einwohner"),
    "Beispielstadt": ("20.000,00 €", "24.255,32 €", "44.255,32 €", "9.500 Einwohner"),
}


def assert_notice(text: str, town: str) -> None:
    base, population, total, explanation = SHARES[town]
    assert f"Bescheid über die Kostenbeteiligung {YEAR}" in text
    assert town in text
    assert "Vorläufige Berechnung" not in text  # frozen
    assert re.search(rf"Kostenanteil {YEAR}\s*{re.escape(total)}", text), text
    for label, amount in (("Sockelbetrag", base), ("Einwohner", population)):
        shown = re.escape(amount)
        assert re.search(rf"\n{label}\s.*?gerundet\s{shown}\.\s+{shown}\n", text, re.S), text
    flat = " ".join(text.split())  # sentences may wrap
    assert "40,00 % der Nettokosten von 100.000,01 € ergeben den Sockelbetrag-Topf" in flat
    assert f"(Einwohner × Mitgliedsmonate) verteilt: Ihre Kommune {explanation}" in flat
    assert "alle Mitglieder zusammen 282.000 Einwohnermonate" in flat
    assert re.search(rf"Zu zahlen\s*{re.escape(total)}", text), text


def test_treasurer_requests_the_notice_polls_the_progress_and_downloads_the_pdf(
    portal: Portal, celery_worker, committed
):
    with committed(), committed_year(portal):
        client = signed_in(portal, portal.treasurer_a, portal.a)
        page = client.get(f"/kosten/{YEAR}/")
        assert page.status_code == 200
        assert "Bescheid als PDF erstellen" in page.content.decode()

        started = client.post(f"/kosten/{YEAR}/bescheid/", headers=HX)
        assert started.status_code == 200
        partial = started.content.decode()
        assert "wird erstellt" in partial and "<progress" in partial
        status_url = re.search(r'data-hx-get="([^"]+)"', partial)
        assert status_url
        done = poll(client, status_url.group(1), "herunterladen</a>")
        assert "data-hx-get" not in done  # finished: the partial stops polling

        download = client.get(href(done, f"Bescheid Kostenbeteiligung {YEAR} – Testhausen"))
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert f"Kostenbeteiligung-{YEAR}-{portal.a.slug}.pdf" in download["Content-Disposition"]
        content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
        assert content.startswith(b"%PDF")
        text = pdf_text(content)
        assert_notice(text, "Testhausen")
        assert "Beispielstadt" not in text
        (document,) = Document.objects.filter(kind=NOTICE_KIND, params__year=YEAR)
        assert document.schema_name == portal.a.schema_name

        # B's treasurer cannot fetch A's document on B's subdomain, nor A's on A's
        other = signed_in(portal, portal.treasurer_b, portal.b)
        assert other.get(f"/kosten/dokumente/{document.pk}/herunterladen/").status_code == 404
        assert (
            signed_in(portal, portal.treasurer_b, portal.a)
            .get(f"/kosten/dokumente/{document.pk}/herunterladen/")
            .status_code
            == 403
        )


def test_centre_treasurer_gets_all_notices_as_a_zip(portal: Portal, celery_worker, committed):
    with committed(), committed_year(portal):
        client = signed_in(portal, portal.centre_treasurer)
        started = client.post(f"/kosten/{YEAR}/bescheide/")
        assert started.status_code == 302
        status_url = started["Location"]
        first = client.get(status_url)
        assert first.status_code == 200 and "Bescheide" in first.content.decode()
        done = poll(client, status_url, "Alle Bescheide als ZIP herunterladen")
        assert "2 von 2 Bescheiden fertig" in done

        archive = client.get(href(done, "Alle Bescheide als ZIP herunterladen"))
        assert archive.status_code == 200
        assert archive["Content-Type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
            names = sorted(zipped.namelist())
            assert names == sorted(
                f"Kostenbeteiligung-{YEAR}-{town.slug}.pdf" for town in (portal.a, portal.b)
            )
            for town in (portal.a, portal.b):
                content = zipped.read(f"Kostenbeteiligung-{YEAR}-{town.slug}.pdf")
                assert_notice(pdf_text(content), town.name)
        schemas = set(
            Document.objects.filter(kind=NOTICE_KIND, params__year=YEAR).values_list(
                "schema_name", flat=True
            )
        )
        assert schemas == {"public"}  # rendered from the Kreis, each for its member
