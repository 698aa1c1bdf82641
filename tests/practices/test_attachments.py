"""Attachments are accepted by their content, not their name; a refused file gets a German
message and nothing is stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import override_settings

from roadmap.practices.models import Attachment
from tests.conftest import Portal
from tests.practices.factories import make_practice

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
DOCX = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"})
XLSX = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"})


@pytest.fixture
def practice(portal: Portal):
    return make_practice(author=portal.officer_a, municipality=portal.a, state="entwurf")


BOUNDARY = "----izdtestgrenze"


def _multipart(name: str, data: bytes) -> bytes:
    """Built by hand: Django's test client (like browsers' file objects) would cut the path
    from the name before sending it; a tampered request sends it as it is."""
    quoted = name.replace('"', "%22")
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nkonzept\r\n',
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\n\r\n',
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n",
    ]
    return "".join(parts).encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def _upload(client, practice, name: str, data: bytes):
    return client.generic(
        "POST",
        f"/praxis/{practice.pk}/anhaenge/",
        _multipart(name, data),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("konzept.pdf", PDF, "application/pdf"),
        ("vorlage.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("vorlage.docx", DOCX,
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("kosten.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("foto.png", PNG, "image/png"),
        ("foto.jpg", JPEG, "image/jpeg"),
        # The name does not matter, the content does: a PDF called .txt is a PDF.
        ("notiz.txt", PDF, "application/pdf"),
    ],
)  # fmt: skip
def test_accepted_types_are_stored_with_their_sniffed_type(
    portal, client_for, practice, name, data, content_type
):
    response = _upload(client_for(portal.officer_a, portal.a), practice, name, data)
    assert response.status_code == 302
    stored = Attachment.objects.get(practice=practice)
    assert stored.content_type == content_type
    assert bytes(stored.data) == data
    download = client_for(portal.officer_a, portal.a).get(
        f"/praxis/{practice.pk}/anhaenge/{stored.pk}/"
    )
    assert download["Content-Type"] == content_type
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bericht.pdf", b"MZ\x90\x00 not a pdf", "Dieser Dateityp wird nicht angenommen"),
        ("bericht.docx", _zip({"evil.sh": b"rm"}), "Dieser Dateityp wird nicht angenommen"),
        ("seite.pdf", b"<html><script>alert(1)</script>", "Dieser Dateityp wird nicht angenommen"),
        ("../../etc/passwd.pdf", PDF, "Pfadangaben"),
        ("ordner\\datei.pdf", PDF, "Pfadangaben"),
        ("datei\x07.pdf", PDF, "Steuerzeichen"),
        ("datei\u202egpj.pdf", PDF, "Steuerzeichen"),
    ],
)
def test_refused_files_get_a_german_message_and_nothing_is_stored(
    portal, client_for, practice, name, data, message
):
    response = _upload(client_for(portal.officer_a, portal.a), practice, name, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Attachment.objects.filter(practice=practice).exists()


@override_settings(PRACTICE_ATTACHMENT_MAX_BYTES=1024)
def test_a_file_over_the_configured_size_is_refused(portal, client_for, practice):
    response = _upload(client_for(portal.officer_a, portal.a), practice, "gross.pdf",
                       PDF + b"0" * 2048)  # fmt: skip
    assert response.status_code == 400
    assert "Die Datei ist zu groß" in response.content.decode()
    assert not Attachment.objects.filter(practice=practice).exists()


def test_size_limit_comes_from_the_environment(monkeypatch):
    from izd.env import env_int

    monkeypatch.setenv("IZD_PRACTICE_ATTACHMENT_MAX_MB", "3")
    assert env_int("IZD_PRACTICE_ATTACHMENT_MAX_MB", 10, minimum=1) == 3


def test_other_municipality_cannot_attach_to_a_practice(portal, client_for, practice):
    response = _upload(client_for(portal.officer_b, portal.b), practice, "x.pdf", PDF)
    assert response.status_code == 404
    assert not Attachment.objects.filter(practice=practice).exists()


def test_upload_still_needs_the_csrf_token(portal, practice):
    from django.test import Client

    from tests.conftest import BACKEND

    client = Client(HTTP_HOST=portal.host(portal.a), enforce_csrf_checks=True)
    client.force_login(portal.officer_a, backend=BACKEND)
    response = _upload(client, practice, "konzept.pdf", PDF)
    assert response.status_code == 403
    assert not Attachment.objects.filter(practice=practice).exists()
