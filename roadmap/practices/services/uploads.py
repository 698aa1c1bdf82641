"""Attachments of a practice (files checked and stored by `roadmap.practices.attachments`)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction

from roadmap.practices import attachments
from roadmap.practices.models import Attachment, ExchangeEvent, Practice
from roadmap.practices.services.common import PracticeError, _clean, _record_practice
from tenants.models import User


@transaction.atomic
def attachment_add(
    *,
    practice: Practice,
    name: str,
    data: bytes,
    title: str,
    kind: str,
    user: User,
    event: ExchangeEvent | None = None,
) -> Attachment:
    """Store a file after checking its content; a refused file leaves nothing behind."""
    try:
        checked = attachments.check(
            name=name, data=data, max_bytes=settings.PRACTICE_ATTACHMENT_MAX_BYTES
        )
    except attachments.AttachmentRefused as error:
        raise PracticeError(str(error), 400) from error
    attachment = Attachment(
        practice=practice,
        event=event,
        kind=kind,
        title=(title or checked.filename).strip(),
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=user,
    )
    _clean(attachment)
    attachment.save()
    _record_practice(
        "attachment_add", practice, f"Datei „{attachment.filename}“ hinzugefügt", user,
        [{"field": "Datei", "before": "",
          "after": f"{attachment.title} ({attachment.filename}, {attachment.size} Bytes, "
                   f"SHA-256 {attachment.sha256})"}],
    )  # fmt: skip
    return attachment
