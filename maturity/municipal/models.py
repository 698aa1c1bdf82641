"""A municipality's own maturity data: lives in each municipality's schema.

References into the public schema (campaign, question, user) are plain ids: a foreign key
constraint cannot cross schemas. The selectors and services check them.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

COMMENT_MAX_LENGTH = 2000
EVIDENCE_URL_MAX_LENGTH = 500
level_validators = [MinValueValidator(0), MaxValueValidator(4)]


class Assessment(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in Bearbeitung")
        SUBMITTED = "submitted", _("abgegeben")

    campaign_id = models.BigIntegerField(unique=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by_id = models.BigIntegerField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Selbsteinschätzung")
        verbose_name_plural = _("Selbsteinschätzungen")

    def __str__(self) -> str:
        return f"Selbsteinschätzung zur Erhebung {self.campaign_id}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    # A UUID, so that an answer id of another municipality never names one of this schema.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_id = models.BigIntegerField()
    current_level = models.PositiveSmallIntegerField(
        _("Ist-Stufe"), null=True, blank=True, validators=level_validators
    )
    target_level = models.PositiveSmallIntegerField(
        _("Soll-Stufe"), null=True, blank=True, validators=level_validators
    )
    not_relevant = models.BooleanField(_("Nicht relevant"), default=False)
    comment = models.TextField(
        _("Kommentar"), blank=True, validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)]
    )
    evidence_url = models.URLField(
        _("Nachweis (Link)"), max_length=EVIDENCE_URL_MAX_LENGTH, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_by_id = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Antwort")
        verbose_name_plural = _("Antworten")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question_id"], name="maturity_answer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Antwort auf Frage {self.question_id}"

    @property
    def is_answered(self) -> bool:
        return self.not_relevant or self.current_level is not None


class AnswerChange(models.Model):
    """Who changed an answer when, from what to what."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="changes")
    changed_by_id = models.BigIntegerField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)
    old = models.JSONField(default=dict)
    new = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("Änderung einer Antwort")
        verbose_name_plural = _("Änderungen von Antworten")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.answer_id} @ {self.changed_at:%Y-%m-%d %H:%M}"
