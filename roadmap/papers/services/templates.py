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
    label = f"Vorlagenmuster „{template.name}“"
    return audit.save_recorded(
        template, "template_save", audit.Kind.PAPER, label, fields=_TEMPLATE_FIELDS
    )


_TEMPLATE_FIELDS = (
    "name", "subject", "facts", "resolution", "attachments", "office", "file_reference",
)  # fmt: skip


def validate_overrides(**texts: str) -> None:
    _validate_texts(**texts)
