"""Paper templates (Vorlagenmuster) and the check of their placeholder texts."""

from __future__ import annotations

from django.db import transaction

from izd.audit import recording as audit
from roadmap.papers.models import PaperTemplate
from roadmap.papers.services.common import _validate_texts


@transaction.atomic
def template_save(template: PaperTemplate) -> PaperTemplate:
    _validate_texts(
        subject=template.subject,
        facts=template.facts,
        resolution=template.resolution,
        attachments=template.attachments,
    )
    before = audit.stored_snapshot(template, *_TEMPLATE_FIELDS)
    template.full_clean()
    template.save()
    audit.record_saved(
        "template_save", audit.Kind.PAPER, f"Vorlagenmuster „{template.name}“", template,
        before=before, fields=_TEMPLATE_FIELDS,
    )  # fmt: skip
    return template


_TEMPLATE_FIELDS = (
    "name", "subject", "facts", "resolution", "attachments", "office", "file_reference",
)  # fmt: skip


def validate_overrides(**texts: str) -> None:
    _validate_texts(**texts)
