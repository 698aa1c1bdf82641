"""OParl 1.1 export of one decision paper for signed-in staff (also for papers that are not
public): Paper with embedded Consultations and File.

The objects are plain dicts; the URLs come from a `Links` the view builds for its own host, so
a municipality's export points at its own subdomain and the Kreis' at the Kreis domain. A
committee links to its one Organization in the public API (`roadmap.papers.oparl.api`).
Validated against the OParl 1.1 schema files in tests/papers/test_oparl.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from izd.models import Document
from roadmap.papers.models import Consultation, Paper

SCHEMA = "https://schema.oparl.org/1.1/"
PAPER_TYPE = "Beschlussvorlage"
ROLES: dict[str, str] = {
    Consultation.Role.PRELIMINARY: "Vorberatung",
    Consultation.Role.DECIDING: "Beschlussfassung",
}


@dataclass(frozen=True)
class Links:
    """Absolute URLs of the exported objects (each one answers with its JSON)."""

    paper: Callable[[Paper], str]
    consultation: Callable[[Consultation], str]
    organization: Callable[[Consultation], str]
    file: Callable[[Paper], str]
    access: Callable[[Paper], str]
    download: Callable[[Paper], str]
    web: Callable[[Paper], str] | None = None


def _stamp(value: Any) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def file_object(paper: Paper, document: Document, links: Links) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": links.file(paper),
        "type": SCHEMA + "File",
        "name": document.title,
        "fileName": document.filename,
        "mimeType": document.mime_type,
        "size": document.size or 0,
        "sha512Checksum": document.sha512,
        "accessUrl": links.access(paper),
        "downloadUrl": links.download(paper),
        "paper": [links.paper(paper)],
        "created": _stamp(document.created_at),
        "modified": _stamp(document.finished_at or document.created_at),
    }
    if document.finished_at:
        data["date"] = timezone.localtime(document.finished_at).date().isoformat()
    return data


def consultation_object(paper: Paper, consultation: Consultation, links: Links) -> dict[str, Any]:
    return {
        "id": links.consultation(consultation),
        "type": SCHEMA + "Consultation",
        "paper": links.paper(paper),
        "organization": [links.organization(consultation)],
        "role": ROLES.get(consultation.role, consultation.get_role_display()),
        "authoritative": consultation.authoritative,
        "keyword": [consultation.get_role_display()]
        + ([consultation.meeting_date.isoformat()] if consultation.meeting_date else []),
    }


def finished_document(paper: Paper) -> Document | None:
    document = paper.document
    if document is None or document.status != Document.Status.DONE or not document.file:
        return None
    return document


def paper_object(paper: Paper, links: Links) -> dict[str, Any]:
    """The paper as an OParl 1.1 Paper with its consultations and files embedded."""
    subject = paper.subject_override or paper.template.subject
    data: dict[str, Any] = {
        "id": links.paper(paper),
        "type": SCHEMA + "Paper",
        "name": plain_subject(paper, subject),
        "reference": paper.reference,
        "date": paper.date.isoformat(),
        "paperType": PAPER_TYPE,
        "auxiliaryFile": [],
        "consultation": [consultation_object(paper, c, links) for c in paper.consultations.all()],
        "keyword": ["öffentlich" if paper.is_public else "nicht öffentlich"],
        "created": _stamp(paper.created_at),
        "modified": _stamp(paper.updated_at),
    }
    document = finished_document(paper)
    if document is not None:
        data["mainFile"] = file_object(paper, document, links)
    if links.web is not None:
        data["web"] = links.web(paper)
    return data


def plain_subject(paper: Paper, subject: str) -> str:
    """The subject with placeholders that need no figures filled in; others stay as written."""
    from roadmap.papers import placeholders

    values = {
        "kommune": paper.municipality.name,
        "jahr": str(paper.year),
        "vorjahr": str(paper.year - 1),
        "folgejahr": str(paper.year + 1),
        "drucksache": paper.reference,
    }
    return placeholders.PATTERN.sub(lambda m: values.get(m.group(1), m.group(0)), subject)
