from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from izd.legal_defaults import default_for
from izd.models import LegalPage


@dataclass(frozen=True)
class LegalContent:
    kind: str
    title: str
    paragraphs: list[str]
    feedback_email: str


def legal_page_content(kind: str) -> LegalContent:
    page = LegalPage.objects.filter(kind=kind).first()
    if page is None:
        title, body = default_for(kind)
        email = settings.DEFAULT_FROM_EMAIL if kind == LegalPage.Kind.ACCESSIBILITY else ""
        feedback = f"barrierefreiheit@{settings.BASE_DOMAIN}" if email else ""
        return LegalContent(kind, title, _paragraphs(body), feedback)
    return LegalContent(kind, page.title, _paragraphs(page.body), page.feedback_email)


def _paragraphs(body: str) -> list[str]:
    return [part.strip() for part in body.replace("\r\n", "\n").split("\n\n") if part.strip()]
