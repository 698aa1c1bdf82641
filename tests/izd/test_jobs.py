"""Document jobs survive faults (izd.jobs): a send lost between commit and publish, Redis down
while a document is requested, a worker that stops renewing its lease, errors that repeat.

The faults are real: a process killed with SIGKILL right after its commit, a redis-server of the
test's own that is stopped and started again, real worker processes with the dispatcher.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from izd import jobs
from izd.documents import document_render, register_builder
from izd.models import Document
from izd.pdf import RenderSpec
from roadmap.documents import KIND as ROADMAP_KIND
from tests.conftest import BACKEND, Portal
from tests.workers import broker, own_queue, own_redis, process_env, wait_for, worker

pytestmark = pytest.mark.celery

HX = {"HX-Request": "true"}


def _status(pk: int) -> str:
    return Document.objects.get(pk=pk).status


def test_job_lost_between_commit_and_send_is_sent_by_the_dispatcher(
    portal: Portal, committed, tmp_path: Path
):
    """The web process dies right after its commit, before the send (issue 9: the document
    stayed "wartet, 0 %" for ever). A worker that starts sends it from the database."""
    script = textwrap.dedent(
        f"""
        import os, signal
        import django
        django.setup()
        from django.db import transaction
        from izd.documents import document_request
        from izd.schemas import activate_tenant
        from roadmap.documents import KIND, filename_for, title_for
        from tenants.models import Municipality

        town = Municipality.objects.get(pk={portal.a.pk})
        activate_tenant(town)
        with transaction.atomic():
            # Runs first after the commit, before the send: the process dies in between.
            transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
            document = document_request(
                kind=KIND, params={{"municipality_id": town.pk}}, title=title_for(town),
                filename=filename_for(town), created_by_id=None,
            )
            print(document.pk, flush=True)
        print("sent", flush=True)
        """
    )
    with committed(), own_queue() as queue:
        env = process_env(queue, DJANGO_SETTINGS_MODULE="config.settings")
        web = subprocess.run(
            [sys.executable, "-c", script],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert web.returncode == -signal.SIGKILL, web.stderr
        assert "sent" not in web.stdout
        pk = int(web.stdout.split()[0])
        try:
            document = Document.objects.get(pk=pk)  # committed, never sent
            assert (document.status, document.sent_at) == (Document.Status.PENDING, None)

            with worker(tmp_path, queue) as running:
                wait_for(
                    lambda: _status(pk) == Document.Status.DONE,
                    90,
                    f"not done: {_status(pk)} {running.output()}",
                )
            document.refresh_from_db()
            assert document.sent_at is not None
            assert document.attempts == 1
        finally:
            Document.objects.filter(pk=pk).delete()


def test_without_redis_a_requested_document_is_kept_and_made_when_redis_is_back(
    portal: Portal, committed, tmp_path: Path
):
    created: list[int] = []
    with committed(), own_queue() as queue, own_redis(tmp_path) as redis, broker(redis.url):
        client = Client(HTTP_HOST=portal.host(portal.a))  # no `db` fixture: requests commit
        client.force_login(portal.officer_a, backend=BACKEND)
        try:
            with worker(tmp_path, queue, redis_url=redis.url) as running:
                # With Redis up: requested, sent, made.
                first = client.post("/roadmap/zeitplan/pdf/", headers=HX)
                assert first.status_code == 200
                created.append(Document.objects.filter(kind=ROADMAP_KIND).latest("pk").pk)
                wait_for(
                    lambda: _status(created[0]) == Document.Status.DONE,
                    90,
                    f"first not done: {running.output()}",
                )

                redis.stop()
                answer = client.post("/roadmap/zeitplan/pdf/", headers=HX)
                assert answer.status_code == 200
                body = answer.content.decode()
                assert "wird später erstellt" in body, body
                assert "Der Auftrag ist gespeichert" in body
                document = Document.objects.filter(kind=ROADMAP_KIND).latest("pk")
                created.append(document.pk)
                assert document.status == Document.Status.PENDING
                assert document.sent_at is None and document.send_error
                status_url = re.search(r'hx-get="([^"]+)"', body)
                assert status_url, body
                polled = client.get(status_url.group(1), headers=HX)
                assert polled.status_code == 200
                assert "wird später erstellt" in polled.content.decode()

                redis.start()  # empty: every message it held is gone
                wait_for(
                    lambda: _status(document.pk) == Document.Status.DONE,
                    90,
                    f"not made after Redis came back: {_status(document.pk)} {running.output()}",
                )
                done = client.get(status_url.group(1), headers=HX).content.decode()
                assert "herunterladen</a>" in done, done
        finally:
            Document.objects.filter(pk__in=created).delete()


# --- the dispatcher's rules, on the real database -------------------------------------------

PROBE = "izd.jobs-probe"
_failures: dict[str, int] = {}


def _probe_builder(document: Document) -> RenderSpec:
    """Fails as often as its params say, then builds a small document."""
    token = document.params["token"]
    if _failures.get(token, 0) < document.params["fail"]:
        _failures[token] = _failures.get(token, 0) + 1
        raise RuntimeError("kaputt")
    return RenderSpec(
        "izd/pdf_probe.html", {"heading": token, "text": "ok"}, title=token, filename="p.pdf"
    )


register_builder(PROBE, _probe_builder)


def _probe(fail: int = 0) -> Document:
    # Sent nowhere: these tests play the worker themselves, with the real functions.
    return Document.objects.create(
        kind=PROBE,
        schema_name="public",
        params={"token": uuid.uuid4().hex, "fail": fail},
        title="Probe",
        filename="p.pdf",
    )


def test_a_duplicate_message_never_renders_a_document_twice(portal: Portal, committed):
    with committed():
        document = _probe()
        try:
            first = document_render(document.pk)
            assert first is not None and first.status == Document.Status.DONE
            again = document_render(document.pk)  # the same message once more
            assert again is not None
            assert (again.finished_at, again.file.name) == (first.finished_at, first.file.name)
            assert Document.objects.get(pk=document.pk).attempts == 1
        finally:
            Document.objects.filter(pk=document.pk).delete()


def test_a_job_whose_worker_stopped_renewing_its_lease_is_taken_again_then_fails(
    portal: Portal, committed
):
    with committed():
        document = _probe()
        try:
            past = timezone.now() - timedelta(seconds=1)
            for attempt in range(1, settings.JOB_MAX_ATTEMPTS + 1):
                token = jobs.claim(document.pk)  # a worker takes it, then dies
                assert token is not None
                jobs.release(token)  # its lease is no longer renewed
                Document.objects.filter(pk=document.pk).update(lease_until=past)
                jobs.recover_abandoned()
                document.refresh_from_db()
                if attempt < settings.JOB_MAX_ATTEMPTS:
                    assert document.status == Document.Status.PENDING
                    assert document.sent_at is None  # the sweep sends it again
            assert document.status == Document.Status.FAILED
            assert document.attempts == settings.JOB_MAX_ATTEMPTS
            assert "abgebrochen" in document.error and "erneut" in document.error
            assert document.lease_until is None

            jobs.document_retry(document=document)
            document.refresh_from_db()
            # Sent again at once: a worker of this test session may already have taken it.
            assert document.status != Document.Status.FAILED and document.error == ""
            assert document.attempts in (0, 1)
        finally:
            Document.objects.filter(pk=document.pk).delete()


def test_a_running_lease_is_left_alone(portal: Portal, committed):
    with committed():
        document = _probe()
        try:
            token = jobs.claim(document.pk)
            assert token is not None
            jobs.recover_abandoned()
            assert _status(document.pk) == Document.Status.RUNNING
            assert jobs.claim(document.pk) is None  # nobody else takes a running job
            jobs.release(token)
        finally:
            Document.objects.filter(pk=document.pk).delete()


def test_unexpected_errors_are_tried_again_and_then_end_failed_in_german(portal: Portal, committed):
    with committed():
        flaky = _probe(fail=1)
        broken = _probe(fail=99)
        try:
            assert document_render(flaky.pk) is None  # first attempt fails
            assert _status(flaky.pk) == Document.Status.PENDING  # given back, not running
            done = document_render(flaky.pk)
            assert done is not None and done.status == Document.Status.DONE

            for _attempt in range(settings.JOB_MAX_ATTEMPTS):
                document_render(broken.pk)
            broken.refresh_from_db()
            assert broken.status == Document.Status.FAILED
            assert "unerwarteter Fehler" in broken.error and "RuntimeError" in broken.error
            assert broken.progress == 100 and broken.finished_at is not None
        finally:
            Document.objects.filter(pk__in=[flaky.pk, broken.pk]).delete()


def test_dispatch_without_a_broker_keeps_the_job_and_says_why(portal: Portal, committed):
    from tests.workers import free_port

    with committed():
        document = _probe()
        try:
            with broker(f"redis://127.0.0.1:{free_port()}/0"):  # nothing listens there
                assert jobs.dispatch([document.pk]) == 0
            document.refresh_from_db()
            assert document.status == Document.Status.PENDING
            assert document.sent_at is None
            assert document.send_error.startswith("Hintergrunddienst nicht erreichbar")
            assert document.is_waiting_for_broker
        finally:
            Document.objects.filter(pk=document.pk).delete()


def test_redis_lost_while_a_document_is_made_the_worker_survives_and_finishes_it(
    portal: Portal, committed, tmp_path: Path
):
    created: list[int] = []
    with committed(), own_queue() as queue, own_redis(tmp_path) as redis, broker(redis.url):
        client = Client(HTTP_HOST=portal.host(portal.b))
        client.force_login(portal.officer_b, backend=BACKEND)
        try:
            with worker(
                tmp_path,
                queue,
                redis_url=redis.url,
                include=("tests.slow_render",),
                IZD_TEST_RENDER_DELAY="6",
            ) as running:
                assert client.post("/roadmap/zeitplan/pdf/", headers=HX).status_code == 200
                pk = Document.objects.filter(kind=ROADMAP_KIND).latest("pk").pk
                created.append(pk)
                wait_for(lambda: _status(pk) == Document.Status.RUNNING, 90, f"{running.output()}")
                redis.stop()  # while the job runs: its message can be neither acked nor kept
                time.sleep(8)
                assert running.process.poll() is None, running.output()
                redis.start()
                wait_for(
                    lambda: _status(pk) == Document.Status.DONE,
                    90,
                    f"not done: {_status(pk)} {running.output()}",
                )
                # The same worker goes on taking jobs: it reconnected, it did not shut down.
                assert client.post("/roadmap/zeitplan/pdf/", headers=HX).status_code == 200
                after = Document.objects.filter(kind=ROADMAP_KIND).latest("pk").pk
                created.append(after)
                wait_for(
                    lambda: _status(after) == Document.Status.DONE,
                    90,
                    f"next job not done: {_status(after)} {running.output()}",
                )
                assert running.process.poll() is None, running.output()
                assert "Unrecoverable error" not in running.output()
        finally:
            Document.objects.filter(pk__in=created).delete()
