"""The people pages: the coordinator's on the Kreis domain, a digital officer's on the
municipality's subdomain, and the role rules of the services behind them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import services
from tenants.models import Invitation, Membership, User
from tests.tenants.factories import invite


def _membership(user, municipality, role=None) -> Membership:
    rows = Membership.objects.filter(user=user, municipality=municipality)
    return rows.get(role=role) if role else rows.get()


def test_coordinator_sees_everybody_with_memberships_and_roles(portal, client_for):
    body = client_for(portal.coordinator).get("/personen/").content.decode()
    assert "officer_a@test.example" in body
    assert "Testhausen: Digitalisierungsbeauftragte/r" in body
    assert "Koordination des Zentrums (Kreis)" in body


def test_search_and_pagination_keep_the_query_string(portal, client_for):
    User.objects.bulk_create(
        [User(email=f"suche{n:03}@test.example", last_name=f"Sucher {n:03}") for n in range(30)]
    )
    client = client_for(portal.coordinator)
    first = client.get("/personen/", {"q": "suche"}).content.decode()
    assert "30 Personen gefunden" in first
    assert "officer_a@test.example" not in first
    assert "/personen/?q=suche&amp;seite=2" in first
    second = client.get("/personen/", {"q": "suche", "seite": "2"}).content.decode()
    assert "suche029@test.example" in second
    assert "Seite 2 von 2" in second


def test_search_finds_people_by_municipality_name(portal, client_for):
    body = client_for(portal.coordinator).get("/personen/", {"q": "Beispielstadt"}).content
    assert b"officer_b@test.example" in body
    assert b"officer_a@test.example" not in body


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/personen/").status_code == 200
    return len(captured)


def test_people_page_makes_the_same_number_of_queries_at_29_and_420_rows(portal, client_for):
    client = client_for(portal.coordinator)

    def grow_to(total: int) -> None:
        missing = total - User.objects.count()
        start = User.objects.count()
        users = User.objects.bulk_create(
            [User(email=f"viele{start + n}@test.example") for n in range(missing)]
        )
        Membership.objects.bulk_create(
            [Membership(user=u, municipality=portal.a, role=Membership.Role.READER) for u in users]
        )
        Invitation.objects.bulk_create(
            [
                Invitation(email=u.email.replace("viele", "eingeladen"), municipality=portal.b)
                for u in users
            ]
        )

    grow_to(29)
    small = _queries(client)
    grow_to(420)
    large = _queries(client)
    assert User.objects.count() == 420
    assert small == large


def test_officer_invites_a_colleague_on_the_municipality_subdomain(
    portal, client_for, django_capture_on_commit_callbacks
):
    client = client_for(portal.officer_a, portal.a)
    assert client.get("/personen/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/personen/einladen/",
            {"email": "kollegin@test.example", "role": Membership.Role.TREASURER},
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="kollegin@test.example", municipality=portal.a).exists()
    assert mail.outbox[-1].to == ["kollegin@test.example"]


@pytest.mark.parametrize("person", ["treasurer_a", "reader_a"])
def test_only_the_officer_manages_people_of_a_municipality(portal, client_for, person):
    client = client_for(getattr(portal, person), portal.a)
    assert client.get("/personen/").status_code == 403
    response = client.post(
        "/personen/einladen/", {"email": "x@test.example", "role": Membership.Role.READER}
    )
    assert response.status_code == 403
    reader = _membership(portal.reader_a, portal.a)
    assert client.post(f"/personen/entfernen/{reader.pk}/").status_code == 403
    assert not Invitation.objects.filter(email="x@test.example").exists()


def test_officer_cannot_touch_another_municipalitys_people(portal, client_for):
    treasurer_b = _membership(portal.treasurer_b, portal.b)
    client = client_for(portal.officer_a, portal.a)
    assert client.post(f"/personen/entfernen/{treasurer_b.pk}/").status_code == 404
    assert client_for(portal.officer_a, portal.b).get("/personen/").status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.membership_remove(membership=treasurer_b, actor=portal.officer_a)
    assert Membership.objects.filter(pk=treasurer_b.pk).exists()


def test_a_role_above_ones_own_cannot_be_handed_out(portal, db):
    assert not services.people_may_manage(
        actor=portal.treasurer_a, municipality=portal.a, role=Membership.Role.READER
    )
    assert services.people_may_manage(
        actor=portal.officer_a, municipality=portal.a, role=Membership.Role.DIGITAL_OFFICER
    )
    with pytest.raises(services.PermissionDenied):
        services.invitation_create(
            email="hoch@test.example",
            municipality=portal.a,
            role=Membership.Role.DIGITAL_OFFICER,
            invited_by=portal.treasurer_a,
        )


def test_officer_removes_a_colleague_who_is_told_by_mail(
    portal, client_for, django_capture_on_commit_callbacks
):
    reader = _membership(portal.reader_a, portal.a)
    client = client_for(portal.officer_a, portal.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/personen/entfernen/{reader.pk}/", {"zurueck": "/personen/"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=reader.pk).exists()
    assert mail.outbox[-1].to == [portal.reader_a.email]
    assert "Testhausen" in mail.outbox[-1].body


def test_the_last_officer_cannot_remove_or_demote_themselves(portal, client_for):
    own = _membership(portal.officer_a, portal.a)
    client = client_for(portal.officer_a, portal.a)
    response = client.post(f"/personen/entfernen/{own.pk}/", follow=True)
    assert "letzte Person mit der Rolle" in response.content.decode()
    client.post(f"/personen/rolle/{own.pk}/", {"role": Membership.Role.READER})
    own.refresh_from_db()
    assert own.role == Membership.Role.DIGITAL_OFFICER


def test_the_coordinator_cannot_remove_the_last_officer_either(portal, db):
    own = _membership(portal.officer_a, portal.a)
    with pytest.raises(services.PeopleError):
        services.membership_remove(membership=own, actor=portal.coordinator)
    with pytest.raises(services.PeopleError):
        services.membership_role_change(
            membership=own, role=Membership.Role.READER, actor=portal.coordinator
        )


def test_with_a_second_officer_the_first_may_leave(portal, db):
    services.membership_grant(
        user=portal.treasurer_a, municipality=portal.a, role=Membership.Role.DIGITAL_OFFICER
    )
    own = _membership(portal.officer_a, portal.a)
    services.membership_remove(membership=own, actor=portal.officer_a)
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_an_inactive_second_officer_does_not_count(portal, db):
    second = _membership(portal.treasurer_a, portal.a)
    services.membership_role_change(
        membership=second, role=Membership.Role.DIGITAL_OFFICER, actor=portal.coordinator
    )
    User.objects.filter(pk=portal.treasurer_a.pk).update(is_active=False)
    with pytest.raises(services.PeopleError):
        services.membership_remove(
            membership=_membership(portal.officer_a, portal.a), actor=portal.coordinator
        )


def test_coordinator_changes_a_role_and_the_person_is_told(
    portal, client_for, django_capture_on_commit_callbacks
):
    treasurer = _membership(portal.treasurer_a, portal.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(portal.coordinator).post(
            f"/personen/rolle/{treasurer.pk}/",
            {"role": Membership.Role.READER, "zurueck": "/personen/?q=treasurer"},
        )
    assert response["Location"] == "/personen/?q=treasurer"
    treasurer.refresh_from_db()
    assert treasurer.role == Membership.Role.READER
    assert mail.outbox[-1].to == [portal.treasurer_a.email]
    assert "Lesezugriff" in mail.outbox[-1].body


def test_a_foreign_return_address_is_not_followed(portal, client_for):
    treasurer = _membership(portal.treasurer_a, portal.a)
    response = client_for(portal.coordinator).post(
        f"/personen/rolle/{treasurer.pk}/",
        {"role": Membership.Role.READER, "zurueck": "https://evil.example/"},
    )
    assert response["Location"] == "/personen/"


def test_resend_makes_a_new_link_and_the_old_one_stops(
    portal, client_for, django_capture_on_commit_callbacks
):
    invitation = invite(portal, "spaet@test.example", portal.a)
    old_token = invitation.token
    with django_capture_on_commit_callbacks(execute=True):
        client_for(portal.officer_a, portal.a).post(f"/personen/einladung/{invitation.pk}/erneut/")
    invitation.refresh_from_db()
    assert invitation.token != old_token
    assert f"/einladung/{invitation.token}/" in mail.outbox[-1].body
    visitor = client_for(None, portal.a)
    assert visitor.get(f"/einladung/{old_token}/").status_code == 404
    assert visitor.get(f"/einladung/{invitation.token}/").status_code == 200


def test_revoke_ends_the_link_and_tells_the_invitee(
    portal, client_for, django_capture_on_commit_callbacks
):
    invitation = invite(portal, "doch-nicht@test.example", portal.b)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(portal.coordinator).post(f"/personen/einladung/{invitation.pk}/zurueckziehen/")
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert mail.outbox[-1].to == ["doch-nicht@test.example"]
    assert client_for(None, portal.b).get(f"/einladung/{invitation.token}/").status_code == 404


def test_expired_invitations_are_listed_as_expired(portal, client_for):
    from datetime import timedelta

    from django.utils import timezone

    Invitation.objects.create(
        email="alt@test.example",
        municipality=portal.a,
        role=Membership.Role.READER,
        expires_at=timezone.now() - timedelta(days=1),
    )
    body = client_for(portal.coordinator).get("/personen/", {"q": "alt@"}).content.decode()
    assert "alt@test.example" in body
    assert "abgelaufen am" in body


def test_deactivation_asks_first_then_ends_every_session(
    portal, client_for, django_capture_on_commit_callbacks
):
    victim = client_for(portal.reader_a, portal.a)
    assert victim.get("/").status_code == 200
    coordinator = client_for(portal.coordinator)
    asked = coordinator.post(f"/personen/konto/{portal.reader_a.pk}/deaktivieren/")
    assert "Konto deaktivieren" in asked.content.decode()
    assert User.objects.get(pk=portal.reader_a.pk).is_active
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(
            f"/personen/konto/{portal.reader_a.pk}/deaktivieren/", {"bestaetigt": "ja"}
        )
    assert not User.objects.get(pk=portal.reader_a.pk).is_active
    from django.contrib.sessions.models import Session

    remaining = [
        s
        for s in Session.objects.all()
        if str(s.get_decoded().get("_auth_user_id")) == str(portal.reader_a.pk)
    ]
    assert remaining == []
    assert victim.get("/").status_code == 302
    assert mail.outbox[-1].to == [portal.reader_a.email]


def test_only_the_coordinator_deactivates_accounts(portal, client_for):
    response = client_for(portal.officer_a).post(
        f"/personen/konto/{portal.reader_a.pk}/deaktivieren/", {"bestaetigt": "ja"}
    )
    assert response.status_code == 403
    assert User.objects.get(pk=portal.reader_a.pk).is_active
