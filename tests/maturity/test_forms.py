"""The autosave's form: parsing only, with fields shared by its instances."""

from __future__ import annotations

import pytest

from maturity.forms import AnswerForm


def test_answer_forms_share_their_fields_and_the_fields_cannot_be_replaced():
    first, second = AnswerForm({}), AnswerForm({})
    assert first.fields is second.fields is AnswerForm.base_fields
    with pytest.raises(TypeError):
        first.fields["comment"] = AnswerForm.base_fields["evidence_url"]
    with pytest.raises(TypeError):
        del first.fields["comment"]


def test_answer_forms_with_shared_fields_keep_their_own_data_and_errors():
    wrong = AnswerForm({"question": "x", "version": "0", "current_level": "7"})
    right = AnswerForm({"question": "3", "version": "2", "current_level": "1",
                        "evidence_url": " https://example.org/nachweis "})  # fmt: skip
    assert not wrong.is_valid() and right.is_valid()
    assert "Unbekannte Frage." in wrong.error_text()
    assert "Die Ist-Stufe muss zwischen 0 und 4 liegen." in wrong.error_text()
    assert right.errors == {}
    data = right.to_input()
    assert (data.question_id, data.current_level, data.target_level) == (3, 1, None)
    assert data.evidence_url == "https://example.org/nachweis"
    assert not AnswerForm({"question": "3", "version": "0", "evidence_url": "ftp://x"}).is_valid()
