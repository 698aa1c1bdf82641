from __future__ import annotations

import pytest
from django.test import override_settings

from maturity import services
from maturity.models import Participation
from maturity.municipal.models import Answer
from maturity.services import AnswerInput
from tests.conftest import Portal
from tests.maturity.factories import (
    answer_all,
    load_small_model,
    make_campaign,
    qid,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def campaign(portal: Portal):
    return make_campaign(load_small_model(), [portal.a, portal.b])


def post_answer(client, campaign, question_id, version=0, **fields):
    data = {"question": question_id, "version": version, **fields}
    return client.post(f"/reifegrad/{campaign.pk}/antwort/", data, **fields.pop("headers", {}))


def test_dimension_page_shows_questions_with_level_descriptors(
    portal: Portal, client_for, campaign
):
    response = client_for(portal.officer_a, portal.a).get(f"/reifegrad/{campaign.pk}/a/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Frage a1?" in body and "a1 auf Stufe 3" in body
    assert 'data-hx-trigger="change"' in body
    assert "0 von 2</strong> Fragen beantwortet" in body


def test_autosave_with_htmx_answers_gespeichert_and_updates_progress(
    portal: Portal, client_for, campaign, in_tenant
):
    client = client_for(portal.officer_a, portal.a)
    response = client.post(
        f"/reifegrad/{campaign.pk}/antwort/",
        {"question": qid(campaign, "a1"), "version": 0, "current_level": "2", "target_level": "3"},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "gespeichert" in body
    assert 'data-hx-swap-oob="true"' in body and 'name="version" value="1"' in body
    assert "1 von 2</strong> Fragen beantwortet" in body
    with in_tenant(portal.a):
        assert Answer.objects.get(question_id=qid(campaign, "a1")).current_level == 2


def test_without_javascript_the_form_posts_and_redirects_back(portal: Portal, client_for, campaign):
    client = client_for(portal.officer_a, portal.a)
    question = qid(campaign, "b1")
    response = client.post(
        f"/reifegrad/{campaign.pk}/antwort/",
        {"question": question, "version": 0, "current_level": "1", "comment": "Erste Schritte"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/reifegrad/{campaign.pk}/b/#frage-{question}"
    page = client.get(response["Location"]).content.decode()
    assert "Erste Schritte" in page and "Ihre Antwort wurde gespeichert." in page


def test_conflict_returns_409_with_the_other_persons_value_and_a_choice(
    portal: Portal, client_for, campaign, in_tenant
):
    question = qid(campaign, "a1")
    services.answer_save(
        campaign_id=campaign.pk, municipality=portal.a, user=portal.officer_a,
        data=AnswerInput(question, 4, 4, comment="Von Kollegin"), version=0,
    )  # fmt: skip
    client = client_for(portal.officer_a, portal.a)
    response = client.post(
        f"/reifegrad/{campaign.pk}/antwort/",
        {"question": question, "version": 0, "current_level": "1"},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "hat diese Antwort inzwischen geändert" in body
    assert "4 – optimiert" in body and "Von Kollegin" in body
    assert "Meine Eingabe speichern" in body and "Gespeicherten Stand übernehmen" in body
    assert response["HX-Retarget"] == f"#frage-{question}"
    with in_tenant(portal.a):
        assert Answer.objects.get(question_id=question).current_level == 4
    # "Take mine": the resubmit carries the current version.
    response = client.post(
        f"/reifegrad/{campaign.pk}/antwort/",
        {"question": question, "version": 1, "current_level": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"frage-{question}",
    )
    assert response.status_code == 200
    assert "gespeichert" in response.content.decode()
    with in_tenant(portal.a):
        assert Answer.objects.get(question_id=question).current_level == 1


def test_conflict_without_javascript_shows_the_page_with_the_choice(
    portal: Portal, client_for, campaign
):
    question = qid(campaign, "a1")
    services.answer_save(
        campaign_id=campaign.pk, municipality=portal.a, user=portal.officer_a,
        data=AnswerInput(question, 3, None), version=0,
    )  # fmt: skip
    response = client_for(portal.officer_a, portal.a).post(
        f"/reifegrad/{campaign.pk}/antwort/",
        {"question": question, "version": 0, "current_level": "0"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "<html" in body and "Meine Eingabe speichern" in body


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"question": "999999999"}, 404, "gehört nicht zum Modell"),
        ({"current_level": "7"}, 400, "Die Ist-Stufe muss zwischen 0 und 4 liegen."),
        ({"current_level": "-1"}, 400, "Die Ist-Stufe muss zwischen 0 und 4 liegen."),
        ({"comment": "x" * 2001}, 400, "Der Kommentar ist zu lang (höchstens 2.000 Zeichen)."),
        ({"evidence_url": "javascript:alert(1)"}, 400, "mit http:// oder https://"),
        ({"version": "abc"}, 400, "Ungültiger Stand."),
        ({"answer": "00000000-0000-0000-0000-000000000001"}, 400, "gehört nicht zu dieser Frage"),
    ],
)
def test_bad_input_gets_a_german_message_and_4xx_and_changes_nothing(
    portal: Portal, client_for, campaign, in_tenant, fields, status, message
):
    data = {"question": qid(campaign, "a1"), "version": 0, "current_level": "2", **fields}
    for headers in ({}, HTMX):
        response = client_for(portal.officer_a, portal.a).post(
            f"/reifegrad/{campaign.pk}/antwort/", data, **headers
        )
        assert response.status_code == status
        assert message in response.content.decode()
    with in_tenant(portal.a):
        assert (
            not Answer.objects.exists()
            or not Answer.objects.filter(assessment__campaign_id=campaign.pk).exists()
        )
    assert Participation.objects.get(campaign=campaign, municipality=portal.a).answered_count == 0


def test_another_municipalitys_answer_id_is_refused(
    portal: Portal, client_for, campaign, in_tenant
):
    question = qid(campaign, "a1")
    theirs = services.answer_save(
        campaign_id=campaign.pk, municipality=portal.b, user=portal.officer_b,
        data=AnswerInput(question, 4, None), version=0,
    ).answer  # fmt: skip
    client = client_for(portal.officer_a, portal.a)
    response = client.post(
        f"/reifegrad/{campaign.pk}/antwort/",
        {"question": question, "version": 1, "answer": str(theirs.pk), "current_level": "0"},
    )
    assert response.status_code == 400
    assert "gehört nicht zu dieser Frage Ihrer Kommune" in response.content.decode()
    assert client.get(f"/reifegrad/{campaign.pk}/antworten/{theirs.pk}/verlauf/").status_code == 404
    with in_tenant(portal.b):
        assert Answer.objects.get(pk=theirs.pk).current_level == 4


def test_submitted_assessment_is_locked_for_the_form(portal: Portal, client_for, campaign):
    answer_all(campaign, portal.a, 2, submit=True)
    client = client_for(portal.officer_a, portal.a)
    response = client.post(
        f"/reifegrad/{campaign.pk}/antwort/",
        {"question": qid(campaign, "a1"), "version": 1, "current_level": "4"},
    )
    assert response.status_code == 423
    assert "abgegeben und damit gesperrt" in response.content.decode()
    assert "disabled" in client.get(f"/reifegrad/{campaign.pk}/a/").content.decode()


def test_readers_and_treasurers_may_not_save(portal: Portal, client_for, campaign):
    for person in (portal.reader_a, portal.treasurer_a, portal.coordinator):
        response = client_for(person, portal.a).post(
            f"/reifegrad/{campaign.pk}/antwort/",
            {"question": qid(campaign, "a1"), "version": 0, "current_level": "1"},
        )
        assert response.status_code == 403


def test_submit_view_refuses_incomplete_then_locks(portal: Portal, client_for, campaign):
    client = client_for(portal.officer_a, portal.a)
    response = client.post(f"/reifegrad/{campaign.pk}/abgeben/")
    assert response.status_code == 400
    assert "noch 3 Fragen offen" in response.content.decode()
    answer_all(campaign, portal.a, 3)
    asked = client.post(f"/reifegrad/{campaign.pk}/abgeben/")
    assert asked.status_code == 200 and "Verbindlich abgeben" in asked.content.decode()
    assert Participation.objects.get(campaign=campaign, municipality=portal.a).status != "submitted"
    response = client.post(f"/reifegrad/{campaign.pk}/abgeben/", {"bestaetigt": "ja"})
    assert response.status_code == 302
    assert Participation.objects.get(campaign=campaign, municipality=portal.a).status == "submitted"


def test_results_hide_the_median_below_the_threshold_with_a_note(
    portal: Portal, client_for, campaign
):
    answer_all(campaign, portal.a, 1, submit=True)
    answer_all(campaign, portal.b, 4, submit=True)
    with override_settings(BENCHMARK_MIN_SUBMISSIONS=3):
        body = client_for(portal.officer_a, portal.a).get(f"/reifegrad/{campaign.pk}/ergebnis/")
        body = body.content.decode()
    assert "erst gezeigt, wenn mindestens 3 Kommunen" in body and "bisher 2" in body
    assert "Median im Kreis" not in body
    assert "100,0" not in body  # Beispielstadt's values never appear
    assert "<svg" in body and "Werte je Handlungsfeld" in body


def test_results_show_the_median_at_the_threshold(portal: Portal, client_for, campaign):
    answer_all(campaign, portal.a, 1, submit=True)
    answer_all(campaign, portal.b, 4, submit=True)
    with override_settings(BENCHMARK_MIN_SUBMISSIONS=2):
        body = client_for(portal.reader_a, portal.a).get(f"/reifegrad/{campaign.pk}/ergebnis/")
        body = body.content.decode()
    assert "Median im Kreis" in body
    assert "62,5" in body  # median of 25 and 100
    assert "Beispielstadt" not in body


def test_results_show_change_since_previous_campaign_and_gaps_with_measures(
    portal: Portal, client_for
):
    from datetime import date

    version = load_small_model()
    earlier = make_campaign(version, [portal.a], start=date(2025, 3, 1))
    answer_all(earlier, portal.a, 1, submit=True)
    current = make_campaign(version, [portal.a], start=date(2026, 3, 1))
    answer_all(current, portal.a, 2)
    body = client_for(portal.officer_a, portal.a).get(f"/reifegrad/{current.pk}/ergebnis/")
    body = body.content.decode()
    assert f"Veränderung seit {earlier.name}" in body
    assert "+25,0" in body
    assert "Maßnahme a2 von 2 nach 3" in body  # biggest weighted gap first
    assert "Vorläufiges Ergebnis" in body


def test_history_lists_changes_with_person(portal: Portal, client_for, campaign):
    question = qid(campaign, "a1")
    answer = services.answer_save(
        campaign_id=campaign.pk, municipality=portal.a, user=portal.officer_a,
        data=AnswerInput(question, 1, None), version=0,
    ).answer  # fmt: skip
    body = client_for(portal.reader_a, portal.a).get(
        f"/reifegrad/{campaign.pk}/antworten/{answer.pk}/verlauf/"
    )
    assert body.status_code == 200
    assert str(portal.officer_a) in body.content.decode()


def test_municipality_not_in_campaign_gets_404(portal: Portal, client_for):
    campaign = make_campaign(load_small_model(), [portal.a])
    for path in ("", "a/", "ergebnis/"):
        response = client_for(portal.officer_b, portal.b).get(f"/reifegrad/{campaign.pk}/{path}")
        assert response.status_code == 404


def test_home_lists_the_campaigns_of_the_municipality(portal: Portal, client_for, campaign):
    body = client_for(portal.officer_a, portal.a).get("/reifegrad/").content.decode()
    assert campaign.name in body
    assert "Reifegrad" in body


def test_an_autosave_makes_few_queries(portal: Portal, client_for, campaign, in_tenant):
    """Middleware (domain, session, user, roles), participation, then the save itself."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(portal.officer_a, portal.a)
    question = qid(campaign, "a1")
    post_answer(client, campaign, question, 0, current_level="1", headers=HTMX)
    with CaptureQueriesContext(connection) as captured:
        response = post_answer(client, campaign, question, 1, current_level="2", headers=HTMX)
    assert response.status_code == 200 and "gespeichert" in response.content.decode()
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SET search_path", "SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    # 5 of the middleware, 1 participation; the save: 2 locks, update, history entry, and the
    # projection: lock of the read-model row, answers, update.
    assert len(statements) <= 13, "\n".join(statements)


def test_a_save_for_a_campaign_without_the_municipality_is_the_one_error_page(
    portal: Portal, client_for
):
    campaign = make_campaign(load_small_model(), [portal.a])
    client = client_for(portal.officer_b, portal.b)
    page = post_answer(client, campaign, qid(campaign, "a1"), current_level="2")
    assert page.status_code == 404
    body = page.content.decode()
    assert "<html" in body and "Das hat nicht geklappt" in body
    assert "Ihre Kommune nimmt an dieser Erhebung nicht teil." in body
    assert "Es wurde nichts geändert." in body
    partial = post_answer(client, campaign, qid(campaign, "a1"), current_level="2", headers=HTMX)
    assert partial.status_code == 404
    body = partial.content.decode()
    assert "<html" not in body and 'class="error-summary"' in body
    assert "Ihre Kommune nimmt an dieser Erhebung nicht teil." in body


def test_a_refused_save_of_an_unknown_question_is_the_one_error_page(
    portal: Portal, client_for, campaign
):
    client = client_for(portal.officer_a, portal.a)
    response = post_answer(client, campaign, 999_999_999, current_level="2", headers=HTMX)
    assert response.status_code == 404
    body = response.content.decode()
    assert "<html" not in body and 'class="error-summary"' in body
    assert "gehört nicht zum Modell dieser Erhebung" in body


def test_an_answer_past_its_thousandth_change_still_saves(
    portal: Portal, client_for, campaign, in_tenant
):
    # The form carries the version back; printed as "1.234" it would read as a stale version.
    question = qid(campaign, "a1")
    services.answer_save(
        campaign_id=campaign.pk, municipality=portal.a, user=portal.officer_a,
        data=AnswerInput(question, 2, 3), version=0,
    )  # fmt: skip
    with in_tenant(portal.a):
        Answer.objects.filter(question_id=question).update(version=1234)
    client = client_for(portal.officer_a, portal.a)
    page = client.get(f"/reifegrad/{campaign.pk}/a/").content.decode()
    assert 'name="version" value="1234"' in page
    response = client.post(
        f"/reifegrad/{campaign.pk}/antwort/",
        {"question": question, "version": 1234, "current_level": "3", "target_level": "4"},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'name="version" value="1235"' in response.content.decode()
