"""In the browser: an officer invites a colleague, who accepts and arrives at the start page."""

from __future__ import annotations

import pytest
from django.core import mail

from tenants.models import Invitation, Membership, User
from tests.conftest import LiveServer, Portal, sign_in

pytestmark = pytest.mark.browser

EMAIL = "browser-kollegin@test.example"


def test_officer_invites_a_colleague_who_accepts_and_sees_the_start_page(
    portal: Portal, live: LiveServer, page, browser
):
    try:
        sign_in(page, live, portal, portal.officer_a, portal.a)
        page.wait_for_url(live.url(portal, portal.a, "/"))
        page.get_by_role("link", name="Personen").click()
        page.wait_for_url(live.url(portal, portal.a, "/personen/"))
        invite = page.locator("form[action='/personen/einladen/']")
        invite.get_by_label("E-Mail-Adresse").fill(EMAIL)
        invite.locator("select[name=role]").select_option(Membership.Role.TREASURER)
        invite.get_by_role("button", name="Einladung senden").click()
        page.get_by_text(f"Die Einladung an {EMAIL} wurde verschickt.").wait_for()

        invitation = Invitation.objects.get(email=EMAIL, municipality=portal.a)
        link = live.url(portal, portal.a, f"/einladung/{invitation.token}/")
        assert any(f"/einladung/{invitation.token}/" in m.body for m in mail.outbox)

        colleague = browser.new_context(locale="de-DE").new_page()
        colleague.goto(link)
        colleague.get_by_label("Vorname").fill("Klara")
        colleague.get_by_label("Nachname").fill("Kollegin")
        colleague.locator("input[name=password1]").fill("Sehr-Geheim-2026")
        colleague.locator("input[name=password2]").fill("Sehr-Geheim-2026")
        colleague.get_by_role("button", name="Konto einrichten").click()
        colleague.wait_for_url(live.url(portal, portal.a, "/"))
        assert colleague.get_by_role("heading", level=1).inner_text() == "Testhausen"
        # Their tasks: the panels of a treasurer, each linking to a page they may open.
        tasks = colleague.locator("section.start-panels")
        tasks.get_by_role("heading", name="Was offen ist").wait_for()
        assert tasks.get_by_role("heading", name="Kostenbeteiligung").is_visible()
        assert tasks.get_by_role("heading", name="Leistungsanfragen").is_visible()
        assert not tasks.get_by_role("heading", name="Einladungen").count()  # the officer's
        tasks.get_by_role("link", name="Teilnahme und Module").click()
        colleague.wait_for_url(live.url(portal, portal.a, "/kosten/teilnahme/"))
        assert colleague.get_by_role("heading", level=1).inner_text() == "Mitgliedschaft im Zentrum"
        assert Membership.objects.filter(
            user__email=EMAIL, municipality=portal.a, role=Membership.Role.TREASURER
        ).exists()
        colleague.context.close()
    finally:
        Invitation.objects.filter(email=EMAIL).delete()
        User.objects.filter(email=EMAIL).delete()
