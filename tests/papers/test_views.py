"""Pages of the decision papers: the Kreis' editor, preview and batch, the municipality's
list, download and decision; bad input gets a German message and a 4xx."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from izd.models import Document
from roadmap.papers import services
from roadmap.papers.models import Paper, PaperTemplate
from tests.conftest import Portal
from tests.papers.factories import (
    finished_document,
    paper_for,
    paper_template,
    paper_without_figures,
    simple_year,
)

pytestmark = pytest.mark.django_db


def test_kreis_pages_refuse_municipal_staff(portal: Portal, client_for):
    client = client_for(portal.officer_a)
    assert client.get("/beschlussvorlagen/").status_code == 403
    assert client.get("/beschlussvorlagen/jahr/2030/beschluesse/").status_code == 403


def test_coordinator_creates_template_and_sees_the_placeholder_list(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    page = client.get("/beschlussvorlagen/vorlagen/neu/").content.decode()
    assert "[[anteil_folgejahre]]" in page and "[[nachbelastung_vorjahr]]" in page
    response = client.post(
        "/beschlussvorlagen/vorlagen/neu/",
        {"name": "IKZ", "subject": "IKZ [[kommune]]", "facts": "Anteil [[anteil_jahr]]",
         "resolution": "Zustimmung", "attachments": "", "office": "", "file_reference": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert PaperTemplate.objects.filter(name="IKZ").exists()


def test_unknown_placeholder_in_the_editor_is_a_400_naming_it(portal: Portal, client_for):
    response = client_for(portal.coordinator).post(
        "/beschlussvorlagen/vorlagen/neu/",
        {"name": "Falsch", "subject": "x", "facts": "Es kostet [[betrag]].", "resolution": "x"},
    )
    assert response.status_code == 400
    assert "Unbekannter Platzhalter [[betrag]]" in response.content.decode()
    assert not PaperTemplate.objects.filter(name="Falsch").exists()


def _generate(client: Client, template: PaperTemplate, committees: str, **extra: str):
    """Ask for the year 2030's papers, dated 1 November 2029."""
    form = {"template": template.pk, "year": 2030, "paper_date": "2029-11-01"}
    return client.post("/beschlussvorlagen/erzeugen/", {**form, "committees": committees, **extra})


def test_generate_creates_papers_for_all_members(portal: Portal, client_for):
    simple_year(2030, (portal.a, portal.b))
    template = paper_template()
    response = _generate(
        client_for(portal.coordinator),
        template,
        "Magistrat | vorberatend\nStadtverordnetenversammlung | beschließend",
        is_public="on",
    )
    assert response.status_code == 302
    papers = Paper.objects.filter(year=2030)
    assert {p.municipality for p in papers} >= {portal.a, portal.b}
    assert all(p.consultations.count() == 2 for p in papers)


def test_generate_without_deciding_committee_is_refused(portal: Portal, client_for):
    simple_year(2030, (portal.a,))
    template = paper_template()
    response = _generate(client_for(portal.coordinator), template, "Magistrat | vorberatend")
    assert response.status_code == 400
    assert "genau ein Gremium beschließend" in response.content.decode()
    assert not Paper.objects.filter(year=2030).exists()


def test_beratungsfolge_without_date_is_a_400(portal: Portal, client_for):
    simple_year(2030, (portal.a,))
    paper = paper_for(portal.a, 2030, paper_template())
    response = client_for(portal.coordinator).post(
        f"/beschlussvorlagen/{paper.pk}/beratungsfolge/",
        {
            "committees": "Magistrat | vorberatend\n"
            "Stadtverordnetenversammlung | beschließend | 07.12.2029"
        },
    )
    assert response.status_code == 400
    assert "Für das Gremium „Magistrat“ fehlt das Sitzungsdatum." in response.content.decode()
    assert paper.consultations.count() == 3  # unchanged


def test_override_for_one_municipality_is_saved_and_previewed(portal: Portal, client_for):
    simple_year(2030, (portal.a,))
    simple_year(2031, ())
    paper = paper_for(
        portal.a, 2030, paper_template(facts="Vorlagetext [[kommune]]", resolution="Ja.")
    )
    client = client_for(portal.coordinator)
    response = client.post(
        f"/beschlussvorlagen/{paper.pk}/",
        {
            "reference": paper.reference,
            "date": "2029-11-01",
            "is_public": "on",
            "office": "Amt 10",
            "file_reference": "AZ 1",
            "budget_line": "1.11.01",
            "funds_budgeted": "on",
            "subject_override": "",
            "facts_override": "Eigener Sachverhalt für [[kommune]]",
            "resolution_override": "",
        },
    )
    assert response.status_code == 302
    preview = client.get(f"/beschlussvorlagen/{paper.pk}/vorschau/")
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Eigener Sachverhalt für Testhausen" in body and "Vorlagetext" not in body
    assert "1.11.01" in body and "15.000,00 €" not in body  # one member carries 30.000,00 €
    assert "30.000,00 €" in body


