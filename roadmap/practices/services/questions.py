"""Questions about a practice and the author's answers."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from izd.mail import mail_after_commit
from roadmap.practices.models import Practice, Question
from roadmap.practices.services.common import PracticeError, _clean, _record_practice
from tenants import selectors as tenant_selectors
from tenants.models import Municipality, User


@transaction.atomic
def question_ask(
    *, practice: Practice, user: User, municipality: Municipality | None, text: str
) -> Question:
    version = practice.published_version
    if version is None:
        raise PracticeError("Fragen sind nur zu veröffentlichten Praxisbeispielen möglich.", 409)
    question = Question(practice=practice, asked_by=user, municipality=municipality, text=text)
    question.text = question.text.strip()
    _clean(question)
    question.save()
    _record_practice(
        "question_ask", practice, "Frage gestellt", user,
        [{"field": "Frage", "before": "", "after": question.text}], title=version.title,
    )  # fmt: skip
    mail_after_commit(
        f"Neue Frage zu Ihrem Praxisbeispiel „{version.title}“",
        f"{user.get_full_name() or user.email} fragt:\n\n{question.text}",
        [version.contact_email],
    )
    return question


@transaction.atomic
def question_answer(*, question: Question, user: User, text: str) -> Question:
    question = Question.objects.select_for_update().get(pk=question.pk)
    answer_before = question.answer
    question.answer = text.strip()
    if not question.answer:
        raise PracticeError("Bitte eine Antwort eingeben.", 400)
    question.answered_by = user
    question.answered_at = timezone.now()
    _clean(question)
    question.save()
    asker = tenant_selectors.active_user(question.asked_by_id)
    practice = Practice.objects.get(pk=question.practice_id)
    version = practice.published_version
    title = version.title if version else ""
    _record_practice(
        "question_answer", practice, "Frage beantwortet", user,
        [{"field": "Antwort", "before": answer_before, "after": question.answer}],
        title=title,
    )  # fmt: skip
    mail_after_commit(
        f"Antwort auf Ihre Frage zu „{title}“",
        f"Ihre Frage:\n{question.text}\n\nAntwort:\n{question.answer}",
        [asker.email] if asker else [],
    )
    return question
