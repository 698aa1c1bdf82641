"""A demo centre's notices carry a worked legal note (marked as a demo), not the default's
"[bitte ergänzen: …]" markers; a note the centre wrote itself stays."""

from __future__ import annotations

import pytest

from costsharing.demo import issuer_legal_note_demo_ensure
from costsharing.documents import NOTICE_KIND, build_notice, notice_params
from costsharing.models import IssuerProfile
from izd.legal_defaults import placeholders_in
from izd.models import Document
from izd.pdf import render_pdf
from tests.costsharing.factories import freeze_2023_into_2024, issuer
from tests.costsharing.test_documents import pdf_text

pytestmark = pytest.mark.django_db


def test_the_demo_notice_has_a_legal_note_without_markers(seed_towns):
    freeze_2023_into_2024(seed_towns, years=(2023, 2024))  # with the Kreis as the issuer
    IssuerProfile.objects.update(legal_note="")  # the default, with its markers
    issuer_legal_note_demo_ensure()
    document = Document(kind=NOTICE_KIND, params=notice_params(seed_towns.focus.pk, 2024))
    text = " ".join(pdf_text(render_pdf(build_notice(document))).replace("\u2010\n", "").split())
    assert not placeholders_in(text)
    assert "Rechtsbehelfsbelehrung: Gegen diesen Bescheid kann innerhalb eines Monats" in text
    assert "Barbarossastraße 16, 63571 Gelnhausen" in text  # where to lodge it: the issuer
    assert "Demo-Text" in text


def test_a_note_the_centre_wrote_is_kept(portal):
    issuer()
    IssuerProfile.objects.update(legal_note="Eigener Hinweis des Kreises.")
    issuer_legal_note_demo_ensure()
    assert IssuerProfile.objects.get().legal_note == "Eigener Hinweis des Kreises."
