from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists

from tenants.catalogue import schema_catalogues, schema_drift
from tenants.models import Domain, Invitation, Membership, Municipality, User
from tenants.services import MunicipalityData, municipality_create
from tenants.validators import leitweg_check_digits

pytestmark = pytest.mark.django_db


def _data(**overrides: object) -> MunicipalityData:
    values: dict[str, object] = {
        "name": "Neudorf",
        "ags": "06435971",
        "population": 4321,
        "population_date": date(2024, 12, 31),
    }
    values.update(overrides)
    return MunicipalityData(**values)  # type: ignore[arg-type]


def test_new_municipality_is_cloned_from_the_template_schema(portal):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(db) as queries:
        municipality = municipality_create(data=_data())
    statements = "\n".join(query["sql"] for query in queries.captured_queries)
    assert 'CREATE TABLE "gem_06435971"."django_migrations" (LIKE "tenant_template"' in statements
    # Nothing is migrated for the new schema: its migration records come from the template.
    assert 'INSERT INTO "django_migrations"' not in statements
    assert schema_exists(municipality.schema_name)
    assert Domain.objects.get(tenant=municipality).domain == "neudorf.izd.localhost"
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM gem_06435971.django_migrations")
        migrations_in_clone = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM tenant_template.django_migrations")
        assert migrations_in_clone == cursor.fetchone()[0] > 0


def test_clone_has_the_template_structure_with_the_same_names(portal):
    municipality = municipality_create(data=_data(ags="06435974", name="Strukturdorf"))
    # The same comparison as `manage.py check_schemas`: every table, column, constraint, index,
    # sequence and migration record, by name.
    assert schema_drift([municipality.schema_name]) == []
    template = schema_catalogues(["tenant_template"])["tenant_template"]
    kinds = Counter(kind for kind, _name in template.objects)
    assert kinds["constraint"] > 10 and kinds["index"] > 10 and kinds["migration"] > 10
    assert kinds["sequence"] > 0 and kinds["column"] > kinds["table"] > 5


def test_cloned_schema_works_for_inserts_with_identity_columns(portal):
    from django.db import connection as db

    municipality = municipality_create(data=_data(ags="06435975", name="Zaehldorf"))
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {municipality.schema_name}.django_migrations (app, name, applied) "
            "VALUES ('probe', 'x', now()) RETURNING id"
        )
        new_id = cursor.fetchone()[0]
        cursor.execute(f"SELECT max(id) FROM {municipality.schema_name}.django_migrations")
        assert new_id == cursor.fetchone()[0]


def test_municipality_needs_a_valid_ags_and_leitweg_id(portal):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        municipality_create(data=_data(ags="123"))
    assert "8 Ziffern" in str(error.value)
    with pytest.raises(ValidationError) as error:
        municipality_create(data=_data(leitweg_id="06435971-AB-00"))
    assert "Leitweg-ID" in str(error.value)


def test_leitweg_id_with_correct_check_digits_is_accepted(portal):
    body = "06435971-0001"
    municipality = municipality_create(
        data=_data(leitweg_id=f"{body}-{leitweg_check_digits(body)}")
    )
    assert municipality.leitweg_id.startswith(body)


def test_management_command_creates_a_municipality(portal):
    call_command(
        "create_municipality",
        "--name=Kommandohausen",
        "--ags=06435972",
        "--population=2500",
        "--population-date=2024-12-31",
    )
    assert Municipality.objects.get(ags="06435972").slug == "kommandohausen"


def test_management_command_reports_bad_input_in_german(portal):
    with pytest.raises(CommandError, match="8 Ziffern"):
        call_command(
            "create_municipality",
            "--name=X",
            "--ags=1",
            "--population=1",
            "--population-date=2024-12-31",
        )


def test_coordinator_adds_a_municipality_in_the_browser_form(portal, client_for):
    client = client_for(portal.coordinator)
    response = client.post(
        "/kommunen/neu/",
        {"name": "Formularstadt", "slug": "formularstadt", "ags": "06435973",
         "population": "7000", "population_date": "2024-12-31"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Municipality.objects.filter(slug="formularstadt").exists()


def test_bad_form_input_gets_a_german_message_and_400(portal, client_for):
    response = client_for(portal.coordinator).post(
        "/kommunen/neu/",
        {"name": "X", "slug": "Falsch Slug", "ags": "12", "population": "0",
         "population_date": "gestern"},
    )  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert "8 Ziffern" in body
    assert "Kleinbuchstaben" in body


def test_invitation_is_mailed_and_works_exactly_once(
    portal, client_for, django_capture_on_commit_callbacks
):
    client = client_for(portal.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/kommunen/{portal.a.slug}/einladen/",
            {"email": "neu@test.example", "role": Membership.Role.TREASURER},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="neu@test.example")
    assert len(mail.outbox) == 1
    assert f"/einladung/{invitation.token}/" in mail.outbox[0].body
    visitor = client_for(None, portal.a)
    form = {
        "first_name": "Nina",
        "last_name": "Neu",
        "password1": "Sehr-Geheim-2026",
        "password2": "Sehr-Geheim-2026",
    }
    assert visitor.post(f"/einladung/{invitation.token}/", form).status_code == 302
    user = User.objects.get(email="neu@test.example")
    assert Membership.objects.filter(user=user, municipality=portal.a, role="treasurer").exists()
    assert user.password.startswith("argon2")
    second = client_for(None, portal.a).post(f"/einladung/{invitation.token}/", form)
    assert second.status_code == 404


def test_password_reset_sends_a_link_by_email(portal, client_for):
    response = client_for(None).post("/passwort/vergessen/", {"email": portal.officer_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/passwort/neu/" in mail.outbox[0].body


def test_repeated_failed_sign_ins_are_throttled(portal, client_for, settings):
    client = client_for(None)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/anmelden/", {"username": portal.reader_a.email, "password": "falsch"})
    response = client.post(
        "/anmelden/", {"username": portal.reader_a.email, "password": "Test-Passwort-2026"}
    )
    assert response.status_code == 429
    assert "vorübergehend gesperrt" in response.content.decode()


def test_coordinator_edits_the_imprint_and_everybody_sees_it(portal, client_for):
    client = client_for(portal.coordinator)
    response = client.post(
        "/seiten/impressum/bearbeiten/",
        {"title": "Impressum", "body": "Kreisverwaltung\n\n<script>alert(1)</script>"},
    )
    assert response.status_code == 302
    page = client_for(None, portal.a).get("/impressum/").content.decode()
    assert "Kreisverwaltung" in page
    assert "&lt;script&gt;" in page
    assert "<script>alert" not in page


def test_accessibility_statement_names_a_feedback_contact(portal, client_for):
    page = client_for(None).get("/barrierefreiheit/").content.decode()
    assert "Erklärung zur Barrierefreiheit" in page
    assert "mailto:" in page


def test_unknown_page_gets_the_german_404(portal, client_for):
    response = client_for(portal.officer_a, portal.a).get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()
