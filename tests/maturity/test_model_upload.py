"""Model versions in the browser: upload with per-line German errors, comparison of versions,
and results compared across versions only on the questions both share."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maturity import selectors, versions
from maturity.loader import ModelFileError, parse_model_text
from maturity.models import ModelVersion, Question
from tests.conftest import Portal
from tests.maturity.factories import answer_all, make_campaign

pytestmark = pytest.mark.django_db


def model_yaml(key: str, version: str = "1", **edits: str) -> str:
    """A small model as a file would have it; `edits` replace marked lines."""
    a1_text = edits.get("a1_text", "Gibt es eine Strategie?")
    a1_weight = edits.get("a1_weight", "1")
    a1_level3 = edits.get("a1_level3", '3: "Strategie etabliert"')
    extra_question = edits.get("extra_question", "")
    dim_b_weight = edits.get("dim_b_weight", "1")
    return f"""key: {key}
version: "{version}"
title: "Testmodell"
levels:
  - {{value: 0, label: "nicht begonnen"}}
  - {{value: 1, label: "initial"}}
  - {{value: 2, label: "definiert"}}
  - {{value: 3, label: "etabliert"}}
  - {{value: 4, label: "optimiert"}}
dimensions:
  - key: a
    title: "Feld A"
    weight: 2
    questions:
      - key: a1
        text: "{a1_text}"
        weight: {a1_weight}
        levels:
          0: "keine Strategie"
          1: "Ideen"
          2: "Entwurf"
          {a1_level3}
          4: "Strategie wird gemessen"
        measures: {{0: "m0", 1: "m1", 2: "m2", 3: "m3"}}
{extra_question}  - key: b
    title: "Feld B"
    weight: {dim_b_weight}
    questions:
      - key: b1
        text: "Gibt es E-Akten?"
        levels: {{0: "l0", 1: "l1", 2: "l2", 3: "l3", 4: "l4"}}
        measures: {{0: "m0", 1: "m1", 2: "m2", 3: "m3"}}
"""


def upload(client, text: str):
    return client.post(
        "/reifegrad/modelle/",
        {"datei": SimpleUploadedFile("modell.yaml", text.encode(), "application/x-yaml")},
    )


def key() -> str:
    return f"up-{uuid.uuid4().hex[:8]}"


def test_the_coordinator_uploads_a_model_version(portal: Portal, client_for):
    model_key = key()
    response = upload(client_for(portal.coordinator), model_yaml(model_key))
    assert response.status_code == 302
    version = ModelVersion.objects.get(key=model_key)
    assert [q.key for q in selectors.model_structure(version.pk).questions] == ["a1", "b1"]
    page = client_for(portal.coordinator).get("/reifegrad/modelle/").content.decode()
    assert model_key in page


def test_a_missing_level_text_is_reported_with_its_line_and_nothing_is_stored(
    portal: Portal, client_for
):
    model_key = key()
    response = upload(client_for(portal.coordinator), model_yaml(model_key, a1_level3='3: ""'))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Zeile 22: Handlungsfeld „a“, Frage 1 „a1“" in body
    assert "der Text für Stufe 3 ist leer" in body
    assert "es wurde nichts geladen" in body
    assert not ModelVersion.objects.filter(key=model_key).exists()


def test_a_level_left_out_is_reported(portal: Portal):
    with pytest.raises(ModelFileError) as error:
        parse_model_text(model_yaml(key(), a1_level3=""))
    assert any("Zeile 18:" in m and "Text für Stufe 3 fehlt" in m for m in error.value.problems)


def test_a_duplicate_key_is_refused_with_both_lines(portal: Portal, client_for):
    model_key = key()
    text = model_yaml(model_key, a1_weight="1\n        weight: 3")
    response = upload(client_for(portal.coordinator), text)
    assert response.status_code == 400
    assert "Zeile 18: Schlüssel „weight“ doppelt (zuerst in Zeile 17)." in response.content.decode()
    assert not ModelVersion.objects.filter(key=model_key).exists()


def test_a_weight_of_zero_is_refused_with_its_line(portal: Portal, client_for):
    model_key = key()
    response = upload(client_for(portal.coordinator), model_yaml(model_key, dim_b_weight="0"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Zeile 27: Handlungsfeld „b“: Das Gewicht ist 0; es muss größer als 0" in body
    assert not ModelVersion.objects.filter(key=model_key).exists()


def test_every_problem_is_listed_at_once_including_unknown_fields():
    text = model_yaml(key(), dim_b_weight="0", a1_weight="0\n        gewichtung: 2")
    with pytest.raises(ModelFileError) as error:
        parse_model_text(text)
    messages = error.value.problems
    assert any(m.startswith("Zeile 17:") and "Gewicht ist 0" in m for m in messages)
    assert any(m.startswith("Zeile 18:") and "Unbekanntes Feld „gewichtung“" in m for m in messages)
    assert any(m.startswith("Zeile 28:") and "Gewicht ist 0" in m for m in messages)


def test_bad_structure_and_broken_yaml_get_a_german_line():
    with pytest.raises(ModelFileError, match=r"Zeile 2: Die Datei ist kein gültiges YAML"):
        parse_model_text("key: a\n  version: : x\n")
    with pytest.raises(ModelFileError, match="mindestens ein Handlungsfeld"):
        parse_model_text("key: a\nversion: '1'\ntitle: t\ndimensions: {}\n")


def test_nothing_is_stored_half_when_the_database_refuses_a_row(portal: Portal, client_for):
    model_key = key()
    # A version number already loaded with other content is refused whole.
    upload(client_for(portal.coordinator), model_yaml(model_key))
    before = Question.objects.count()
    response = upload(
        client_for(portal.coordinator), model_yaml(model_key, a1_text="Anders gefragt?")
    )
    assert response.status_code == 400
    assert "Versionsnummer" in response.content.decode()
    assert Question.objects.count() == before


def test_only_the_coordinator_uploads(portal: Portal, client_for):
    model_key = key()
    response = upload(client_for(portal.centre_treasurer), model_yaml(model_key))
    assert response.status_code == 403
    assert upload(client_for(portal.officer_a, portal.a), model_yaml(model_key)).status_code in (
        403,
        404,
    )
    assert not ModelVersion.objects.filter(key=model_key).exists()


def two_versions(**edits: str) -> tuple[ModelVersion, ModelVersion]:
    model_key = key()
    old = parse_model_text(model_yaml(model_key, "1"))
    new = parse_model_text(model_yaml(model_key, "2", **edits))
    from maturity.services import model_version_load

    return model_version_load(definition=old)[0], model_version_load(definition=new)[0]


NEW_QUESTION = """      - key: a2
        text: "Gibt es ein Budget?"
        levels: {0: "l0", 1: "l1", 2: "l2", 3: "l3", 4: "l4"}
        measures: {0: "m0", 1: "m1", 2: "m2", 3: "m3"}
