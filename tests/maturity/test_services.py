from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from maturity import selectors, services
from maturity.models import Campaign, Dimension, ModelVersion, Participation, Question
from maturity.municipal.models import Answer, AnswerChange, Assessment
from maturity.services import AnswerInput
from tests.conftest import Portal
from tests.maturity.factories import (
    answer_all,
    load_real_model,
    load_small_model,
    make_campaign,
    qid,
    small_model_data,
    small_model_def,
)

pytestmark = pytest.mark.django_db


def save(portal: Portal, campaign: Campaign, key: str, version: int, level: int | None, **kw):
    return services.answer_save(
        campaign_id=campaign.pk,
        municipality=kw.pop("municipality", portal.a),
        user=kw.pop("user", portal.officer_a),
        data=AnswerInput(qid(campaign, key), level, kw.pop("target", None), **kw),
        version=version,
    )


def test_load_command_is_idempotent_for_the_same_version(portal: Portal, tmp_path):
    call_command("load_maturity_model")
    counts = (ModelVersion.objects.count(), Question.objects.count())
    call_command("load_maturity_model")
    assert (ModelVersion.objects.count(), Question.objects.count()) == counts
    version = ModelVersion.objects.get(key="izd-kommunal", version="2026.1")
    assert version.dimensions.count() == 9
    assert Question.objects.filter(dimension__model_version=version).count() == 58


def test_a_new_version_creates_new_rows_and_leaves_old_campaigns_alone(portal: Portal):
    old = load_small_model(key="versioned", version="1")
    campaign = make_campaign(old, [portal.a])
    answer_all(campaign, portal.a, 2)
    before = Participation.objects.get(campaign=campaign).dimension_scores
    data = small_model_data(key="versioned", version="2")
    data["dimensions"][0]["questions"][0]["weight"] = 5
    new, created = services.model_version_load(definition=services_parse(data))
    assert created and new.pk != old.pk
    assert Dimension.objects.filter(model_version=old).count() == 2
    assert selectors.model_structure(old.pk).questions[0].weight == Decimal("1.00")
    assert Campaign.objects.get(pk=campaign.pk).model_version_id == old.pk
    assert Participation.objects.get(campaign=campaign).dimension_scores == before


def services_parse(data):
    from maturity.loader import parse_model

    return parse_model(data)


def test_same_version_with_other_content_is_refused(portal: Portal):
    load_small_model(key="frozen", version="1")
    data = small_model_data(key="frozen", version="1")
    data["title"] = "Anders"
    with pytest.raises(services.MaturityError, match="Versionsnummer"):
        services.model_version_load(definition=services_parse(data))


def test_broken_model_file_names_the_place_in_german():
    data = small_model_data()
    del data["dimensions"][1]["questions"][0]["levels"][3]
    with pytest.raises(services.ModelFileError, match=r"Frage 1 „b1“.*Stufen 0–4"):
        services_parse(data)


def test_saving_an_answer_projects_scores_into_the_read_model(portal: Portal, in_tenant):
    campaign = make_campaign(load_small_model(), [portal.a])
    save(portal, campaign, "a1", 0, 4, target=4)
    participation = Participation.objects.get(campaign=campaign, municipality=portal.a)
    assert participation.status == Participation.Status.STARTED
    assert participation.dimension_scores == {"a": "100.0", "b": None}
    assert participation.overall_index == Decimal("100.0")
    assert participation.answered_count == 1 and participation.question_count == 3
    with in_tenant(portal.a):
        answer = Answer.objects.get(question_id=qid(campaign, "a1"))
        assert answer.version == 1 and answer.updated_by_id == portal.officer_a.pk


def test_every_change_is_kept_with_who_and_old_and_new_values(portal: Portal, in_tenant):
    campaign = make_campaign(load_small_model(), [portal.a])
    save(portal, campaign, "a1", 0, 1)
    save(portal, campaign, "a1", 1, 3, comment="Neu bewertet")
    with in_tenant(portal.a):
        answer = Answer.objects.get(question_id=qid(campaign, "a1"))
        changes = list(AnswerChange.objects.filter(answer=answer).order_by("pk"))
    assert answer.version == 2
    assert [c.changed_by_id for c in changes] == [portal.officer_a.pk] * 2
    assert changes[0].old == {} and changes[0].new["current_level"] == 1
    assert changes[1].old["current_level"] == 1
    assert changes[1].new["current_level"] == 3 and changes[1].new["comment"] == "Neu bewertet"