def test_preview_without_figures_is_a_400_with_german_message(portal: Portal, client_for):
    paper = paper_without_figures(portal.b, 2077, paper_template())
    client = client_for(portal.coordinator)
    response = client.get(f"/beschlussvorlagen/{paper.pk}/vorschau/")
    assert response.status_code == 400
    assert "Für Beispielstadt liegen für 2077 keine Zahlen vor" in response.content.decode()
    batch = client.post("/beschlussvorlagen/jahr/2077/stapel/")
    assert batch.status_code == 400
    assert not Document.objects.filter(kind=services.KIND, params__paper_id=paper.pk).exists()


def test_unknown_paper_id_is_404_not_500(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    for path in (
        "/beschlussvorlagen/999999/",
        "/beschlussvorlagen/999999/vorschau/",
        "/beschlussvorlagen/999999/oparl.json",
    ):
        assert client.get(path).status_code == 404


def test_municipality_lists_and_downloads_only_its_own_papers(portal: Portal, client_for):
    simple_year(2030, (portal.a, portal.b))
    template = paper_template()
    paper_a = paper_for(portal.a, 2030, template)
    paper_b = paper_for(portal.b, 2030, template)
    finished_document(paper_a, b"%PDF-A")
    finished_document(paper_b, b"%PDF-B")
    client = client_for(portal.reader_a, portal.a)
    page = client.get("/beschlussvorlagen/").content.decode()
    assert paper_a.reference in page and "Beispielstadt" not in page
    download = client.get(f"/beschlussvorlagen/{paper_a.pk}/herunterladen/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-A"
    # another municipality's paper id on A's subdomain
    assert client.get(f"/beschlussvorlagen/{paper_b.pk}/").status_code == 404
    assert client.get(f"/beschlussvorlagen/{paper_b.pk}/herunterladen/").status_code == 404
    # and A's people on B's subdomain are refused by the middleware
    assert client_for(portal.officer_a, portal.b).get("/beschlussvorlagen/").status_code == 403


def test_treasurer_records_the_decision_and_the_kreis_sees_it(portal: Portal, client_for):
    simple_year(2024, (portal.a, portal.b))
    template = paper_template()
    paper_a = paper_for(portal.a, 2024, template)
    finished_document(paper_a)
    paper_for(portal.b, 2024, template)
    url = f"/beschlussvorlagen/{paper_a.pk}/"
    response = client_for(portal.treasurer_a, portal.a).post(
        url, {"decided_on": "2023-12-07", "result": "angenommen", "note": "einstimmig"}
    )
    assert response.status_code == 302
    paper_a.refresh_from_db()
    assert (paper_a.result, paper_a.decided_on) == ("angenommen", date(2023, 12, 7))
    assert paper_a.decision_recorded_by == portal.treasurer_a
    overview = client_for(portal.centre_treasurer).get("/beschlussvorlagen/jahr/2024/beschluesse/")
    body = overview.content.decode()
    assert overview.status_code == 200
    assert "1 von 2 Mitgliedern haben entschieden" in body
    assert "07.12.2023" in body and "offen" in body


def test_decision_needs_officer_or_treasurer_and_valid_input(portal: Portal, client_for):
    simple_year(2024, (portal.a,))
    paper = paper_for(portal.a, 2024, paper_template())
    url = f"/beschlussvorlagen/{paper.pk}/"
    data = {"decided_on": "2023-12-07", "result": "angenommen"}
    assert client_for(portal.reader_a, portal.a).post(url, data).status_code == 403
    assert client_for(portal.coordinator, portal.a).post(url, data).status_code == 403
    bad = client_for(portal.officer_a, portal.a).post(url, {"decided_on": "", "result": "x"})
    assert bad.status_code == 400
    assert "Bitte beschlossen am angeben." in bad.content.decode()
    paper.refresh_from_db()
    assert paper.result == ""


def test_centre_treasurer_reads_but_cannot_generate(portal: Portal, client_for):
    client = client_for(portal.centre_treasurer)
    assert client.get("/beschlussvorlagen/").status_code == 200
    assert client.post("/beschlussvorlagen/erzeugen/", {}).status_code == 403
