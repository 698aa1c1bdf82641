"""The PDF notice: built, rendered (WeasyPrint) and, end to end, by the Celery worker."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from costsharing import services
from costsharing.documents import NOTICE_KIND, build_notice, notice_params
from izd.models import Document
from izd.pdf import render_pdf
from tests.costsharing.factories import centre_treasurer, issuer, load_seed


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_seed_notice_pdf_shows_back_charge_current_year_and_total_and_carries_the_xrechnung(
    seed_towns,
):
    years = load_seed(seed_towns, years=(2023, 2024))
    issuer()
    services.allocation_freeze(
        budget_year=years[2023], user=centre_treasurer(), settle_in_year=2024
    )
    services.allocation_freeze(budget_year=years[2024], user=centre_treasurer())
    document = Document(kind=NOTICE_KIND, params=notice_params(seed_towns.focus.pk, 2024))
    spec = build_notice(document)
    content = render_pdf(spec)
    text = pdf_text(content)
    assert "Bescheid über die Kostenbeteiligung 2024" in text
    assert "8.869,25" in text and "12.826,30" in text and "21.695,55" in text
    assert "periodenfremd" in text
    reader = PdfReader(io.BytesIO(content))
    assert "xrechnung.xml" in reader.attachments
    assert b"<ram:BuyerReference>" in reader.attachments["xrechnung.xml"][0]
