from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from roadmap.papers import placeholders


def test_known_placeholders_are_replaced_by_plain_values():
    text = "[[kommune]] zahlt [[ anteil_jahr ]] im Jahr [[jahr]]."
    values = {"kommune": "Stadt Talbrücken", "anteil_jahr": "21.695,55 €", "jahr": "2024"}
    assert (
        placeholders.substitute(text, values) == "Stadt Talbrücken zahlt 21.695,55 € im Jahr 2024."
    )


def test_unknown_placeholder_is_a_german_validation_error_naming_it():
    with pytest.raises(ValidationError) as caught:
        placeholders.validate("Betrag [[anteil_jahr]] und [[geheim]] und [[Kommune]]")
    message = " ".join(caught.value.messages)
    assert "Unbekannte Platzhalter [[geheim]], [[Kommune]]" in message
    assert "[[anteil_jahr]]" in message  # the allowed list is named


def test_values_and_template_syntax_are_never_executed():
    text = "{{ settings.SECRET_KEY }} {% now 'Y' %} <b>[[kommune]]</b>"
    result = placeholders.substitute(text, {"kommune": "{{ kommune }} [[jahr]] <i>"})
    # the value is inserted as it is and not substituted again; the rest stays as written
    assert result == "{{ settings.SECRET_KEY }} {% now 'Y' %} <b>{{ kommune }} [[jahr]] <i></b>"


def test_a_known_placeholder_without_value_is_reported():
    with pytest.raises(placeholders.MissingValue) as caught:
        placeholders.substitute("ab [[folgejahr]]: [[anteil_folgejahre]]", {"folgejahr": "2025"})
    assert caught.value.args[0] == "anteil_folgejahre"


def test_fixed_list_documents_every_name_with_description_and_example():
    assert {
        "kommune",
        "jahr",
        "anteil_jahr",
        "anteil_folgejahre",
        "nachbelastung_vorjahr",
        "haushaltsstelle",
        "nettokosten",
        "drucksache",
    } <= placeholders.NAMES
    assert all(p.description and p.example for p in placeholders.PLACEHOLDERS)
    assert placeholders.used("[[a]] [[b]] [[a]]") == ["a", "b"]
