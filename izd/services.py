from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from izd.models import LegalPage


@transaction.atomic
def legal_page_update(
    *, kind: str, title: str, body: str, feedback_email: str, user: AbstractBaseUser
) -> LegalPage:
    page = LegalPage.objects.filter(kind=kind).first() or LegalPage(kind=kind)
    page.title = title
    page.body = body
    page.feedback_email = feedback_email
    page.updated_by_id = user.pk
    page.full_clean()
    page.save()
    return page
