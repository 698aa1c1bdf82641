"""The objects of the public OParl 1.1 API as plain dicts.

Ids are URLs built from database keys that never change when a paper is edited: a paper, a
committee (Organization), a meeting, a consultation (its agenda item has the same key) and the
paper's PDF (File, keyed by the paper). An object that no longer exists publicly answers as
``deleted: true`` with only `id`, `type`, `created` and `modified`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from izd import formats
from izd.models import Document
from roadmap.papers.models import Committee, Consultation, Meeting, Paper
from roadmap.papers.oparl.export import PAPER_TYPE, ROLES, SCHEMA, plain_subject
from tenants.models import Municipality

OPARL_VERSION = SCHEMA
LISTS = ("organization", "person", "meeting", "paper", "agendaItem", "consultation", "file")


@dataclass(frozen=True)
class Urls:
    """Absolute URLs of the API on the Kreis domain (`base` is scheme, host and port)."""

    base: str

    def _url(self, name: str, *args: object) -> str:
        path = reverse(f"oparl:{name}", args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        return self.base + path

    def system(self) -> str:
        return self._url("system")

    def bodies(self) -> str:
        return self._url("bodies")

    def body(self, body_id: int) -> str:
        return self._url("body", body_id)

    def body_list(self, body_id: int, kind: str) -> str:
        return self._url(f"body_{kind}", body_id)

    def paper(self, paper_id: int) -> str:
        return self._url("paper", paper_id)

    def organization(self, committee_id: int) -> str:
        return self._url("organization", committee_id)

    def organization_meetings(self, committee_id: int) -> str:
        return self._url("organization_meetings", committee_id)

    def meeting(self, meeting_id: int) -> str:
        return self._url("meeting", meeting_id)

    def agenda_item(self, consultation_id: int) -> str:
        return self._url("agenda_item", consultation_id)

    def consultation(self, consultation_id: int) -> str:
        return self._url("consultation", consultation_id)

    def file(self, paper_id: int) -> str:
        return self._url("file", paper_id)

    def file_access(self, paper_id: int) -> str:
        return self._url("file_access", paper_id)

    def file_download(self, paper_id: int) -> str:
        return self._url("file_download", paper_id)


def stamp(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _type(name: str) -> str:
    return SCHEMA + name


def deleted_object(kind: str, url: str, created: datetime, modified: datetime) -> dict[str, Any]:
    """What an object that is gone (or no longer public) answers: OParl 1.1 keeps id, type and
    created, sets modified to the time it went and drops everything else."""
    return {
        "id": url,
        "type": _type(kind),
        "created": stamp(created),
        "modified": stamp(max(created, modified)),
        "deleted": True,
    }


def system_object(urls: Urls, bodies: list[Municipality]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": urls.system(),
        "type": _type("System"),
        "oparlVersion": OPARL_VERSION,
        "body": urls.bodies(),
        "name": f"IZD-Portal {settings.KREIS_NAME}",
    }
    if bodies:
        data["created"] = stamp(min(b.created_at for b in bodies))
        data["modified"] = stamp(max(b.updated_at for b in bodies))
    return data


def body_object(body: Municipality, urls: Urls) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": urls.body(body.pk),
        "type": _type("Body"),
        "system": urls.system(),
        "name": body.name,
        "shortName": body.name,
        "ags": body.ags,
        "classification": "Kreis" if body.is_kreis else "Kommune",
        "legislativeTerm": [],
        "created": stamp(body.created_at),
        "modified": stamp(body.updated_at),
    }
    for kind in LISTS:
        data[kind] = urls.body_list(body.pk, kind)
    return data


def organization_object(committee: Committee, urls: Urls) -> dict[str, Any]:
    if not getattr(committee, "visible", True):
        return deleted_object(
            "Organization",
            urls.organization(committee.pk),
            committee.created_at,
            committee.updated_at,
        )
    return {
        "id": urls.organization(committee.pk),
        "type": _type("Organization"),
        "body": urls.body(committee.municipality_id),
        "name": committee.name,
        "organizationType": "Gremium",
        "meeting": urls.organization_meetings(committee.pk),
        "created": stamp(committee.created_at),
        "modified": stamp(committee.updated_at),
    }


def _result(consultation: Consultation) -> dict[str, str]:
    """The council's decision belongs to the agenda item of the deciding committee."""
    paper = consultation.paper
    if not consultation.authoritative or not paper.result:
        return {}
    data = {"result": paper.get_result_display()}
    if paper.decision_note:
        data["resolutionText"] = paper.decision_note
    return data


def _consultation_deleted(consultation: Consultation) -> bool:
    return consultation.deleted_at is not None


