"""Legal texts: the notice's legal note, the default legal pages with their markers, and the
reminder on the Kreis start page until every marker is replaced."""

from __future__ import annotations

from functools import partial

import pytest

from costsharing.models import IssuerProfile
from izd.legal_defaults import DEFAULTS, NOTICE_LEGAL_NOTE, default_for, placeholders_in
from izd.models import LegalPage
from izd.services import legal_page_update
from tests.conftest import Portal
from tests.costsharing.factories import SeedTowns, build_seed_towns
from tests.costsharing.test_documents import pdf_text, seed_notice

pytestmark = pytest.mark.django_db


def flat(content: bytes) -> str:
    """The PDF's text with the renderer's automatic hyphenation undone."""
    return " ".join(pdf_text(content).replace("\u2010\n", "").split())


@pytest.fixture(scope="session")
def seed_towns(portal, django_db_blocker) -> SeedTowns:
    """The cost-sharing seed towns (shared with its tests, by AGS)."""
    with django_db_blocker.unblock():
        return build_seed_towns()


def test_the_notice_carries_the_default_legal_note_with_its_markers(seed_towns):
    text = flat(seed_notice(seed_towns))
    assert "Rechtlicher Hinweis" in text
    assert "Grundlage der Kostenbeteiligung" in text
    assert "Hessischen Gesetz über kommunale Gemeinschaftsarbeit (KGG)" in text
    assert "[bitte ergänzen: Datum der Vereinbarung]" in text


def test_the_centre_treasurer_writes_the_legal_note_and_the_notice_shows_it(
    portal: Portal, client_for, seed_towns
):
    seed_notice(seed_towns)  # the issuer exists
    page = client_for(portal.centre_treasurer).get("/kosten/rechnungssteller/")
    assert "Grundlage der Kostenbeteiligung" in page.content.decode()  # the default to adapt
    issuer = IssuerProfile.objects.get()
    fields = {
        name: getattr(issuer, name)
        for name in ("name", "street", "postal_code", "city", "contact_name", "contact_phone",
                     "contact_email", "iban", "bic", "account_holder", "seller_id", "payment_days")
    }  # fmt: skip
    note = (
        "Rechtsbehelfsbelehrung: Gegen diesen Bescheid kann innerhalb eines Monats nach "
        "Bekanntgabe Widerspruch beim Kreisausschuss Musterkreis erhoben werden."
    )
    response = client_for(portal.coordinator).post(
        "/kosten/rechnungssteller/", {**fields, "legal_note": note}
    )
    assert response.status_code == 302
    from costsharing.documents import NOTICE_KIND, build_notice, notice_params
    from izd.models import Document
    from izd.pdf import render_pdf

    document = Document(kind=NOTICE_KIND, params=notice_params(seed_towns.focus.pk, 2024))
    text = flat(render_pdf(build_notice(document)))
    assert "Widerspruch beim Kreisausschuss Musterkreis erhoben werden." in text
    assert "bitte ergänzen" not in text


def test_a_municipal_treasurer_cannot_change_the_legal_note(portal: Portal, client_for):
    response = client_for(portal.treasurer_a, portal.a).get("/kosten/rechnungssteller/")
    assert response.status_code in (403, 404)


def test_every_default_page_is_complete_and_marks_what_the_kreis_fills_in():
    for kind in DEFAULTS:
        _title, body = default_for(kind)
        assert placeholders_in(body), kind
        assert "{kreis}" not in body
    _title, imprint = default_for("impressum")
    for part in ("Medienstaatsvertrag", "Aufsichtsbehörde", "vertreten"):
        assert part in imprint
    _title, privacy = default_for("datenschutz")
    for part in ("Artikel 6 Absatz 1 Buchstabe e", "HDSIG", "Datenschutzbeauftragte",
                 "Hessische Beauftragte für Datenschutz", "Cookies", "Artikel 15"):  # fmt: skip
        assert part in privacy, part
    assert placeholders_in(NOTICE_LEGAL_NOTE)


def test_the_accessibility_statement_names_hessens_enforcement_body(portal: Portal, client_for):
    page = client_for(None).get("/barrierefreiheit/").content.decode()
    assert "HVBIT" in page and "HessBGG" in page
    assert "Durchsetzungs- und Überwachungsstelle für barrierefreie Informationstechnik" in page
    assert "§ 6 HVBIT" in page
    assert "https://lbit.hessen.de/Durchsetzungs-und-Ueberwachungsstelle/" in page
    assert "[bitte prüfen: Postanschrift, Telefon und E-Mail der Durchsetzungsstelle" in page


def test_the_start_page_reminds_the_coordinator_until_no_marker_is_left(portal: Portal, client_for):
    LegalPage.objects.all().delete()
    client = client_for(portal.coordinator)
    page = client.get("/").content.decode()
    assert "Rechtliche Seiten vervollständigen" in page
    for title in ("Impressum", "Datenschutzerklärung", "Erklärung zur Barrierefreiheit"):
        assert title in page
    for kind, (title, _body) in DEFAULTS.items():
        legal_page_update(
            kind=kind,
            title=title,
            body="Kreisverwaltung Musterkreis, Am Markt 1, 63571 Gelnhausen.",
            feedback_email="barrierefrei@musterkreis.example",
            user=portal.coordinator,
        )
    impressum = partial(
        legal_page_update, kind="impressum", title="Impressum", feedback_email="",
        user=portal.coordinator,
    )  # fmt: skip
    impressum(body="Anschrift: [bitte ergänzen: Straße]")
    page = client.get("/").content.decode()
    assert "Rechtliche Seiten vervollständigen" in page
    assert "/seiten/impressum/bearbeiten/" in page
    assert "/seiten/datenschutz/bearbeiten/" not in page
    impressum(body="Anschrift: Am Markt 1")
    assert "Rechtliche Seiten vervollständigen" not in client.get("/").content.decode()


def test_the_reminder_is_for_the_coordinator_only(portal: Portal, client_for):
    LegalPage.objects.all().delete()
    page = client_for(portal.centre_treasurer).get("/").content.decode()
    assert "Rechtliche Seiten vervollständigen" not in page
