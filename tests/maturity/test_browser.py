from __future__ import annotations

import uuid

import pytest

from maturity.models import Participation
from tenants.models import Membership
from tenants.services import membership_grant, user_create
from tests.conftest import PASSWORD, LiveServer, Portal, sign_in
from tests.maturity.factories import load_real_model, make_campaign

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_campaign(portal: Portal, committed):
    with committed():
        version = load_real_model()
        campaign = make_campaign(version, [portal.a], name=f"Browser {uuid.uuid4().hex[:8]}")
        colleague = user_create(
            email=f"kollegin-{uuid.uuid4().hex[:8]}@test.example",
            password=PASSWORD,
            first_name="Kora",
            last_name="Kollegin",
        )
        membership_grant(
            user=colleague, municipality=portal.a, role=Membership.Role.DIGITAL_OFFICER
        )
    return campaign, colleague


def test_officer_answers_reloads_and_a_colleagues_change_shows_a_conflict(
    portal: Portal, live: LiveServer, page, browser, browser_campaign
):
    campaign, colleague = browser_campaign
    url = live.url(portal, portal.a, f"/reifegrad/{campaign.pk}/strategie/")
    sign_in(page, live, portal, portal.officer_a, portal.a)
    page.wait_for_url(live.url(portal, portal.a, "/"))
    page.goto(url)
    questions = page.locator("section.maturity-question")
    first = questions.nth(0).get_attribute("id").removeprefix("frage-")
    second = questions.nth(1).get_attribute("id").removeprefix("frage-")

    page.locator(f"#q{first}-ist-2").check()
    page.locator(f"#status-{first}").filter(has_text="gespeichert").wait_for()
    page.locator("#fortschritt").filter(has_text="1 von 6").wait_for()
    # Two quick changes of one question: saved one after the other, neither conflicts.
    with page.expect_response(lambda r: "/antwort/" in r.url and r.status == 200):
        page.locator(f"#q{second}-ist-1").check()
    with page.expect_response(lambda r: "/antwort/" in r.url and r.status == 200):
        page.select_option(f"#q{second}-soll", "3")
    page.locator(f"#status-{second}").filter(has_text="gespeichert").wait_for()
    page.locator("#fortschritt").filter(has_text="2 von 6").wait_for()

    page.reload()
    assert page.locator(f"#q{first}-ist-2").is_checked()
    assert page.locator(f"#q{second}-ist-1").is_checked()
    assert page.locator(f"#q{second}-soll").input_value() == "3"
    assert "2 von 6" in page.locator("#fortschritt").inner_text()

    # A colleague in another browser changes the same answer.
    other_context = browser.new_context(locale="de-DE")
    try:
        other = other_context.new_page()
        other.set_default_timeout(15_000)
        sign_in(other, live, portal, colleague, portal.a)
        other.wait_for_url(live.url(portal, portal.a, "/"))
        other.goto(url)
        other.locator(f"#q{first}-ist-4").check()
        other.locator(f"#status-{first}").filter(has_text="gespeichert").wait_for()
    finally:
        other_context.close()

    # The first officer still has the old version loaded: the change is not silently lost.
    page.locator(f"#q{first}-ist-3").check()
    conflict = page.locator(f"#frage-{first} .maturity-conflict")
    conflict.wait_for()
    text = conflict.inner_text()
    assert "Kora Kollegin hat diese Antwort inzwischen geändert" in text
    assert "4 – optimiert" in text and "3 – etabliert" in text

    page.get_by_role("button", name="Meine Eingabe speichern").click()
    page.locator(f"#status-{first}").filter(has_text="gespeichert").wait_for()
    page.reload()
    assert page.locator(f"#q{first}-ist-3").is_checked()
    participation = Participation.objects.get(campaign=campaign, municipality=portal.a)
    assert participation.answered_count == 2
