"""In the browser: an officer files a request, the coordinator accepts it, the officer sees it."""

from __future__ import annotations

import re
import uuid

import pytest

from roadmap.models import RequestSummary
from tests.conftest import LiveServer, Portal, browser_signed_in, sign_in
from tests.roadmap.factories import future, make_service


# The pages the browser drives offer exactly the next steps of the workflow. (Marked django_db,
# this test also makes pytest-django set up the test database when this file runs alone: the
# browser test itself must not run inside a test transaction, the live server could not see it.)
@pytest.mark.django_db
def test_the_request_page_offers_each_side_only_its_next_steps(portal: Portal, client_for):
    from tests.roadmap.factories import file_request

    request = file_request(portal.a, portal.officer_a, make_service())
    kreis = client_for(portal.coordinator).get(f"/roadmap/anfragen/{request.pk}/").content.decode()
    assert "Prüfung beginnen" in kreis
    assert "Annehmen" not in kreis and "Anfrage zurückziehen" not in kreis
    own = client_for(portal.officer_a, portal.a).get(f"/roadmap/anfragen/{request.pk}/")
    assert "Anfrage zurückziehen" in own.content.decode()
    assert "Prüfung beginnen" not in own.content.decode()


@pytest.mark.browser
def test_officer_files_a_request_the_coordinator_accepts_and_the_officer_sees_it(
    portal: Portal, live: LiveServer, page, browser, committed
):
    name = f"Civento-Prozess Browser {uuid.uuid4().hex[:6]}"
    with committed():
        make_service(name=name)

    # The digital officer of Testhausen files the request on the municipality's subdomain.
    sign_in(page, live, portal, portal.officer_a, portal.a)
    page.wait_for_url(live.url(portal, portal.a, "/"))
    page.goto(live.url(portal, portal.a, "/roadmap/anfragen/neu/"))
    page.get_by_label("Leistung").select_option(label=f"{name} (Stunden)")
    page.get_by_label("Bedarf").fill("Bauantrag online: Prozess auf Civento modellieren.")
    page.get_by_label("Menge").fill("24")
    page.get_by_label("Priorität").select_option("hoch")
    page.get_by_label("Gewünscht bis").fill(future(90).isoformat())
    page.get_by_role("button", name="Anfrage einreichen").click()
    page.wait_for_url(re.compile(r"/roadmap/anfragen/[0-9a-f-]{36}/$"))
    assert page.locator("[data-status]").inner_text() == "eingereicht"
    request_id = RequestSummary.objects.get(service__name=name).request_id

    # The coordinator, in a second browser on the Kreis domain, reviews and accepts it.
    with browser_signed_in(browser, live, portal, portal.coordinator) as kreis:
        kreis.goto(live.url(portal, None, "/roadmap/anfragen/"))
        kreis.get_by_role("link", name=name).click()
        kreis.wait_for_url(live.url(portal, None, f"/roadmap/anfragen/{request_id}/"))
        kreis.get_by_role("button", name="Prüfung beginnen").click()
        kreis.locator('[data-status="in_pruefung"]').wait_for()
        kreis.get_by_role("button", name="Annehmen").click()
        kreis.locator('[data-status="angenommen"]').wait_for()

    # The officer sees the new status and the history.
    page.reload()
    assert page.locator("[data-status]").inner_text() == "angenommen"
    history = page.get_by_role("table", name="Verlauf").inner_text()
    assert "in Prüfung" in history and "angenommen" in history
