"""The trail names things as a municipality's staff know them: a maturity answer by the question's
number and words, a usage by its description; internal keys only in a title attribute."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from costsharing.services import usage_record
from izd.audit.models import AuditEntry
from maturity.services import AnswerInput, answer_save
from tests.conftest import Portal
from tests.maturity.factories import load_real_model, make_campaign, qid

pytestmark = pytest.mark.django_db

KEY = "strategie-verantwortung"  # question 1.2 of the shipped model
WORDS = "Frage 1.2 „Ist eine Person oder Stelle ausdrücklich für die Steuerung …“"


def _visible(page: str) -> str:
    """The page's text as a person reads it: without tags and their attributes."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_an_answer_is_named_by_its_number_and_words_and_its_levels_by_name(portal: Portal):
    campaign = make_campaign(load_real_model(), [portal.a])
    answer_save(
        campaign_id=campaign.pk, municipality=portal.a, user=portal.officer_a,
        data=AnswerInput(qid(campaign, KEY), 1, 3, comment="Stelle ist ausgeschrieben"),
        version=0,
    )  # fmt: skip
    entry = AuditEntry.objects.filter(action="answer_save").latest("id")
    assert entry.summary == f"Antwort gespeichert: {WORDS}"
    rows = {row["field"]: row for row in entry.changes}
    assert rows[f"{WORDS}: Ist-Stufe"]["after"] == "1 – initial"
    assert rows[f"{WORDS}: Soll-Stufe"]["after"] == "3 – etabliert"
    assert rows[f"{WORDS}: Kommentar"]["after"] == "Stelle ist ausgeschrieben"
    assert {row["key"] for row in entry.changes} == {KEY}
    assert KEY not in entry.summary


def test_the_trail_shows_the_question_and_keeps_its_key_in_the_title(portal: Portal, client_for):
    campaign = make_campaign(load_real_model(), [portal.a])
    answer_save(
        campaign_id=campaign.pk, municipality=portal.a, user=portal.officer_a,
        data=AnswerInput(qid(campaign, KEY), 2, 4), version=0,
    )  # fmt: skip
    page = client_for(portal.officer_a, portal.a).get("/protokoll/?bereich=assessment")
    content = page.content.decode()
    assert f'title="{KEY}"' in content
    text = _visible(content)
    assert f"{WORDS}: Ist-Stufe" in " ".join(text.split())
    assert KEY not in text


def test_a_usage_is_described_in_words_and_its_reference_kept_as_the_sources_key(
    portal: Portal, client_for
):
    reference = "roadmap-request:00000000-0000-0000-0000-0000000beef1"
    record = usage_record(
        municipality_id=portal.a.pk, year=2031, units=Decimal("4"), reference=reference,
        note="Leistungsanfrage „E-Akte“ erledigt",
    )  # fmt: skip
    entry = AuditEntry.objects.filter(action="usage_record", object_id=str(record.pk)).get()
    assert (
        entry.summary
        == f"Nutzung erfasst: {portal.a.name} 2031 – Leistungsanfrage „E-Akte“ erledigt"
    )
    assert all(reference not in row["before"] + row["after"] for row in entry.changes)
    source = next(row for row in entry.changes if row["field"] == "Quelle")
    assert source["after"] == "abgeschlossene Leistungsanfrage"
    assert source["key"] == reference

    for client, path in (
        (client_for(portal.coordinator), f"/protokoll/?kommune={portal.a.pk}&bereich=money"),
        (client_for(portal.centre_treasurer), "/kosten/2031/nutzung/"),  # the usage list
    ):
        content = client.get(path).content.decode()
        assert f'title="{reference}"' in content, path
        assert reference not in _visible(content), path
        assert "Leistungsanfrage „E-Akte“ erledigt" in _visible(content), path


def test_the_trail_shows_a_persons_name_with_the_address_as_its_title(portal: Portal, client_for):
    from django.db import transaction

    from izd.audit import recording
    from tenants.services import user_create
    from tests.conftest import PASSWORD

    person = user_create(
        email="erika.muster@trail.example", password=PASSWORD, first_name="Erika",
        last_name="Muster",
    )  # fmt: skip
    with transaction.atomic():
        recording.record(
            action="probe", kind=recording.Kind.MONEY, summary="Probe mit Namen",
            object_type="test.probe", object_id="1", municipality=None, actor=person,
        )  # fmt: skip
    content = client_for(portal.coordinator).get("/protokoll/?person=erika.muster").content
    page = content.decode()
    assert '<td class="audit-person" title="erika.muster@trail.example">Erika Muster</td>' in page
    assert "erika.muster@trail.example" not in _visible(page)
