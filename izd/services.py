from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from izd.audit import recording as audit
from izd.models import LegalPage


@transaction.atomic
def legal_page_update(
    *, kind: str, title: str, body: str, feedback_email: str, user: AbstractBaseUser
) -> LegalPage:
    page = LegalPage.objects.filter(kind=kind).first() or LegalPage(kind=kind)
    fields = ("title", "body", "feedback_email")
    before = audit.snapshot(page, *fields) if page.pk else {}
    page.title = title
    page.body = body
    page.feedback_email = feedback_email
    page.updated_by_id = user.pk
    label = str(page.get_kind_display())
    return audit.save_recorded(
        page, "legal_page_update", audit.Kind.SETTINGS, summary=f"{label} geändert",
        object_label=label, fields=fields, before=before, actor=user,
    )  # fmt: skip
