"""The one document flow (izd.document_flow), as each app configures it: request, status,
download, retry, and a batch's progress page and ZIP.

The documents here are rows with real files, so every endpoint is exercised in the test's
transaction; that a worker renders what a request records is shown end to end per kind by
tests/costsharing/test_worker.py, tests/roadmap/test_pdf.py and tests/papers/test_pdf.py.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from costsharing.documents import NOTICE_KIND
from izd.models import Document
from roadmap.documents import KIND as ROADMAP_KIND
from roadmap.papers import services as paper_services
from tenants.models import Municipality, User
from tests.conftest import Portal
from tests.papers.factories import finished_document, paper_for, paper_template

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
PUBLIC = settings.PUBLIC_SCHEMA_NAME


def _document(
    kind: str,
    schema_name: str,
    filename: str,
    *,
    status: str = Document.Status.DONE,
    params: dict[str, Any] | None = None,
    batch: uuid.UUID | None = None,
) -> Document:
    """A document row as the worker leaves it: finished with its file, failed, or pending."""
    document = Document(
        kind=kind,
        schema_name=schema_name,
        params=params or {},
        title=filename.removesuffix(".pdf"),
        filename=filename,
        status=status,
        batch=batch,
    )
    if status == Document.Status.DONE:
        content = f"%PDF-1.7 {filename}".encode()
        document.progress = 100
        document.size = len(content)
        document.sha256 = hashlib.sha256(content).hexdigest()
        document.sha512 = hashlib.sha512(content).hexdigest()
        document.file.save(filename, ContentFile(content), save=False)
    elif status == Document.Status.FAILED:
        document.error = "Die Vorlage ist unvollständig."
    document.save()
    return document


def _content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


# --- one document, per kind -----------------------------------------------------------------


def test_a_requested_roadmap_pdf_answers_htmx_with_the_progress_partial(portal: Portal, client_for):
    client = client_for(portal.officer_a, portal.a)
    response = client.post("/roadmap/zeitplan/pdf/", **HX)
    assert response.status_code == 200
    document = Document.objects.filter(kind=ROADMAP_KIND).latest("pk")
    assert document.schema_name == portal.a.schema_name
    assert document.created_by_id == portal.officer_a.pk
    body = response.content.decode()
    assert "<html" not in body and "<progress" in body
    assert f'data-hx-get="/roadmap/zeitplan/pdf/{document.pk}/status/"' in body

    plain = client.post("/roadmap/zeitplan/pdf/")
    latest = Document.objects.filter(kind=ROADMAP_KIND).latest("pk")
    assert plain.status_code == 302
    assert plain["Location"] == f"/roadmap/zeitplan/?dokument={latest.pk}"


def test_a_requested_notice_goes_back_to_the_share_page(portal: Portal, client_for):
    from tests.costsharing.factories import budget_year

    budget_year(2077)
    client = client_for(portal.treasurer_a, portal.a)
    response = client.post("/kosten/2077/bescheid/")
    assert response.status_code == 302 and response["Location"] == "/kosten/2077/"
    document = Document.objects.filter(kind=NOTICE_KIND).latest("pk")
    assert document.params == {"municipality_id": portal.a.pk, "year": 2077}
    assert document.schema_name == portal.a.schema_name
    assert client.post("/kosten/2078/bescheid/").status_code == 404  # no such budget year


STATUS_AND_DOWNLOAD = [
    # kind, audience, status URL, download URL (by document id)
    (ROADMAP_KIND, "a", "/roadmap/zeitplan/pdf/{pk}/status/", "/roadmap/zeitplan/pdf/{pk}/"),
    (ROADMAP_KIND, "kreis", "/roadmap/zeitplan/pdf/{pk}/status/", "/roadmap/zeitplan/pdf/{pk}/"),
    (NOTICE_KIND, "a", "/kosten/dokumente/{pk}/", "/kosten/dokumente/{pk}/herunterladen/"),
]


def _reader(portal: Portal, audience: str, kind: str) -> tuple[User, Municipality | None]:
    if audience == "kreis":
        return portal.coordinator, None
    return (portal.treasurer_a if kind == NOTICE_KIND else portal.officer_a), portal.a


@pytest.mark.parametrize(("kind", "audience", "status_url", "download_url"), STATUS_AND_DOWNLOAD)
def test_status_shows_the_download_and_the_download_is_the_file(
    portal: Portal, client_for, kind, audience, status_url, download_url
):
    user, town = _reader(portal, audience, kind)
    schema = town.schema_name if town else PUBLIC
    document = _document(kind, schema, f"Flow-{audience}-{kind}.pdf")
    client = client_for(user, town)
    status = client.get(status_url.format(pk=document.pk), **HX)
    assert status.status_code == 200
    assert f'href="{download_url.format(pk=document.pk)}"' in status.content.decode()
    download = client.get(download_url.format(pk=document.pk))
    assert download.status_code == 200
    content = _content(download)
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert download["Content-Disposition"] == f'attachment; filename="{document.filename}"'
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("kind", "audience", "status_url", "download_url"), STATUS_AND_DOWNLOAD)
def test_a_document_not_finished_yet_is_not_downloaded(
    portal: Portal, client_for, kind, audience, status_url, download_url
):
    user, town = _reader(portal, audience, kind)
    document = _document(
        kind, town.schema_name if town else PUBLIC, "Wartet.pdf", status=Document.Status.PENDING
    )
    client = client_for(user, town)
    status = client.get(status_url.format(pk=document.pk), **HX).content.decode()
    assert "wird erstellt" in status and "<progress" in status
    assert client.get(download_url.format(pk=document.pk)).status_code == 409


def test_another_municipality_never_reaches_a_document(portal: Portal, client_for):
    notice = _document(NOTICE_KIND, portal.a.schema_name, "Bescheid-A.pdf")
    roadmap = _document(ROADMAP_KIND, portal.a.schema_name, "Roadmap-A.pdf")
    county = _document(ROADMAP_KIND, PUBLIC, "Roadmap-Kreis.pdf")
    own_b = client_for(portal.treasurer_b, portal.b)
    for url in (f"/kosten/dokumente/{notice.pk}/", f"/kosten/dokumente/{notice.pk}/herunterladen/"):
        assert own_b.get(url).status_code == 404  # on its own subdomain: not there
        assert client_for(portal.treasurer_b, portal.a).get(url).status_code == 403
    officer_b = client_for(portal.officer_b, portal.b)
    for document in (roadmap, county):  # neither A's nor the county's PDF is B's
        assert officer_b.get(f"/roadmap/zeitplan/pdf/{document.pk}/").status_code == 404
        assert officer_b.get(f"/roadmap/zeitplan/pdf/{document.pk}/status/").status_code == 404
    # the county page does not serve a municipality's own PDF either
    kreis = client_for(portal.coordinator)
    assert kreis.get(f"/roadmap/zeitplan/pdf/{roadmap.pk}/").status_code == 404
    # a document id of another kind is not found under this kind's URL
    assert kreis.get(f"/roadmap/zeitplan/pdf/{notice.pk}/").status_code == 404


def test_only_who_may_sends_a_failed_document_again(portal: Portal, client_for):
    document = _document(ROADMAP_KIND, PUBLIC, "Fehlgeschlagen.pdf", status=Document.Status.FAILED)
    url = f"/roadmap/zeitplan/pdf/{document.pk}/status/"
    treasurer = client_for(portal.centre_treasurer)
    shown = treasurer.get(url, **HX).content.decode()
    assert "Die Vorlage ist unvollständig." in shown and "Neu versuchen" not in shown
    assert treasurer.post(url, **HX).status_code == 403
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED

    coordinator = client_for(portal.coordinator)
    assert "Neu versuchen" in coordinator.get(url, **HX).content.decode()
    again = coordinator.post(url, **HX)
    assert again.status_code == 200 and "<progress" in again.content.decode()
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING and document.error == ""
    # without htmx the form goes back to the page it came from (of this host only)
    back = f"http://{portal.host()}/roadmap/zeitplan/"
    assert coordinator.post(url, HTTP_REFERER=back)["Location"] == back


def test_a_paper_pdf_is_named_by_its_paper_on_both_sides(portal: Portal, client_for):
    template = paper_template("Ablauf-Test")
    paper_a = paper_for(portal.a, 2077, template)
    paper_b = paper_for(portal.b, 2077, template)
    document = finished_document(paper_a, b"%PDF-1.7 Vorlage A")
    kreis = client_for(portal.coordinator)
    status = kreis.get(f"/beschlussvorlagen/{paper_a.pk}/pdf/status/", **HX).content.decode()
    assert f'href="/beschlussvorlagen/{paper_a.pk}/pdf/herunterladen/"' in status
    download = kreis.get(f"/beschlussvorlagen/{paper_a.pk}/pdf/herunterladen/")
    assert _content(download) == b"%PDF-1.7 Vorlage A"
    assert kreis.get(f"/beschlussvorlagen/{paper_b.pk}/pdf/status/").status_code == 404  # no PDF
    own = client_for(portal.reader_a, portal.a).get(
        f"/beschlussvorlagen/{paper_a.pk}/herunterladen/"
    )
    assert hashlib.sha256(_content(own)).hexdigest() == document.sha256
    other = client_for(portal.officer_b, portal.b)
    assert other.get(f"/beschlussvorlagen/{paper_a.pk}/herunterladen/").status_code == 404


# --- batches --------------------------------------------------------------------------------


def _batch(kind: str, names: list[str], *, params: list[dict[str, Any]] | None = None) -> uuid.UUID:
    batch = uuid.uuid4()
    for index, name in enumerate(names):
        _document(kind, PUBLIC, name, batch=batch, params=(params or [{}] * len(names))[index])
    return batch


def _zip_names(response: Any) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist())


def test_a_notice_batch_shows_its_progress_and_zips_the_notices(portal: Portal, client_for):
    batch = _batch(NOTICE_KIND, ["Kostenbeteiligung-A.pdf", "Kostenbeteiligung-B.pdf"])
    client = client_for(portal.centre_treasurer)
    page = client.get(f"/kosten/2077/bescheide/{batch}/")
    assert page.status_code == 200
    assert "2 von 2 Bescheiden fertig" in page.content.decode()
    partial = client.get(f"/kosten/2077/bescheide/{batch}/", **HX).content.decode()
    assert "<html" not in partial and 'id="bescheide"' in partial
    archive = client.get(f"/kosten/2077/bescheide/{batch}.zip")
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    assert archive["Content-Disposition"] == 'attachment; filename="Bescheide-2077.zip"'
    assert archive["X-Checksum-SHA256"] == hashlib.sha256(archive.content).hexdigest()
    assert _zip_names(archive) == ["Kostenbeteiligung-A.pdf", "Kostenbeteiligung-B.pdf"]
    # a member's treasurer has no Kreis role: the batch is not theirs to see
    assert client_for(portal.treasurer_a).get(f"/kosten/2077/bescheide/{batch}/").status_code == 403
    assert client.get(f"/kosten/2077/bescheide/{uuid.uuid4()}.zip").status_code == 404


def test_a_batch_still_running_is_not_zipped(portal: Portal, client_for):
    batch = _batch(NOTICE_KIND, ["Fertig.pdf"])
    _document(NOTICE_KIND, PUBLIC, "Wartet.pdf", status=Document.Status.PENDING, batch=batch)
    client = client_for(portal.centre_treasurer)
    assert (
        "1 von 2 Bescheiden fertig"
        in client.get(f"/kosten/2077/bescheide/{batch}/").content.decode()
    )
    refused = client.get(f"/kosten/2077/bescheide/{batch}.zip")
    assert refused.status_code == 409
    assert "Die Bescheide werden noch erstellt; bitte kurz warten." in refused.content.decode()


def test_a_paper_batch_zip_carries_the_checksums_of_its_files(portal: Portal, client_for):
    batch = _batch(paper_services.KIND, ["Vorlage-A.pdf", "Vorlage-B.pdf"])
    failed = _document(
        paper_services.KIND, PUBLIC, "Vorlage-C.pdf", status=Document.Status.FAILED, batch=batch
    )
    client = client_for(portal.coordinator)
    page = client.get(f"/beschlussvorlagen/jahr/2077/stapel/{batch}/").content.decode()
    assert "2 von 3 Vorlagen fertig" in page and "Die Vorlage ist unvollständig." in page
    for document in Document.objects.filter(batch=batch, status=Document.Status.DONE):
        assert f"<code>{document.sha256}</code>" in page
    archive = client.get(f"/beschlussvorlagen/jahr/2077/stapel/{batch}.zip")
    assert archive.status_code == 200
    assert archive["X-Checksum-SHA256"] == hashlib.sha256(archive.content).hexdigest()
    assert _zip_names(archive) == ["PRUEFSUMMEN.sha256", "Vorlage-A.pdf", "Vorlage-B.pdf"]
    zipped = zipfile.ZipFile(io.BytesIO(archive.content))
    sums = zipped.read("PRUEFSUMMEN.sha256").decode().splitlines()
    assert sorted(sums) == sorted(
        f"{hashlib.sha256(zipped.read(name)).hexdigest()}  {name}"
        for name in ("Vorlage-A.pdf", "Vorlage-B.pdf")
    )
    # sending the failed paper again is the coordinator's
    url = f"/beschlussvorlagen/jahr/2077/stapel/{batch}/"
    assert client_for(portal.centre_treasurer).post(url).status_code == 403
    assert client.post(url)["Location"] == url
    failed.refresh_from_db()
    assert failed.status == Document.Status.PENDING
