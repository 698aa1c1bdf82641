"""In the browser: an officer publishes a practice, the centre approves it, another
municipality's officer finds it by search, declares interest and turns the adoption into a
measure; the author sees the adoption."""

from __future__ import annotations

import random
import re
import string

import pytest

from roadmap.practices.models import Adoption, Practice
from tests.conftest import LiveServer, Portal, browser_signed_in, sign_in
from tests.izd.test_accessibility import _violations


@pytest.mark.browser
def test_publish_approve_find_adopt_and_plan(portal: Portal, live: LiveServer, page, browser):
    token = "".join(random.choices(string.ascii_lowercase, k=8))
    title = f"Digitaler Rechnungseingang {token}"

    # The digital officer of Testhausen describes the practice and submits it.
    sign_in(page, live, portal, portal.officer_a, portal.a)
    page.wait_for_url(live.url(portal, portal.a, "/"))
    page.goto(live.url(portal, portal.a, "/praxis/neu/"))
    page.fill("#id_title", title)
    page.fill("#id_summary", "E-Rechnungen kommen über die Leitweg-ID in den Workflow.")
    page.fill("#id_solution", "Eingangsplattform angebunden, Freigabe im Finanzverfahren.")
    page.fill("#id_contact_name", "Anna Autorin")
    page.fill("#id_contact_email", "anna.autorin@test.example")
    page.select_option("#id_visibility", "mitglieder")
    page.get_by_role("button", name="Entwurf speichern").click()
    page.wait_for_url(re.compile(r"/praxis/\d+/$"))
    practice_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    page.get_by_role("button", name="Zur Prüfung einreichen").click()
    page.locator('[data-state="eingereicht"]').wait_for()

    # The coordinator approves it on the Kreis domain.
    with browser_signed_in(browser, live, portal, portal.coordinator) as kreis:
        kreis.goto(live.url(portal, None, "/praxis/"))
        kreis.get_by_role("link", name=title).first.click()
        kreis.wait_for_url(live.url(portal, None, f"/praxis/{practice_id}/"))
        kreis.get_by_role("button", name="Prüfung speichern").click()
        kreis.locator('[data-state="veroeffentlicht"]').wait_for()

    # The officer of Beispielstadt finds it by search, declares interest and plans a measure.
    with browser_signed_in(browser, live, portal, portal.officer_b, portal.b) as other:
        other.goto(live.url(portal, portal.b, "/praxis/"))
        other.get_by_label("Suchbegriff").fill(f"Rechnung {token}")
        other.get_by_role("button", name="Suchen").click()
        other.get_by_role("link", name=title).click()
        other.wait_for_url(live.url(portal, portal.b, f"/praxis/{practice_id}/"))
        assert "anna.autorin@test.example" not in other.content()
        other.get_by_role("button", name="Interesse bekunden").click()
        other.get_by_text("Ihr Interesse ist vermerkt").wait_for()
        assert "anna.autorin@test.example" in other.content()
        other.get_by_role("button", name="Als Maßnahme auf die Roadmap").click()
        other.get_by_text("Die Maßnahme steht jetzt auf der Roadmap").wait_for()
        other.get_by_role("link", name=f"Nachnutzung: {title}").wait_for()
        assert _violations(other) == []
        other.goto(live.url(portal, portal.b, f"/praxis/{practice_id}/bearbeiten/"))
        assert "Nicht gefunden" in other.content() or "gibt es" in other.content()

    adoption = Adoption.objects.get(practice_id=practice_id)
    assert adoption.municipality == portal.b
    assert adoption.measure is not None
    assert list(adoption.measure.municipalities.all()) == [portal.b]

    # The author sees the adoption and who to talk to.
    page.goto(live.url(portal, portal.a, f"/praxis/{practice_id}/"))
    assert page.locator('[data-adoption="beispielstadt"]').inner_text() == "geplant"
    assert portal.officer_b.email in page.content()
    assert Practice.objects.get(pk=practice_id).published_version is not None
    assert _violations(page) == []
    page.goto(live.url(portal, portal.a, f"/praxis/{practice_id}/bearbeiten/"))
    assert _violations(page) == []
    page.goto(live.url(portal, None, f"/praxis/oeffentlich/{practice_id}/"))
    assert page.locator("h1").inner_text() != title  # member-only: not on the public page
