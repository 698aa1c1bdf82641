"""The data migration turns each consultation's committee text into its municipality's
committee (one per name) and its meeting date into a meeting."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from roadmap.papers.models import Committee, Consultation, Meeting
from tests.conftest import Portal
from tests.papers.factories import paper_template

pytestmark = pytest.mark.django_db

BEFORE = ("roadmap_papers", "0002_committees_meetings")
AFTER = ("roadmap_papers", "0004_consultation_committee_required")


def _migrate(target: tuple[str, str]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor


def test_committee_texts_become_one_committee_per_municipality_and_name(portal: Portal):
    template = paper_template()
    # deferred foreign keys would block the ALTER TABLEs inside the test's transaction
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldPaper = old.get_model("roadmap_papers", "Paper")
    OldConsultation = old.get_model("roadmap_papers", "Consultation")
    rows = []
    for town, year in ((portal.a, 2041), (portal.a, 2042), (portal.b, 2041)):
        paper = OldPaper.objects.create(
            template_id=template.pk,
            municipality_id=town.pk,
            year=year,
            reference=f"M-{year}",
            date=date(year - 1, 11, 1),
        )
        for position, (name, day) in enumerate(
            (("Haupt- und  Finanzausschuss ", date(year - 1, 11, 28)), ("Gemeindevertretung", None))
        ):
            rows.append(
                OldConsultation.objects.create(
                    paper=paper,
                    position=position,
                    committee_name=name,
                    meeting_date=day,
                    role="vorberatend" if position == 0 else "beschliessend",
                ).pk
            )
    _migrate(AFTER)
    consultations = list(Consultation.objects.filter(pk__in=rows).select_related("committee"))
    assert len(consultations) == 6
    names = {(c.committee.municipality_id, c.committee.name) for c in consultations}
    assert names == {
        (portal.a.pk, "Haupt- und Finanzausschuss"),
        (portal.a.pk, "Gemeindevertretung"),
        (portal.b.pk, "Haupt- und Finanzausschuss"),
        (portal.b.pk, "Gemeindevertretung"),
    }
    assert Committee.objects.filter(consultations__pk__in=rows).distinct().count() == 4
    finance_a = Committee.objects.get(municipality=portal.a, name="Haupt- und Finanzausschuss")
    assert sorted(m.date for m in Meeting.objects.filter(committee=finance_a)) == [
        date(2040, 11, 28),
        date(2041, 11, 28),
    ]
    assert all((c.meeting is None) == (c.meeting_date is None) for c in consultations)
