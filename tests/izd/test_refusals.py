"""One error type: every app's refusal is a PortalError, answered by one German page (or, for
htmx, by its message alone) with the error's own status."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from costsharing.allocation import AllocationError
from costsharing.services import CostsharingError, FrozenYearError
from costsharing.xrechnung import EInvoiceError
from izd.documents import DocumentError
from izd.errors import form_message, refusal, validation_message
from izd.exceptions import PortalError
from izd.jobs import JobError
from roadmap.papers.services import CalendarError, PaperError
from roadmap.practices.services import PracticeError
from roadmap.services import RoadmapError
from tests.conftest import Portal

NUMBERING = "/beschlussvorlagen/nummernkreise/"


@pytest.mark.parametrize(
    ("error_class", "status"),
    [
        (CostsharingError, 400),
        (FrozenYearError, 409),
        (AllocationError, 400),
        (EInvoiceError, 422),
        (DocumentError, 400),
        (JobError, 400),
        (RoadmapError, 400),
        (PaperError, 400),
        (PracticeError, 400),
    ],
)
def test_every_app_error_is_a_portal_error_with_its_status(error_class, status):
    error = error_class("Das geht so nicht.")
    assert isinstance(error, PortalError)
    assert error.status == status
    assert error.message == str(error) == "Das geht so nicht."


def test_a_raised_status_overrides_the_class_default():
    assert RoadmapError("Schon geändert.", 409).status == 409
    assert PracticeError("Gibt es nicht.", 404).status == 404
    assert CalendarError([]).status == 400


def test_a_services_validation_error_is_a_400_refusal_with_every_message():
    error = refusal(ValidationError({"name": ["Der Name fehlt."], "ags": ["Die AGS ist zu kurz."]}))
    assert error is not None and error.status == 400
    assert error.message == "Der Name fehlt. Die AGS ist zu kurz."
    assert validation_message(ValidationError("Nur eins.")) == "Nur eins."


def test_a_validation_error_that_carries_a_status_keeps_it():
    class Locked(ValidationError):
        status = 423

    error = refusal(Locked("Die Erhebung ist abgeschlossen."))
    assert error is not None and (error.status, error.message) == (
        423,
        "Die Erhebung ist abgeschlossen.",
    )


def test_other_exceptions_are_no_refusal():
    assert refusal(ValueError("intern")) is None
    assert refusal(KeyError("x")) is None


def test_form_message_names_each_field_by_its_label():
    from roadmap.papers.forms import SchemeForm

    form = SchemeForm({"prefix": "", "next_number": "null"})
    assert not form.is_valid()
    message = form_message(form)
    for name in ("prefix", "next_number"):
        assert f"{form.fields[name].label}: " in message


@pytest.mark.django_db
def test_a_refusal_is_the_german_error_page_with_its_status(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    response = client.post(NUMBERING, {"municipality": "0"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" in body and "Das hat nicht geklappt" in body
    assert 'role="alert"' in body and "Bitte eine Kommune wählen." in body
    assert "Es wurde nichts geändert." in body


@pytest.mark.django_db
def test_a_refusal_to_htmx_is_the_message_partial_only(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    response = client.post(NUMBERING, {"municipality": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" not in body and "<h1" not in body
    assert 'class="error-summary"' in body and "Bitte eine Kommune wählen." in body


@pytest.mark.django_db
def test_the_back_link_is_the_previous_page_of_this_host_only(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    own = f"http://{portal.host()}/beschlussvorlagen/"
    response = client.post(NUMBERING, {"municipality": "0"}, HTTP_REFERER=own)
    assert f'href="{own}"' in response.content.decode()
    foreign = "https://elsewhere.example/phish"
    response = client.post(NUMBERING, {"municipality": "0"}, HTTP_REFERER=foreign)
    assert foreign not in response.content.decode()
    assert "data-history-back" in response.content.decode()
