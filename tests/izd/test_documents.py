from __future__ import annotations

import hashlib
import time

import pytest

from izd.documents import document_request, register_builder
from izd.models import Document
from izd.pdf import RenderSpec
from izd.schemas import activate_public, activate_tenant, current_schema
from tenants.models import Municipality, User
from tests.conftest import Portal

pytestmark = pytest.mark.celery


def _probe_builder(document: Document) -> RenderSpec:
    # Runs in the worker: the schema proves the task runs where it was sent from.
    return RenderSpec(
        "izd/pdf_probe.html",
        {"heading": document.params["heading"], "text": f"Schema {current_schema()}"},
        title=document.params["heading"],
        filename="probe.pdf",
    )


register_builder("izd.probe", _probe_builder)


def _wait(document_id: int, timeout: float = 60) -> Document:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document = Document.objects.get(pk=document_id)
        if document.is_finished:
            return document
        time.sleep(0.2)
    raise AssertionError("document not finished in time")


def _rendered(
    town: Municipality, heading: str, title: str, filename: str, by: User | None
) -> Document:
    """A probe document requested by `by` in the town's schema, once the worker finished it."""
    activate_tenant(town)
    requested = document_request(
        kind="izd.probe", params={"heading": heading}, title=title, filename=filename,
        created_by_id=by.pk if by else None,
    )  # fmt: skip
    activate_public()
    return _wait(requested.pk)


def test_worker_renders_stores_and_checksums_a_document(portal: Portal, celery_worker, committed):
    with committed():
        document = _rendered(
            portal.a, "Prüfdokument 1", "Prüfdokument", "probe.pdf", portal.officer_a
        )
        assert document.status == Document.Status.DONE, document.error
        assert document.schema_name == portal.a.schema_name
        with document.file.open("rb") as handle:
            content = handle.read()
        assert content.startswith(b"%PDF")
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.sha512 == hashlib.sha512(content).hexdigest()
        assert document.size == len(content)


def test_same_inputs_reuse_the_stored_file(portal: Portal, celery_worker, committed):
    with committed():
        first = _rendered(portal.b, "Gleich", "Gleich", "g.pdf", None)
        second = _rendered(portal.b, "Gleich", "Gleich", "g.pdf", None)
    assert second.reused is True
    assert second.sha256 == first.sha256
    assert second.file.name == first.file.name


def test_unknown_document_kind_is_refused_before_anything_is_saved(portal: Portal, db):
    from izd.documents import DocumentError

    count = Document.objects.count()
    with pytest.raises(DocumentError):
        document_request(
            kind="gibt.es.nicht", params={}, title="x", filename="x.pdf", created_by_id=None
        )
    assert Document.objects.count() == count
