from __future__ import annotations

import json

import pytest
from django.db import transaction

from izd.schemas import activate_public, activate_tenant
from izd.tasks import report_schema
from tests.conftest import Portal

pytestmark = pytest.mark.celery


def test_task_runs_in_the_schema_it_was_sent_from(portal: Portal, celery_worker, committed):
    with committed():
        activate_tenant(portal.a)
        result = report_schema.delay()
        activate_public()
    assert result.get(timeout=30) == portal.a.schema_name


def test_task_sent_from_the_kreis_runs_in_the_public_schema(
    portal: Portal, celery_worker, committed
):
    with committed():
        assert report_schema.delay().get(timeout=30) == "public"


def test_job_is_sent_only_after_the_transaction_commits(portal: Portal, committed):
    from izd.jobs import dispatch_after_commit
    from izd.models import Document

    with committed():
        document = Document.objects.create(
            kind="izd.probe", schema_name="public", title="Nach dem Commit", filename="c.pdf"
        )
        try:
            with transaction.atomic():
                dispatch_after_commit([document])
                assert Document.objects.get(pk=document.pk).sent_at is None
            assert document.sent_at is not None  # the instance learns of the send
            assert Document.objects.get(pk=document.pk).sent_at == document.sent_at
        finally:
            Document.objects.filter(pk=document.pk).delete()


def test_health_endpoint_reports_database_redis_and_worker(
    portal: Portal, celery_worker, committed, client
):
    with committed():
        response = client.get("/healthz", HTTP_HOST=portal.host())
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body["database"] == "ok"
    assert body["redis"] == "ok"
    assert body["worker"] == "ok"
