"""Invitations of people who already have an account (issue 11) and of the wrong account."""

from __future__ import annotations

from django.core import mail
from django.test import Client

from tenants import services
from tenants.models import Invitation, Membership, User
from tests.tenants.factories import invite


def _opened(client: Client, invitation: Invitation, status: int) -> str:
    """The invitation's page as the client sees it, which must answer `status`."""
    page = client.get(f"/einladung/{invitation.token}/")
    assert page.status_code == status
    return page.content.decode()


def test_signed_in_invitee_accepts_with_one_click(portal, client_for):
    invitation = invite(portal, "Officer_A@test.example", portal.b)
    client = client_for(portal.officer_a, portal.b)
    body = _opened(client, invitation, 200)
    assert "Einladung annehmen" in body
    assert "Passwort" not in body
    response = client.post(f"/einladung/{invitation.token}/")
    assert response.status_code == 302
    assert portal.b.slug in response["Location"]
    assert Membership.objects.filter(
        user=portal.officer_a, municipality=portal.b, role=Membership.Role.READER
    ).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # Now a member, the person enters the municipality's start page.
    assert client.get("/").status_code == 200
    assert client.post(f"/einladung/{invitation.token}/").status_code == 404


def test_signed_out_existing_person_is_asked_to_sign_in_and_returns(portal, client_for):
    invitation = invite(portal, "officer_a@test.example", portal.b)
    body = _opened(client_for(None, portal.b), invitation, 200)
    assert "Anmelden" in body
    assert f"next=/einladung/{invitation.token}/" in body.replace("%2F", "/")
    assert 'name="password1"' not in body


def test_new_name_and_password_for_an_existing_account_are_refused_not_ignored(portal, client_for):
    invitation = invite(portal, "officer_a@test.example", portal.b)
    old_hash = User.objects.get(pk=portal.officer_a.pk).password
    form = {
        "first_name": "Anders",
        "last_name": "Name",
        "password1": "Sehr-Geheim-2026",
        "password2": "Sehr-Geheim-2026",
    }
    response = client_for(None, portal.b).post(f"/einladung/{invitation.token}/", form)
    assert response.status_code == 400
    assert "Bitte melden Sie sich" in response.content.decode()
    user = User.objects.get(pk=portal.officer_a.pk)
    assert user.password == old_hash
    assert user.first_name != "Anders"
    assert not Membership.objects.filter(user=user, municipality=portal.b).exists()


def test_sign_in_from_the_invitation_comes_back_to_it(portal, client_for):
    from tests.conftest import PASSWORD

    invitation = invite(portal, "officer_a@test.example", portal.b)
    visitor = client_for(None, portal.b)
    next_url = f"/einladung/{invitation.token}/"
    response = visitor.post(
        f"/anmelden/?next={next_url}",
        {"username": "officer_a@test.example", "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert visitor.get(next_url).status_code == 200
    assert visitor.post(next_url).status_code == 302
    assert Membership.objects.filter(user=portal.officer_a, municipality=portal.b).exists()


def test_signed_in_with_another_address_gets_a_clear_german_message(portal, client_for):
    invitation = invite(portal, "jemand.anders@test.example", portal.b)
    client = client_for(portal.officer_a, portal.b)
    body = _opened(client, invitation, 403)
    assert "jemand.anders@test.example" in body
    assert "officer_a@test.example" in body
    assert "melden Sie sich ab" in body
    assert client.post(f"/einladung/{invitation.token}/").status_code == 403
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user=portal.officer_a, municipality=portal.b).exists()


def test_service_refuses_the_wrong_signed_in_person(portal, db):
    invitation = invite(portal, "jemand.anders@test.example", portal.b)
    try:
        services.invitation_accept_signed_in(token=invitation.token, user=portal.officer_a)
    except services.InvitationError as error:
        assert "jemand.anders@test.example" in error.message
    else:
        raise AssertionError("the wrong person accepted the invitation")
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_invitation_mail_to_an_existing_account_asks_to_sign_in(
    portal, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(portal, "officer_a@test.example", portal.b)
    assert "bestehenden Konto an" in mail.outbox[-1].body
    assert "Passwort fest" not in mail.outbox[-1].body


def test_signed_in_non_member_still_gets_403_elsewhere_on_the_subdomain(portal, client_for):
    assert client_for(portal.officer_a, portal.b).get("/").status_code == 403


def test_a_used_invitation_is_the_one_error_page_with_what_to_do(portal, client_for):
    invitation = invite(portal, "officer_a@test.example", portal.b)
    services.invitation_accept_signed_in(token=invitation.token, user=portal.officer_a)
    for client in (client_for(portal.officer_a, portal.b), client_for(None, portal.b)):
        response = client.get(f"/einladung/{invitation.token}/")
        said = (
            "Das hat nicht geklappt",
            "ungültig, abgelaufen oder wurde schon benutzt",
            "Koordination des Zentrums",
        )
        assert response.status_code == 404
        assert all(text in response.content.decode() for text in said)
