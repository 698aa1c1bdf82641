"""Papers rendered through a real Celery worker; a batch re-renders only changed papers."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from costsharing import services as costsharing_services
from izd.models import Document
from izd.schemas import tenant_schema
from roadmap.papers import services
from tests.conftest import BACKEND, Portal
from tests.papers.factories import JOINED, LEFT, pdf_text, worker_world
from tests.pdf_structure import assert_accessible

pytestmark = pytest.mark.celery


def _wait(document_ids: list[int], timeout: float = 120) -> list[Document]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        documents = list(Document.objects.filter(pk__in=document_ids).order_by("title"))
        if all(d.is_finished for d in documents):
            return documents
        time.sleep(0.2)
    raise AssertionError(
        "documents not finished in time: "
        + repr(list(Document.objects.filter(pk__in=document_ids).values("pk", "status", "error")))
    )


def test_worker_renders_the_paper_with_figures_in_german_format(
    portal: Portal, worker_towns, celery_worker, committed
):
    with (
        committed(),
        worker_world(worker_towns, {2001: "30001.01", 2002: "24000.00"}, "Worker-Test 2001") as (
            _template,
            papers,
        ),
    ):
        paper = papers[0]
        document = services.paper_render(paper=paper, user=portal.coordinator)
        (document,) = _wait([document.pk])
        assert document.status == Document.Status.DONE, document.error
        assert document.schema_name == paper.municipality.schema_name
        with document.file.open("rb") as handle:
            content = handle.read()
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.sha512 == hashlib.sha512(content).hexdigest()
        text = pdf_text(content)
        for expected in (
            paper.reference,
            "Gemeindevorstand",
            "Haupt- und Finanzausschuss",
            "Gemeindevertretung",
            "beschließend",
            "20.11.2000",
            "15.000,51 €",  # Papierstadt Nord's share of 30.001,01 € (largest remainder)
            "15.000,50 €",
            "30.001,01 €",  # the attachment adds up to the net cost
            "12.000,00 €",  # a year from 2002 on
            "Kostenbeteiligung 2001",
            "Seite 1 von",
        ):
            assert expected in text, expected
        reader = PdfReader(io.BytesIO(content))
        assert reader.metadata is not None
        assert reader.metadata.title == f"Beschlussvorlage {paper.reference} – Papierstadt Nord"
        assert reader.root_object.get("/Lang") == "de"
        page = reader.pages[0]
        assert round(float(page.mediabox.width) / 72 * 25.4) == 210
        fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]
        assert all("+Portal-Sans" in str(f.get_object()["/BaseFont"]) for f in fonts.values())


def test_second_batch_reuses_all_and_a_changed_member_is_rendered_again(
    portal: Portal, worker_towns, celery_worker, committed
):
    north, south = worker_towns
    texts = {
        "facts": "Anteil von [[kommune]]: [[anteil_jahr]], Haushaltsstelle [[haushaltsstelle]].",
        "resolution": "Zustimmung zu [[anteil_jahr]].",
    }
    with committed(), worker_world(worker_towns, {2003: "20000.00"}, "Worker-Test 2003", **texts):

        def run() -> dict[str, Document]:
            batch = services.papers_render_batch(year=2003, user=portal.coordinator)
            ids = list(Document.objects.filter(batch=batch).values_list("pk", flat=True))
            assert len(ids) == 2
            documents = _wait(ids)
            assert all(d.status == Document.Status.DONE for d in documents), documents
            return {d.schema_name: d for d in documents}

        first = run()
        second = run()
        assert all(d.reused for d in second.values())
        assert {k: d.sha256 for k, d in second.items()} == {k: d.sha256 for k, d in first.items()}

        with tenant_schema(north):  # Nord's budget line changes: only its paper changes
            costsharing_services.cooperation_save(
                municipality=north, joined_on=JOINED, left_on=LEFT, budget_line="HH-neu-4711"
            )
        third = run()
        assert third[north.schema_name].reused is False
        assert third[north.schema_name].sha256 != first[north.schema_name].sha256
        assert third[south.schema_name].reused is True
        assert third[south.schema_name].sha256 == first[south.schema_name].sha256
        with third[north.schema_name].file.open("rb") as handle:
            assert "HH-neu-4711" in pdf_text(handle.read())

        batch = third[north.schema_name].batch
        client = Client(HTTP_HOST=portal.host())  # no `db` fixture: the worker must see commits
        client.force_login(portal.coordinator, backend=BACKEND)
        progress = client.get(f"/beschlussvorlagen/jahr/2003/stapel/{batch}/")
        assert progress.status_code == 200
        assert "2 von 2 Vorlagen fertig (1 unverändert übernommen)" in progress.content.decode()
        response = client.get(f"/beschlussvorlagen/jahr/2003/stapel/{batch}.zip")
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        names = sorted(archive.namelist())
        assert names == sorted([d.filename for d in third.values()] + ["PRUEFSUMMEN.sha256"])
        sums = archive.read("PRUEFSUMMEN.sha256").decode()
        for document in third.values():
            content = archive.read(document.filename)
            assert f"{hashlib.sha256(content).hexdigest()}  {document.filename}" in sums
            assert_accessible(content, title=document.title, tags=("H2", "L", "LI", "Table", "TH"))


def test_a_large_batch_is_sent_by_a_worker_and_every_paper_is_rendered(
    portal: Portal, worker_towns, celery_worker, committed, monkeypatch
):
    """From `WAKE_AT` jobs the request sends one message; the worker sends the jobs."""
    from izd import jobs

    monkeypatch.setattr(jobs, "WAKE_AT", 1)
    texts = {"facts": "Anteil [[anteil_jahr]].", "resolution": "Zustimmung."}
    world = worker_world(worker_towns, {2003: "18000.00"}, "Worker-Test Weckruf", **texts)
    with committed(), world:
        batch = services.papers_render_batch(year=2003, user=portal.coordinator)
        documents = list(Document.objects.filter(batch=batch))
        assert len(documents) == 2
        assert all(d.sent_at is None for d in documents)  # not sent by the request itself
        finished = _wait([d.pk for d in documents])
        assert all(d.status == Document.Status.DONE for d in finished), finished
        assert all(d.sent_at is not None for d in finished)
