"""The roadmap PDF: the builder's plain context, and the real worker rendering it."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from izd.models import Document
from izd.pdf import RenderSpec, render_pdf
from roadmap import services
from roadmap.documents import build_roadmap_pdf, roadmap_pdf_context
from roadmap.models import Measure
from tests.conftest import BACKEND, Portal
from tests.pdf_structure import assert_accessible
from tests.roadmap.factories import make_measure


def _client(portal: Portal, user, municipality=None) -> Client:
    client = Client(HTTP_HOST=portal.host(municipality))
    client.force_login(user, backend=BACKEND)
    return client


@pytest.mark.django_db
def test_the_builder_makes_a_plain_context_with_measures_quarters_and_gaps(portal: Portal):
    make_measure(title="Civento-Prozesse", start="2026-Q1", end="2026-Q3")
    make_measure(title="Nur B", municipalities=(portal.b.pk,), start="2027-Q1", end="2027-Q4")
    services.target_levels_set(levels={("a", 2026): 2})
    county = roadmap_pdf_context(None)
    titles = [m["title"] for g in county["groups"] for m in g["measures"]]
    assert "Civento-Prozesse" in titles and "Nur B" in titles
    labels = [q["label"] for q in county["timeline"]["quarters"]]
    assert labels[0] == "Q1 2026"
    assert "Q4 2027" in labels
    assert county["for_municipality"] is False
    own = roadmap_pdf_context(portal.a)
    own_titles = [m["title"] for g in own["groups"] for m in g["measures"]]
    assert "Civento-Prozesse" in own_titles and "Nur B" not in own_titles
    assert own["for_municipality"] is True
    assert own["scope"] == "Testhausen"


@pytest.mark.django_db
def test_a_municipality_cannot_have_another_ones_roadmap_built(portal: Portal):
    from izd.documents import DocumentError

    document = Document(
        kind="roadmap.pdf", schema_name=portal.b.schema_name,
        params={"municipality_id": portal.a.pk}, title="x", filename="x.pdf",
    )  # fmt: skip
    with pytest.raises(DocumentError):
        build_roadmap_pdf(document)
    document.schema_name = portal.a.schema_name
    assert isinstance(build_roadmap_pdf(document), RenderSpec)


@pytest.mark.django_db
def test_the_roadmap_pdf_is_tagged_with_a_text_alternative_for_the_timeline(portal: Portal):
    first = make_measure(title="Civento-Prozesse", start="2026-Q1", end="2026-Q3")
    make_measure(title="E-Akte", start="2026-Q3", end="2027-Q2", depends_on=(first.pk,))
    services.target_levels_set(levels={("a", 2026): 2})
    for municipality in (None, portal.a):
        params = {} if municipality is None else {"municipality_id": municipality.pk}
        schema = settings.PUBLIC_SCHEMA_NAME if municipality is None else municipality.schema_name
        document = Document(kind="roadmap.pdf", schema_name=schema, params=params)
        spec = build_roadmap_pdf(document)
        found = assert_accessible(
            render_pdf(spec), title=spec.title, tags=("H2", "H3", "Table", "TH", "Figure")
        )
        (alt,) = found.figure_alts  # the timeline chart, described in words
        assert alt == spec.context["timeline"]["description"], alt
        assert "Maßnahme" in str(alt)


def _finished(client: Client, status_url: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
        if "herunterladen" in body or "nicht erstellt" in body:
            return body
        time.sleep(0.3)
    raise AssertionError("the roadmap PDF was not finished in time")


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _downloaded_text(client: Client, document: Document) -> str:
    """The document's text, once the worker has finished it and offers it for download."""
    body = _finished(client, f"/roadmap/zeitplan/pdf/{document.pk}/status/")
    assert "herunterladen" in body, body
    download = client.get(f"/roadmap/zeitplan/pdf/{document.pk}/")
    assert download.status_code == 200
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"%PDF")
    return _pdf_text(content)


