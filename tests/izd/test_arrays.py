"""An array literal reaches PostgreSQL as the list it was made from (izd.arrays)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from izd.arrays import array_literal
from izd.models import Document

pytestmark = pytest.mark.django_db

AWKWARD_TEXTS = [
    "Büdingen",
    'Gemeinde "Am Berg"',
    "C:\\Pfad\\zur\\Datei",
    '\\"',
    "a,b",
    "{}",
    "}{",
    "",
    " Leerzeichen ",
    "NULL",
    "null",
    "Zeile 1\nZeile 2\t(Tab)",
    "O'Brien; DROP TABLE x; --",
    "€ ✓ 𝄞",
]


def round_trip(values: list[Any], cast: str) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{cast}[]", [array_literal(values)])
        (result,) = cursor.fetchone()
    return list(result)


def test_texts_with_quotes_backslashes_commas_and_braces_arrive_unchanged():
    assert round_trip([*AWKWARD_TEXTS, None], "text") == [*AWKWARD_TEXTS, None]


def test_the_text_null_stays_a_text_and_none_becomes_null():
    assert round_trip(["NULL", None, "null"], "text") == ["NULL", None, "null"]


def test_integers_booleans_dates_times_and_uuids_keep_their_values():
    moment = datetime(2026, 11, 28, 19, 30, 15, 123456, tzinfo=UTC)
    key = uuid.uuid4()
    assert round_trip([0, -7, 2**62, None], "bigint") == [0, -7, 2**62, None]
    assert round_trip([True, False, None], "boolean") == [True, False, None]
    assert round_trip([date(2026, 12, 31), None], "date") == [date(2026, 12, 31), None]
    assert round_trip([moment], "timestamptz") == [moment]
    assert round_trip([key], "uuid") == [key]


def test_choices_are_written_as_their_values():
    assert round_trip([Document.Status.DONE, Document.Status.PENDING], "text") == [
        "done",
        "pending",
    ]


def test_dictionaries_arrive_as_the_same_json():
    params = [{"paper_id": 7, "titel": 'Vorlage "Digitalisierung" \\ 2027'}, {}]
    # Django's cursor hands jsonb over as text (its JSONField parses it)
    assert [json.loads(text) for text in round_trip(params, "jsonb")] == params


def test_values_it_cannot_write_exactly_are_refused():
    for value in (Decimal("1.10"), 1.5, b"bytes"):
        with pytest.raises(TypeError):
            array_literal([value])  # type: ignore[list-item]  # wrong on purpose