def agenda_item_object(consultation: Consultation, order: int | None, urls: Urls) -> dict[str, Any]:
    """The consultation as an item of its meeting's agenda; `order` counts from 1 among the
    meeting's public items (None: look it up)."""
    url = urls.agenda_item(consultation.pk)
    if _consultation_deleted(consultation) or consultation.meeting_id is None:
        return deleted_object(
            "AgendaItem", url, consultation.created_at, consultation.deleted_at or timezone.now()
        )
    if order is None:
        order = 1 + list(
            Consultation.objects.filter(meeting_id=consultation.meeting_id, paper__is_public=True)
            .values_list("pk", flat=True)
            .order_by("pk")
        ).index(consultation.pk)
    paper = consultation.paper
    subject = plain_subject(paper, paper.subject_override or paper.template.subject)
    return {
        "id": url,
        "type": _type("AgendaItem"),
        "meeting": urls.meeting(consultation.meeting_id),
        "number": str(order),
        "order": order,
        "name": f"{subject} (Drucksache {paper.reference})",
        "public": True,
        "consultation": urls.consultation(consultation.pk),
        **_result(consultation),
        "created": stamp(consultation.created_at),
        "modified": stamp(max(consultation.updated_at, paper.updated_at)),
    }


def consultation_object(consultation: Consultation, urls: Urls) -> dict[str, Any]:
    url = urls.consultation(consultation.pk)
    if _consultation_deleted(consultation):
        assert consultation.deleted_at is not None
        return deleted_object("Consultation", url, consultation.created_at, consultation.deleted_at)
    data: dict[str, Any] = {
        "id": url,
        "type": _type("Consultation"),
        "paper": urls.paper(consultation.paper_id),
        "organization": [urls.organization(consultation.committee_id)],
        "role": ROLES.get(consultation.role, consultation.get_role_display()),
        "authoritative": consultation.authoritative,
    }
    if consultation.meeting_id is not None:
        data["meeting"] = urls.meeting(consultation.meeting_id)
        data["agendaItem"] = urls.agenda_item(consultation.pk)
    data["created"] = stamp(consultation.created_at)
    data["modified"] = stamp(consultation.updated_at)
    return data


def meeting_object(meeting: Meeting, items: list[Consultation], urls: Urls) -> dict[str, Any]:
    url = urls.meeting(meeting.pk)
    if not getattr(meeting, "visible", True) or not items:
        return deleted_object("Meeting", url, meeting.created_at, meeting.updated_at)
    # The portal records the day of a meeting, not its hour: the start is that day's midnight.
    start = timezone.make_aware(datetime.combine(meeting.date, time()))
    return {
        "id": url,
        "type": _type("Meeting"),
        "name": f"{meeting.committee.name}, Sitzung am {formats.day(meeting.date)}",
        "meetingState": "durchgeführt" if meeting.date < timezone.localdate() else "terminiert",
        "start": stamp(start),
        "organization": [urls.organization(meeting.committee_id)],
        "agendaItem": [
            agenda_item_object(item, order, urls) for order, item in enumerate(items, start=1)
        ],
        "created": stamp(meeting.created_at),
        "modified": stamp(meeting.updated_at),
    }


def file_object(paper: Paper, document: Document, urls: Urls) -> dict[str, Any]:
    finished = document.finished_at or document.created_at
    return {
        "id": urls.file(paper.pk),
        "type": _type("File"),
        "name": document.title,
        "fileName": document.filename,
        "mimeType": document.mime_type,
        "date": timezone.localtime(finished).date().isoformat(),
        "size": document.size or 0,
        "sha512Checksum": document.sha512,
        "accessUrl": urls.file_access(paper.pk),
        "downloadUrl": urls.file_download(paper.pk),
        "paper": [urls.paper(paper.pk)],
        "created": stamp(document.created_at),
        "modified": stamp(finished),
    }


def paper_object(paper: Paper, document: Document | None, urls: Urls) -> dict[str, Any]:
    subject = paper.subject_override or paper.template.subject
    data: dict[str, Any] = {
        "id": urls.paper(paper.pk),
        "type": _type("Paper"),
        "body": urls.body(paper.municipality_id),
        "name": plain_subject(paper, subject),
        "reference": paper.reference,
        "date": paper.date.isoformat(),
        "paperType": PAPER_TYPE,
        "consultation": [consultation_object(c, urls) for c in paper.consultations.all()],
        "created": stamp(paper.created_at),
        "modified": stamp(paper.updated_at),
    }
    if document is not None:
        data["mainFile"] = file_object(paper, document, urls)
    return data
