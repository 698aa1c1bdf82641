"""A measure or request that arose from adopting a practice shows the practice, and the
practice links back to the measure and the request (issue 13: "linked both ways")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from roadmap.practices import services
from roadmap.practices.models import Practice, Visibility
from tests.conftest import Portal
from tests.practices.factories import make_practice
from tests.roadmap.factories import make_service

TITLE = "Hundesteuer online anmelden"


@pytest.fixture
def adopted(portal: Portal, db):
    practice = make_practice(
        author=portal.officer_a, municipality=portal.a, reviewer=portal.coordinator, title=TITLE
    )
    adoption = services.interest_declare(
        practice=practice, municipality=portal.b, user=portal.officer_b
    )
    measure = services.adoption_to_measure(adoption=adoption, user=portal.officer_b)
    summary = services.adoption_to_request(
        adoption=adoption, user=portal.officer_b, service_id=make_service().pk,
        wished_date=timezone.localdate() + timedelta(days=30), roles=["digital_officer"],
    )  # fmt: skip
    return practice, measure, summary


def test_the_measure_shows_the_practice_it_came_from(portal, adopted, client_for):
    practice, measure, _summary = adopted
    link = (
        f'Praxisbeispiel <a href="/praxis/{practice.pk}/">{TITLE}</a> '
        "(Nachnutzung durch Beispielstadt)"
    )
    kreis = client_for(portal.coordinator)
    assert link in kreis.get("/roadmap/massnahmen/").content.decode()
    assert link in kreis.get(f"/roadmap/massnahmen/{measure.pk}/").content.decode()
    assert link in kreis.get("/roadmap/zeitplan/").content.decode()
    own = client_for(portal.officer_b, portal.b).get("/roadmap/zeitplan/").content.decode()
    assert f'<li id="massnahme-{measure.pk}">' in own and link in own


def test_the_request_shows_the_practice_it_came_from(portal, adopted, client_for):
    practice, _measure, summary = adopted
    link = f'Praxisbeispiel <a href="/praxis/{practice.pk}/">{TITLE}</a>'
    own = client_for(portal.officer_b, portal.b).get(f"/roadmap/anfragen/{summary.request_id}/")
    assert "Entstanden aus" in own.content.decode() and link in own.content.decode()
    kreis = client_for(portal.coordinator).get(f"/roadmap/anfragen/{summary.request_id}/")
    assert link in kreis.content.decode()


def test_the_practice_links_to_the_measure_and_the_request(portal, adopted, client_for):
    practice, measure, summary = adopted
    own = client_for(portal.officer_b, portal.b).get(f"/praxis/{practice.pk}/").content.decode()
    assert f'href="/roadmap/zeitplan/#massnahme-{measure.pk}"' in own
    assert f'href="/roadmap/anfragen/{summary.request_id}/"' in own
    kreis = client_for(portal.coordinator).get(f"/praxis/{practice.pk}/").content.decode()
    assert f'href="/roadmap/massnahmen/{measure.pk}/"' in kreis
    assert f'href="/roadmap/anfragen/{summary.request_id}/"' in kreis
    treasurer = client_for(portal.centre_treasurer).get(f"/praxis/{practice.pk}/")
    assert f'href="/roadmap/massnahmen/#massnahme-{measure.pk}"' in treasurer.content.decode()


def test_a_practice_the_viewer_may_not_see_is_not_named(portal, adopted, client_for):
    practice, _measure, summary = adopted
    # The author narrows the practice to the centre: Beispielstadt no longer sees its title.
    Practice.objects.filter(pk=practice.pk).update(visibility=Visibility.CENTRE)
    link = f'href="/praxis/{practice.pk}/"'
    own = client_for(portal.officer_b, portal.b)
    assert link not in own.get("/roadmap/zeitplan/").content.decode()
    assert link not in own.get(f"/roadmap/anfragen/{summary.request_id}/").content.decode()
    assert link in client_for(portal.coordinator).get("/roadmap/massnahmen/").content.decode()
