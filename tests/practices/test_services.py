"""Publication workflow with history, adoptions turned into measures and requests, questions,
exchange events with iCalendar entries and reminders, and the demo loader."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from roadmap.models import Measure, RequestSummary
from roadmap.municipal.models import ServiceRequest
from roadmap.practices import selectors, services
from roadmap.practices.models import Adoption, EventRegistration, Practice, PracticeVersion
from roadmap.practices.services import EventInput, PracticeError
from tests.conftest import Portal
from tests.practices.factories import make_practice, practice_input
from tests.roadmap.factories import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(portal: Portal) -> Practice:
    return make_practice(author=portal.officer_a, municipality=portal.a,
                         reviewer=portal.coordinator, title="Rechnungseingang digital",
                         contact_email="autorin@test.example")  # fmt: skip


def test_draft_submit_publish_and_an_update_keeps_the_history(portal):
    practice = make_practice(author=portal.officer_a, municipality=portal.a, state="entwurf")
    with pytest.raises(PracticeError):
        services.practice_review(practice=practice, user=portal.coordinator, approve=True)
    services.practice_submit(practice=practice, user=portal.officer_a)
    with pytest.raises(PracticeError, match="Prüfung"):
        services.practice_update(practice=practice, data=practice_input(), user=portal.officer_a)
    with pytest.raises(PracticeError, match="begründen"):
        services.practice_review(practice=practice, user=portal.coordinator, approve=False)
    services.practice_review(practice=practice, user=portal.coordinator, approve=True)
    practice.refresh_from_db()
    first = practice.published_version
    assert first is not None and first.number == 1
    version = services.practice_update(
        practice=practice, data=practice_input(title="Neue Fassung"), user=portal.officer_a
    )
    assert version.number == 2
    practice.refresh_from_db()
    assert practice.published_version == first  # readers still see version 1
    services.practice_submit(practice=practice, user=portal.officer_a)
    services.practice_review(practice=practice, user=portal.coordinator, approve=True)
    practice.refresh_from_db()
    states = dict(practice.versions.values_list("number", "state"))
    assert states == {1: PracticeVersion.State.SUPERSEDED, 2: PracticeVersion.State.PUBLISHED}
    assert practice.published_version.title == "Neue Fassung"
    viewer = selectors.Viewer(is_centre=True)
    assert selectors.search(viewer, selectors.Filters(text="Fassung")).count() == 1


def test_interest_notifies_the_author_after_commit_and_both_see_contacts(
    portal, published, client_for, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    other = client_for(portal.officer_b, portal.b)
    page = other.get(f"/praxis/{published.pk}/").content.decode()
    assert "autorin@test.example" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = other.post(f"/praxis/{published.pk}/interesse/")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["autorin@test.example"]]
    assert "Beispielstadt" in mail.outbox[0].body
    assert "autorin@test.example" in other.get(f"/praxis/{published.pk}/").content.decode()
    author_page = client_for(portal.officer_a, portal.a).get(f"/praxis/{published.pk}/")
    assert portal.officer_b.email in author_page.content.decode()
    # A second click changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        other.post(f"/praxis/{published.pk}/interesse/")
    assert len(mail.outbox) == 1
    assert Adoption.objects.filter(practice=published).count() == 1


def test_own_practice_cannot_be_adopted(portal, published):
    with pytest.raises(PracticeError):
        services.interest_declare(practice=published, municipality=portal.a, user=portal.officer_a)


def test_adoption_becomes_a_measure_with_the_adopter_taking_part(portal, published):
    adoption = services.interest_declare(
        practice=published, municipality=portal.b, user=portal.officer_b
    )
    measure = services.adoption_to_measure(adoption=adoption, user=portal.officer_b)
    assert list(measure.municipalities.all()) == [portal.b]
    assert measure.title == "Nachnutzung: Rechnungseingang digital"
    adoption.refresh_from_db()
    assert adoption.measure == measure and adoption.status == Adoption.Status.PLANNED
    assert list(Measure.objects.get(pk=measure.pk).practice_adoptions.all()) == [adoption]
    with pytest.raises(PracticeError, match="bereits"):
        services.adoption_to_measure(adoption=adoption, user=portal.officer_b)


def test_adoption_becomes_a_service_request_in_the_adopters_schema(portal, published, in_tenant):
    service = make_service()
    adoption = services.interest_declare(
        practice=published, municipality=portal.b, user=portal.officer_b
    )
    summary = services.adoption_to_request(
        adoption=adoption, user=portal.officer_b, service_id=service.pk,
        wished_date=timezone.localdate() + timedelta(days=30), roles=["digital_officer"],
    )  # fmt: skip
    assert summary.municipality == portal.b
    assert RequestSummary.objects.get(pk=summary.pk).practice_adoptions.get() == adoption
    with in_tenant(portal.b):
        assert ServiceRequest.objects.filter(pk=summary.request_id).exists()
    with in_tenant(portal.a):
        assert not ServiceRequest.objects.filter(pk=summary.request_id).exists()


def test_adoption_of_another_municipality_is_not_reachable(portal, published, client_for):
    adoption = services.interest_declare(
        practice=published, municipality=portal.b, user=portal.officer_b
    )
    client = client_for(portal.officer_a, portal.a)
    assert client.post(f"/praxis/nachnutzung/{adoption.pk}/massnahme/").status_code == 404
    assert client.get(f"/praxis/nachnutzung/{adoption.pk}/").status_code == 404


def test_answer_notifies_the_asker(portal, published, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        question = services.question_ask(
            practice=published, user=portal.officer_b, municipality=portal.b,
            text="Welche Plattform nutzen Sie?",
        )  # fmt: skip
    assert mail.outbox[-1].to == ["autorin@test.example"]
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(question=question, user=portal.officer_a, text="Die des Landes.")
    assert mail.outbox[-1].to == [portal.officer_b.email]
    assert "Die des Landes." in mail.outbox[-1].body


def test_other_municipality_cannot_answer(portal, published, client_for):
    question = services.question_ask(
        practice=published, user=portal.officer_b, municipality=portal.b, text="Frage?"
    )
    response = client_for(portal.officer_b, portal.b).post(
        f"/praxis/{published.pk}/fragen/{question.pk}/antwort/", {"text": "Selbst beantwortet"}
    )
    assert response.status_code == 404


def test_event_registration_calendar_and_reminders_once(
    portal, published, client_for, django_capture_on_commit_callbacks
):
    starts = timezone.now() + timedelta(hours=20)
    event = services.event_save(
        event=None,
        data=EventInput(topic="Austausch E-Rechnung", starts_at=starts, duration_minutes=60,
                        online_url="https://video.example.de/raum",
                        presenter_ids=(portal.a.pk,), practice_ids=(published.pk,)),
        user=portal.coordinator,
    )  # fmt: skip
    client = client_for(portal.officer_b, portal.b)
    assert client.post(f"/praxis/termine/{event.pk}/anmeldung/").status_code == 302
    assert EventRegistration.objects.filter(event=event, user=portal.officer_b).exists()
    ics = client.get(f"/praxis/termine/{event.pk}/kalender.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    entry = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(entry["SUMMARY"]) == "Austausch E-Rechnung"
    assert entry.decoded("DTEND") - entry.decoded("DTSTART") == timedelta(minutes=60)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 0
    assert [m.to for m in mail.outbox] == [[portal.officer_b.email]]
    assert "Erinnerung: Austausch E-Rechnung" in mail.outbox[0].subject


def test_slides_after_an_event_are_attached_to_its_practice(portal, published, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    event = services.event_save(
        event=None,
        data=EventInput(topic="Rückblick", starts_at=timezone.now() - timedelta(days=1),
                        recording_url="https://video.example.de/aufzeichnung",
                        practice_ids=(published.pk,)),
        user=portal.coordinator,
    )  # fmt: skip
    response = client_for(portal.coordinator).post(
        f"/praxis/termine/{event.pk}/material/",
        {"practice": published.pk, "kind": "folien", "title": "Folien",
         "file": SimpleUploadedFile("folien.pdf", b"%PDF-1.7\n%%EOF\n")},
    )  # fmt: skip
    assert response.status_code == 302
    page = client_for(portal.officer_b, portal.b).get(f"/praxis/{published.pk}/").content.decode()
    assert "Folien" in page and "Rückblick" in page
    assert "https://video.example.de/aufzeichnung" in page


def test_centre_matrix_shows_adopters(portal, published, client_for):
    adoption = services.interest_declare(
        practice=published, municipality=portal.b, user=portal.officer_b
    )
    services.adoption_update(adoption=adoption, status="betrieb", note="Läuft seit März.")
    body = client_for(portal.coordinator).get("/praxis/matrix/").content.decode()
    assert "Beispielstadt" in body and "im Betrieb" in body