def test_lost_update_is_refused_and_the_second_person_gets_the_first_ones_value(
    portal: Portal, in_tenant
):
    campaign = make_campaign(load_small_model(), [portal.a])
    save(portal, campaign, "a1", 0, 1)
    # Both loaded version 1; the first saves, the second still holds version 1.
    save(portal, campaign, "a1", 1, 3)
    with pytest.raises(services.AnswerConflict) as conflict:
        save(portal, campaign, "a1", 1, 0, user=portal.officer_a)
    assert conflict.value.current.current_level == 3
    assert conflict.value.current.version == 2
    with in_tenant(portal.a):
        assert Answer.objects.get(question_id=qid(campaign, "a1")).current_level == 3
    # Taking "mine" resubmits with the current version and wins.
    save(portal, campaign, "a1", 2, 0)
    with in_tenant(portal.a):
        assert Answer.objects.get(question_id=qid(campaign, "a1")).current_level == 0


def test_two_people_creating_the_same_new_answer_conflict(portal: Portal):
    campaign = make_campaign(load_small_model(), [portal.a])
    save(portal, campaign, "a1", 0, 2)
    with pytest.raises(services.AnswerConflict):
        save(portal, campaign, "a1", 0, 4)


@pytest.mark.parametrize(
    ("key", "level", "target", "kw", "message"),
    [
        ("a1", 5, None, {}, "zwischen 0 und 4"),
        ("a1", 3, 1, {}, "Soll-Stufe darf nicht unter"),
        ("a1", None, None, {"not_relevant": True}, "nicht relevant"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(
    portal: Portal, in_tenant, key, level, target, kw, message
):
    campaign = make_campaign(load_small_model(), [portal.a])
    with pytest.raises(services.MaturityError, match=message):
        save(portal, campaign, key, 0, level, target=target, **kw)
    with in_tenant(portal.a):
        assert (
            not Answer.objects.exists()
            or not Answer.objects.filter(question_id=qid(campaign, key)).exists()
        )
    assert Participation.objects.get(campaign=campaign).status == "not_started"


def test_a_question_of_another_model_is_unknown(portal: Portal):
    campaign = make_campaign(load_small_model(), [portal.a])
    other = make_campaign(load_small_model(), [portal.a])
    with pytest.raises(services.NotFound, match="gehört nicht zum Modell"):
        services.answer_save(
            campaign_id=campaign.pk,
            municipality=portal.a,
            user=portal.officer_a,
            data=AnswerInput(qid(other, "a1"), 1, None),
            version=0,
        )


def test_submit_needs_every_question_answered(portal: Portal):
    campaign = make_campaign(load_small_model(), [portal.a])
    save(portal, campaign, "a1", 0, 1)
    with pytest.raises(services.MaturityError, match="noch 2 Fragen offen"):
        services.assessment_submit(
            campaign_id=campaign.pk, municipality=portal.a, user=portal.officer_a
        )


def test_submit_locks_and_the_coordinator_reopens(portal: Portal, in_tenant):
    campaign = make_campaign(load_small_model(), [portal.a])
    save(portal, campaign, "a1", 0, 1)
    save(portal, campaign, "a2", 0, None, not_relevant=True)
    save(portal, campaign, "b1", 0, 2)
    services.assessment_submit(
        campaign_id=campaign.pk, municipality=portal.a, user=portal.officer_a
    )
    participation = Participation.objects.get(campaign=campaign)
    assert participation.status == Participation.Status.SUBMITTED
    assert participation.submitted_at is not None
    with pytest.raises(services.Locked, match="gesperrt"):
        save(portal, campaign, "a1", 1, 4)
    # The coordinator works from the Kreis domain: the public schema.
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    services.assessment_reopen(campaign=campaign, municipality=portal.a)
    assert connection.schema_name == "public"  # type: ignore[attr-defined]
    assert Participation.objects.get(campaign=campaign).status == Participation.Status.STARTED
    save(portal, campaign, "a1", 1, 4)
    with in_tenant(portal.a):
        assessment = Assessment.objects.get(campaign_id=campaign.pk)
        assert assessment.status == Assessment.Status.IN_PROGRESS
        assert assessment.reopened_at is not None


def test_closed_campaign_refuses_answers(portal: Portal):
    campaign = make_campaign(load_small_model(), [portal.a])
    services.campaign_close(campaign=campaign)
    with pytest.raises(services.Locked, match="abgeschlossen"):
        save(portal, campaign, "a1", 0, 1)


def test_municipality_outside_the_campaign_cannot_answer(portal: Portal):
    campaign = make_campaign(load_small_model(), [portal.a])
    with pytest.raises(services.NotFound, match="nimmt an dieser Erhebung nicht teil"):
        save(portal, campaign, "a1", 0, 1, municipality=portal.b, user=portal.officer_b)


def test_reminders_go_to_digital_officers_of_municipalities_without_submission(
    portal: Portal, django_capture_on_commit_callbacks
):
    campaign = make_campaign(load_small_model(), [portal.a, portal.b])
    for key in ("a1", "a2", "b1"):
        save(portal, campaign, key, 0, 2, municipality=portal.b, user=portal.officer_b)
    services.assessment_submit(
        campaign_id=campaign.pk, municipality=portal.b, user=portal.officer_b
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.campaign_remind(campaign=campaign)
    assert (sent.municipalities, sent.emails, sent.without_officer) == (1, 1, ())
    assert [m.to for m in mail.outbox] == [[portal.officer_a.email]]
    assert campaign.name in mail.outbox[0].subject
    assert "Testhausen" in mail.outbox[0].body
    assert f"/reifegrad/{campaign.pk}/" in mail.outbox[0].body
    assert Participation.objects.get(campaign=campaign, municipality=portal.a).reminded_at


def test_campaign_needs_a_valid_period_and_participants(portal: Portal):
    version = load_small_model()
    with pytest.raises(ValidationError):
        services.campaign_create(
            name="Falsch",
            start_date=Campaign._meta.get_field("start_date").to_python("2026-05-01"),
            end_date=Campaign._meta.get_field("end_date").to_python("2026-04-01"),
            model_version=version,
            municipalities=[portal.a],
        )
    with pytest.raises(services.MaturityError, match="mindestens eine"):
        make_campaign(version, [])


def test_demo_data_load_is_idempotent(portal: Portal):
    from maturity.demo import maturity_demo_load

    load_real_model()
    message = maturity_demo_load()
    assert "geladen" in message
    assert maturity_demo_load() == "Reifegrad-Demodaten sind schon vorhanden."
    campaign = Campaign.objects.get(name="Erhebung 2026")
    statuses = set(Participation.objects.filter(campaign=campaign).values_list("status", flat=True))
    assert {"submitted", "started"} <= statuses


def test_small_model_definition_has_expected_shape():
    definition = small_model_def()
    assert [d.key for d in definition.dimensions] == ["a", "b"]
    assert definition.dimensions[0].questions[1].allow_not_relevant


def test_structure_lookups_answer_from_the_cached_structure_of_each_version(portal: Portal):
    old, new = load_small_model(), load_small_model()
    structure = selectors.model_structure(old.pk)
    assert selectors.model_structure(old.pk) is structure  # one structure per version
    assert selectors.model_structure(new.pk) is not structure
    a1, a2, b1 = structure.questions
    assert structure.question(a2.id) is a2 and structure.question(-1) is None
    assert structure.dimension_of(b1.id) is structure.dimension("b")
    assert structure.dimension("x") is None
    # Another version's question is unknown here, although its key is the same.
    other = selectors.model_structure(new.pk).questions[0]
    assert other.key == a1.key and structure.question(other.id) is None
