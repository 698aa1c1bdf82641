"""E-mail addresses: one account per address whatever its case, and links in mails that come
from the configured portal address, never from the Host header."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client

from tenants.models import Invitation, Membership, User
from tenants.services import user_create
from tests.conftest import PASSWORD, Portal
from tests.tenants.factories import invite

pytestmark = pytest.mark.django_db


def test_sign_in_ignores_the_case_of_the_address(portal: Portal, client_for):
    client = client_for(None)
    shouted = portal.reader_a.email.upper()
    response = client.post("/anmelden/", {"username": shouted, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(portal.reader_a.pk)


def test_addresses_are_stored_in_lower_case(portal: Portal):
    user = user_create(email="  Neu.Person@Test.EXAMPLE ", password=None)
    assert user.email == "neu.person@test.example"


def test_a_second_account_differing_only_in_case_is_refused(portal: Portal):
    with pytest.raises(ValidationError):
        user_create(email=portal.officer_a.email.title(), password=None)
    # Also for a writer that bypasses the manager: the database refuses it.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tenants_user SET email = %s WHERE id = %s",
            [portal.officer_a.email.upper(), portal.reader_a.pk],
        )


def test_invitation_to_a_differently_cased_address_reaches_the_existing_account(
    portal: Portal, client_for
):
    invitation = invite(portal, portal.officer_b.email.upper(), portal.a)
    assert invitation.email == portal.officer_b.email
    # The existing account signs in and accepts (a new name and password are not asked for).
    visitor = client_for(None, portal.a)
    page = visitor.get(f"/einladung/{invitation.token}/")
    assert "schon ein Konto" in page.content.decode()
    response = client_for(portal.officer_b, portal.a).post(f"/einladung/{invitation.token}/")
    assert response.status_code == 302
    assert User.objects.filter(email__iexact=portal.officer_b.email).count() == 1
    assert Membership.objects.filter(
        user=portal.officer_b, municipality=portal.a, role=Membership.Role.READER
    ).exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


def test_password_reset_finds_the_account_whatever_the_case(portal: Portal, client_for):
    response = client_for(None).post(
        "/passwort/vergessen/", {"email": portal.treasurer_a.email.upper()}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [portal.treasurer_a.email]


def test_reset_link_comes_from_the_settings_not_from_the_host_header(portal: Portal, settings):
    settings.PORTAL_SCHEME, settings.PORTAL_PORT = "https", 8443
    forged = Client(HTTP_HOST=f"{portal.a.slug}.{settings.BASE_DOMAIN}:6666")
    response = forged.post("/passwort/vergessen/", {"email": portal.treasurer_a.email})
    assert response.status_code == 302
    found = re.search(r"\S+/passwort/neu/\S+", str(mail.outbox[0].body))
    assert found is not None
    link = found.group(0)
    assert link.startswith(f"https://{settings.BASE_DOMAIN}:8443/passwort/neu/")
    assert "6666" not in mail.outbox[0].body


def test_invitation_link_comes_from_the_settings(
    portal: Portal, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_SCHEME, settings.PORTAL_PORT = "https", 443
    with django_capture_on_commit_callbacks(execute=True):
        invite(portal, "link@test.example", portal.a)
    assert f"https://{portal.a.slug}.{settings.BASE_DOMAIN}/einladung/" in mail.outbox[0].body
