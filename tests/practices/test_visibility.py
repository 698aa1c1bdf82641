"""Drafts, submitted, centre-only and member-only practices never reach anyone who must not
see them: not in lists, details, search results, the feed, counts or attachments."""

from __future__ import annotations

from typing import Any

import pytest

from roadmap.practices import selectors
from tests.conftest import Portal
from tests.practices.factories import make_practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(portal: Portal):
    kw: dict[str, Any] = {
        "author": portal.officer_a,
        "municipality": portal.a,
        "reviewer": portal.coordinator,
    }
    return {
        "draft": make_practice(state="entwurf", title="Zebrastreifen Entwurf", **kw),
        "submitted": make_practice(state="eingereicht", title="Zebrastreifen Eingereicht", **kw),
        "centre": make_practice(visibility="zentrum", title="Zebrastreifen Zentrum", **kw),
        "members": make_practice(visibility="mitglieder", title="Zebrastreifen Mitglieder", **kw),
        "public": make_practice(visibility="oeffentlich", title="Zebrastreifen Öffentlich", **kw),
    }


def _titles(body: str) -> set[str]:
    names = ("Entwurf", "Eingereicht", "Zentrum", "Mitglieder", "Öffentlich")
    return {name for name in names if f"Zebrastreifen {name}" in body}


def test_anonymous_public_page_search_and_feed_show_only_public(portal, client_for, world):
    client = client_for(None)
    for path in ("/praxis/oeffentlich/", "/praxis/oeffentlich/?q=Zebrastreifen"):
        response = client.get(path)
        assert response.status_code == 200
        assert _titles(response.content.decode()) == {"Öffentlich"}
    feed = client.get("/praxis/oeffentlich/feed.atom")
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert _titles(feed.content.decode()) == {"Öffentlich"}
    for name in ("draft", "submitted", "centre", "members"):
        assert client.get(f"/praxis/oeffentlich/{world[name].pk}/").status_code == 404
    assert client.get(f"/praxis/oeffentlich/{world['public'].pk}/").status_code == 200


def test_anonymous_visitor_reaches_no_other_practice_page(portal, client_for, world):
    client = client_for(None)
    for path in ("/praxis/", f"/praxis/{world['public'].pk}/", "/praxis/matrix/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/anmelden/")


def test_other_municipality_sees_members_and_public_only(portal, client_for, world):
    client = client_for(portal.officer_b, portal.b)
    body = client.get("/praxis/?q=Zebrastreifen").content.decode()
    assert _titles(body) == {"Mitglieder", "Öffentlich"}
    assert "2 Praxisbeispiele gefunden" in body
    for name in ("draft", "submitted", "centre"):
        assert client.get(f"/praxis/{world[name].pk}/").status_code == 404
    assert client.get(f"/praxis/{world['members'].pk}/").status_code == 200


def test_author_sees_own_drafts_but_centre_never_sees_drafts(portal, client_for, world):
    own = client_for(portal.officer_a, portal.a)
    assert own.get(f"/praxis/{world['draft'].pk}/").status_code == 200
    assert "Zebrastreifen Entwurf" in own.get("/praxis/eigene/").content.decode()
    # Search lists only published practices, even for their authors.
    assert _titles(own.get("/praxis/?q=Zebrastreifen").content.decode()) == {
        "Zentrum",
        "Mitglieder",
        "Öffentlich",
    }
    centre = client_for(portal.coordinator)
    assert centre.get(f"/praxis/{world['draft'].pk}/").status_code == 404
    assert centre.get(f"/praxis/{world['submitted'].pk}/").status_code == 200
    body = centre.get("/praxis/?q=Zebrastreifen").content.decode()
    assert {"Zentrum", "Mitglieder", "Öffentlich"} <= _titles(body)


def test_counts_and_selectors_respect_visibility(portal, world):
    other = selectors.Viewer(municipality_id=portal.b.pk, is_member=True)
    filters = selectors.Filters(text="Zebrastreifen")
    assert selectors.search(other, filters).count() == 2
    assert selectors.search(selectors.ANONYMOUS, filters).count() == 1
    assert selectors.search(selectors.Viewer(is_centre=True), filters).count() == 3


def test_attachment_of_a_hidden_practice_cannot_be_downloaded(portal, client_for, world):
    from roadmap.practices import services

    attachment = services.attachment_add(
        practice=world["centre"], name="konzept.pdf", data=b"%PDF-1.7\n%test\n", title="Konzept",
        kind="konzept", user=portal.officer_a,
    )  # fmt: skip
    url = f"/praxis/{world['centre'].pk}/anhaenge/{attachment.pk}/"
    assert client_for(portal.officer_b, portal.b).get(url).status_code == 404
    assert client_for(portal.officer_a, portal.a).get(url).status_code == 200
    public_url = f"/praxis/oeffentlich/{world['centre'].pk}/anhaenge/{attachment.pk}/"
    assert client_for(None).get(public_url).status_code == 404


def test_related_practices_on_results_offer_only_visible_ones(portal, world):
    from decimal import Decimal

    from maturity.scoring import Gap
    from maturity.structure import DimensionInfo, QuestionInfo

    keys: dict[str, Any] = {"question_keys": ("organisation-erechnung",)}
    kw: dict[str, Any] = {
        "author": portal.officer_b,
        "municipality": portal.b,
        "reviewer": portal.coordinator,
    }
    shown = make_practice(visibility="mitglieder", title="Rechnungseingang B", **kw, **keys)
    make_practice(visibility="zentrum", title="Rechnungseingang geheim", **kw, **keys)
    make_practice(state="entwurf", title="Rechnungseingang Entwurf", **kw, **keys)
    question = QuestionInfo(1, "organisation-erechnung", "E-Rechnung?", "", Decimal(1), True,
                            ("",) * 5, ("",) * 4, "organisation")  # fmt: skip
    dimension = DimensionInfo(1, "organisation", "Organisation", "", Decimal(1), 1, (question,))
    section = selectors.practices_for_gaps(portal.a, [Gap(question, dimension, 1, 3, "")])
    assert section is not None
    assert [link.title for link in section.links] == ["Rechnungseingang B (Beispielstadt)"]
    assert section.links[0].url == f"/praxis/{shown.pk}/"
