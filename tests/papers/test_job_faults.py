"""Decision papers through real worker processes that fail: a worker killed with SIGKILL in the
middle of a batch, and a paper that cannot be made, tried again after the fix.

The worker processes read this test's own queue (tests/workers.py); the papers, years and
templates are committed for the worker and removed again afterwards.
"""

from __future__ import annotations

import io
import re
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from izd.models import Document
from roadmap.papers.models import Paper
from tenants.models import Municipality
from tests.conftest import BACKEND, Portal
from tests.papers.factories import worker_world
from tests.workers import broker, free_port, own_queue, wait_for, worker

pytestmark = pytest.mark.celery

HX = {"HX-Request": "true"}


@contextmanager
def papers_of(towns: tuple[Municipality, ...], year: int) -> Iterator[list[Paper]]:
    """A year with one paper per town; its texts carry a token of their own, so no stored PDF
    of another test is reused and every paper is really rendered."""
    name = f"Fehlertest {uuid.uuid4().hex[:8]}"
    facts = f"{name}: Anteil von [[kommune]] [[anteil_jahr]]."
    texts = {"facts": facts, "resolution": "Zustimmung zu [[anteil_jahr]]."}
    with worker_world(towns, {year: "30000.00"}, name, **texts) as (_template, papers):
        yield papers


def coordinator_client(portal: Portal) -> Client:
    client = Client(HTTP_HOST=portal.host())  # no `db` fixture: the workers must see commits
    client.force_login(portal.coordinator, backend=BACKEND)
    return client


def states(ids: list[int]) -> list[dict[str, Any]]:
    rows = Document.objects.filter(pk__in=ids).order_by("pk")
    return [dict(row) for row in rows.values("pk", "status", "progress", "attempts", "error")]


def test_worker_killed_mid_batch_every_paper_is_finished_once_and_the_zip_downloads(
    portal: Portal, worker_towns, committed, tmp_path: Path
):
    year = 2002
    with committed(), own_queue() as queue, papers_of(worker_towns, year):
        client = coordinator_client(portal)
        # The first worker renders slowly, so both papers are running when it is killed.
        with worker(
            tmp_path, queue, include=("tests.slow_render",), IZD_TEST_RENDER_DELAY="20"
        ) as first:
            started = client.post(f"/beschlussvorlagen/jahr/{year}/stapel/")
            assert started.status_code == 302, started.content.decode()
            status_url = started["Location"]
            batch = uuid.UUID(status_url.rstrip("/").rsplit("/", 1)[1])
            ids = list(Document.objects.filter(batch=batch).values_list("pk", flat=True))
            assert len(ids) == 2

            def both_running() -> bool:
                return all(s["status"] == "running" for s in states(ids))

            wait_for(both_running, 120, f"never both running: {states(ids)} {first.output()}")
            first.kill()
        killed_at = time.monotonic()
        time.sleep(1)
        assert [s["status"] for s in states(ids)] == ["running", "running"]  # stranded

        with worker(tmp_path, queue) as second:
            deadline = killed_at + 120
            body = ""
            while time.monotonic() < deadline:
                body = client.get(status_url, headers=HX).content.decode()
                if "2 von 2 Vorlagen fertig" in body:
                    break
                time.sleep(1)
            assert "2 von 2 Vorlagen fertig" in body, f"{states(ids)} {second.output()}"
            assert 'value="100"' in body
            recovered_in = time.monotonic() - killed_at

            archive = client.get(f"/beschlussvorlagen/jahr/{year}/stapel/{batch}.zip")
            assert archive.status_code == 200
            documents = list(Document.objects.filter(pk__in=ids))
            names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
            assert sorted(names) == sorted([d.filename for d in documents] + ["PRUEFSUMMEN.sha256"])
            for document in documents:
                assert document.status == Document.Status.DONE
                # Taken twice (by the killed worker, then the new one), stored once.
                assert document.attempts == 2, states(ids)
                assert document.claim is None and document.lease_until is None
            finished = {d.pk: (d.finished_at, d.sha256, d.file.name) for d in documents}
            time.sleep(3)  # nothing renders them again
            again = {
                d.pk: (d.finished_at, d.sha256, d.file.name)
                for d in Document.objects.filter(pk__in=ids)
            }
            assert again == finished
        assert recovered_in < 120


def test_paper_that_cannot_be_made_fails_with_a_german_reason_and_retry_renders_it(
    portal: Portal, worker_towns, committed, tmp_path: Path
):
    year = 2003
    with committed(), own_queue() as queue, papers_of(worker_towns[:1], year) as (paper,):
        client = coordinator_client(portal)
        # Requested while the paper is complete; broken before a worker gets to it.
        assert client.post(f"/beschlussvorlagen/{paper.pk}/pdf/").status_code == 302
        Paper.objects.filter(pk=paper.pk).update(facts_override="Siehe [[gibt_es_nicht]].")
        status_url = f"/beschlussvorlagen/{paper.pk}/pdf/status/"
        with worker(tmp_path, queue) as running:

            def finished() -> bool:
                return "hx-get" not in client.get(status_url, headers=HX).content.decode()

            wait_for(finished, 120, f"not finished: {running.output()}")
            body = client.get(status_url, headers=HX).content.decode()
            assert "Das Dokument konnte nicht erstellt werden" in body
            assert "gibt_es_nicht" in body
            assert "Neu versuchen" in body
            paper.refresh_from_db()
            assert paper.document is not None
            assert paper.document.status == Document.Status.FAILED

            # A reader of the Kreis may watch, but only the coordinator sends it again.
            treasurer = Client(HTTP_HOST=portal.host())
            treasurer.force_login(portal.centre_treasurer, backend=BACKEND)
            watching = treasurer.get(status_url, headers=HX).content.decode()
            assert "Neu versuchen" not in watching
            assert treasurer.post(status_url, headers=HX).status_code == 403

            Paper.objects.filter(pk=paper.pk).update(facts_override="")
            retried = client.post(status_url, headers=HX)
            assert retried.status_code == 200
            assert "hx-get" in retried.content.decode()  # polling again
            wait_for(finished, 120, f"retry not finished: {running.output()}")
            body = client.get(status_url, headers=HX).content.decode()
            assert re.search(r"Beschlussvorlage .* herunterladen</a>", body), body
            document = Document.objects.get(pk=paper.document.pk)
            assert document.status == Document.Status.DONE
            assert document.error == ""
            download = client.get(f"/beschlussvorlagen/{paper.pk}/pdf/herunterladen/")
            assert download.status_code == 200


def test_batch_requested_while_redis_is_down_says_the_papers_are_made_later(
    portal: Portal, worker_towns, committed
):
    year = 2001
    with committed(), own_queue(), papers_of(worker_towns, year):
        client = coordinator_client(portal)
        with broker(f"redis://127.0.0.1:{free_port()}/0"):  # nothing listens there
            started = client.post(f"/beschlussvorlagen/jahr/{year}/stapel/")
        assert started.status_code == 302
        batch = uuid.UUID(started["Location"].rstrip("/").rsplit("/", 1)[1])
        try:
            documents = list(Document.objects.filter(batch=batch))
            assert len(documents) == 2  # the jobs are kept
            assert all(d.is_waiting_for_broker for d in documents)
            page = client.get(started["Location"]).content.decode()
            assert "Ein Teil der Vorlagen wird später erstellt" in page
            assert "Die Aufträge sind gespeichert" in page
        finally:
            Document.objects.filter(batch=batch).delete()