@contextmanager
def _own_measures(committed) -> Iterator[tuple[str, Callable[..., Measure]]]:
    """A tag of the test's own and a maker of measures titled with it (and a dimension of their
    own), committed for the worker and removed again afterwards."""
    tag = uuid.uuid4().hex[:6]

    def measure(title: str, **fields: Any) -> Measure:
        return make_measure(title=f"{title} {tag}", dimension_key=f"pdf-{tag}", **fields)

    with committed():
        try:
            yield tag, measure
        finally:
            Measure.objects.filter(dimension_key=f"pdf-{tag}").delete()


@pytest.mark.celery
def test_the_worker_renders_the_county_roadmap_with_measures_and_quarters(
    portal: Portal, celery_worker, committed
):
    with _own_measures(committed) as (tag, measure):
        first = measure("Ehrenamts-Cloud einführen", start="2026-Q2", end="2026-Q4")
        measure("WiBA-Checks", start="2027-Q3", end="2028-Q1", depends_on=(first.pk,))
        client = _client(portal, portal.coordinator)
        response = client.post("/roadmap/zeitplan/pdf/", {}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "<progress" in response.content.decode()
        document = Document.objects.filter(kind="roadmap.pdf").latest("pk")
        assert document.schema_name == settings.PUBLIC_SCHEMA_NAME
        # Words may wrap differently as other tests' measures widen the table's columns.
        text = " ".join(_downloaded_text(client, document).split())
        for expected in (
            f"Ehrenamts-Cloud einführen {tag}", f"WiBA-Checks {tag}", "Q2 2026",
            "Q3 2027", "Q1 2028", "Zielbild", "Roadmap Digitalisierung",
        ):  # fmt: skip
            assert expected in text, expected
        page = client.get("/roadmap/zeitplan/").content.decode()
        assert f"/roadmap/zeitplan/pdf/{document.pk}/" in page  # listed as earlier document


@pytest.mark.celery
def test_the_worker_renders_a_municipalitys_own_roadmap_with_its_gaps(
    portal: Portal, celery_worker, committed
):
    with _own_measures(committed) as (tag, measure):
        a, b = (portal.a.pk,), (portal.b.pk,)
        measure("Fachverfahren anbinden", municipalities=a, start="2026-Q3", end="2027-Q1")
        measure("Fremde Maßnahme", municipalities=b)
        client = _client(portal, portal.officer_a, portal.a)
        response = client.post("/roadmap/zeitplan/pdf/")
        assert response.status_code == 302
        document = Document.objects.filter(
            kind="roadmap.pdf", schema_name=portal.a.schema_name
        ).latest("pk")
        assert response["Location"] == f"/roadmap/zeitplan/?dokument={document.pk}"
        text = _downloaded_text(client, document)
        assert f"Fachverfahren anbinden {tag}" in text
        assert f"Fremde Maßnahme {tag}" not in text
        assert "Eigene Lücken von Testhausen" in text
        assert "Q3 2026" in text and "Q1 2027" in text
        other = _client(portal, portal.officer_b, portal.b)
        assert other.get(f"/roadmap/zeitplan/pdf/{document.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_roadmap_pdf_legend_shows_every_status_colour(portal: Portal):
    import re

    from izd.pdf import render_html

    make_measure(title="Legendentest", start="2026-Q1", end="2026-Q2")
    spec = build_roadmap_pdf(Document(kind="roadmap.pdf", schema_name="public", params={}))
    html = render_html(spec)
    used = set(re.findall(r'class="roadmap-swatch (roadmap-swatch-\w+)"', html))
    assert used, "the legend is in the PDF"
    for swatch in used:
        assert re.search(rf"\.{swatch} \{{ background: #[0-9a-f]{{6}}; \}}", html), swatch
    # and the colour reaches the page: the planned swatch's fill colour is drawn
    content = b"".join(
        page.get_contents().get_data()  # type: ignore[union-attr]
        for page in PdfReader(io.BytesIO(render_pdf(spec))).pages
    )
    assert b"0.043137 0.309804 0.541176 rg" in content or b"0.0431373 0.309804" in content
