"""A practice page offers only what the person may do: the treasury and readers of a
municipality read practices but neither describe nor adopt them, so they see no such link or
button (each would lead to "Kein Zugriff")."""

from __future__ import annotations

import pytest

from tests.conftest import Portal
from tests.practices.factories import make_practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(portal: Portal):
    return make_practice(
        author=portal.officer_a,
        municipality=portal.a,
        reviewer=portal.coordinator,
        visibility="mitglieder",
        title="Rollenlinks Praxisbeispiel",
    )


def test_the_treasury_sees_no_link_to_describe_or_adopt(portal: Portal, client_for, published):
    client = client_for(portal.treasurer_b, portal.b)
    for path in ("/praxis/", "/praxis/eigene/"):
        body = client.get(path).content.decode()
        assert "/praxis/neu/" not in body, path
    assert client.get("/praxis/neu/").status_code == 403
    detail = client.get(f"/praxis/{published.pk}/").content.decode()
    assert "Rollenlinks Praxisbeispiel" in detail
    assert "Interesse bekunden" not in detail
    assert f"/praxis/{published.pk}/interesse/" not in detail


def test_the_digital_officer_still_describes_and_adopts(portal: Portal, client_for, published):
    client = client_for(portal.officer_b, portal.b)
    assert "/praxis/neu/" in client.get("/praxis/").content.decode()
    assert "Interesse bekunden" in client.get(f"/praxis/{published.pk}/").content.decode()


def test_the_centre_treasurer_sees_no_link_to_describe_a_centre_practice(
    portal: Portal, client_for
):
    body = client_for(portal.centre_treasurer).get("/praxis/").content.decode()
    assert "/praxis/neu/" not in body
    assert "/praxis/neu/" in client_for(portal.coordinator).get("/praxis/").content.decode()