"""


def test_the_comparison_lists_added_changed_and_reweighted_questions(portal: Portal, client_for):
    old, new = two_versions(
        a1_text="Gibt es eine beschlossene Strategie?",
        a1_level3='3: "Strategie verbindlich"',
        a1_weight="2",
        dim_b_weight="3",
        extra_question=NEW_QUESTION,
    )
    comparison = versions.compare(
        selectors.model_structure(old.pk), selectors.model_structure(new.pk)
    )
    assert [q.key for q in comparison.questions_added] == ["a2"]
    assert comparison.questions_removed == ()
    changed = {c.label: (c.old, c.new) for c in comparison.questions_changed[0].changes}
    assert changed["Fragetext"][1] == "Gibt es eine beschlossene Strategie?"
    assert changed["Stufe 3"] == ("Strategie etabliert", "Strategie verbindlich")
    assert changed["Gewicht"] == ("1,00", "2,00")
    assert [c.key for c in comparison.weights_changed] == ["b", "a1"]
    body = client_for(portal.coordinator).get(
        f"/reifegrad/modelle/vergleich/?von={old.pk}&zu={new.pk}"
    )
    text = body.content.decode()
    assert body.status_code == 200
    assert "Neu: Gibt es ein Budget? (a2)" in text
    assert "Feld B (b): 1,00 → 3,00" in text
    assert "Strategie verbindlich" in text


def test_comparison_shows_removed_questions_and_dimensions(portal: Portal):
    old, new = two_versions(extra_question=NEW_QUESTION)
    comparison = versions.compare(
        selectors.model_structure(new.pk), selectors.model_structure(old.pk)
    )
    assert [q.key for q in comparison.questions_removed] == ["a2"]
    assert comparison.shared_question_count == 2


def test_comparison_of_unknown_versions_is_a_german_400_or_404(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    assert client.get("/reifegrad/modelle/vergleich/?von=x&zu=1").status_code == 400
    assert client.get("/reifegrad/modelle/vergleich/?von=999999&zu=999998").status_code == 404


def test_results_across_versions_compare_only_shared_questions_and_say_so(
    portal: Portal, client_for
):
    old, new = two_versions(extra_question=NEW_QUESTION)
    earlier = make_campaign(old, [portal.a], start=date(2025, 3, 1))
    answer_all(earlier, portal.a, 1, submit=True)  # a1 = 1, b1 = 1
    current = make_campaign(new, [portal.a], start=date(2026, 3, 1))
    structure = selectors.model_structure(new.pk)
    from maturity import services

    values = {
        q.id: services.AnswerInput(q.id, 4 if q.key == "a2" else 2, None)
        for q in structure.questions
    }
    services.answers_import(
        campaign_id=current.pk, municipality=portal.a, user=None, values=values, submit=False
    )
    body = client_for(portal.officer_a, portal.a).get(f"/reifegrad/{current.pk}/ergebnis/")
    text = body.content.decode()
    assert "Verglichen wird nur auf den 2 Fragen, die beide Versionen gemeinsam haben" in text
    assert "Modellversion 1" in text and "die Version 2" in text
    # On a1 and b1 alone, every score rose from 25 to 50; a2 at level 4 would have made it more.
    assert f"Veränderung seit {earlier.name}</dt><dd>+25,0 (damals 25,0)" in text


def test_results_on_the_same_version_carry_no_note(portal: Portal, client_for):
    old, _new = two_versions()
    earlier = make_campaign(old, [portal.a], start=date(2025, 3, 1))
    answer_all(earlier, portal.a, 1, submit=True)
    current = make_campaign(old, [portal.a], start=date(2026, 3, 1))
    answer_all(current, portal.a, 2)
    text = client_for(portal.officer_a, portal.a).get(f"/reifegrad/{current.pk}/ergebnis/")
    assert "gemeinsam haben" not in text.content.decode()
