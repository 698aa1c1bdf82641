from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from izd.legal_defaults import default_for, placeholders_in
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


@dataclass(frozen=True)
class LegalReminder:
    kind: str
    title: str
    open_places: int


def legal_pages_to_complete() -> list[LegalReminder]:
    """The legal pages that still carry a "[bitte ergänzen/prüfen: …]" marker (one query)."""
    stored = {page.kind: page for page in LegalPage.objects.all()}
    reminders = []
    for kind in LegalPage.Kind.values:
        page = stored.get(kind)
        title, body = (page.title, page.body) if page else default_for(kind)
        found = placeholders_in(f"{title}\n{body}")
        if found:
            reminders.append(LegalReminder(kind, title, len(found)))
    return reminders
