"""The Kreis' side of maturity (public schema): the versioned model, campaigns and the read model.

A model version never changes once loaded; a campaign pins one version, so the results of a
past campaign stay comparable. `Participation` is the read model the county pages read: one row
per campaign and municipality, written in the same transaction as the municipality's answers.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Municipality

LEVEL_MIN = 0
LEVEL_MAX = 4
level_validators = [MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]


class ModelVersion(models.Model):
    key = models.SlugField(_("Schlüssel"), max_length=60)
    version = models.CharField(_("Version"), max_length=20)
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    # The general level labels 0–4: [{"value": 0, "label": "...", "description": "..."}, ...]
    levels = models.JSONField(_("Stufen"), default=list)
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Modellversion")
        verbose_name_plural = _("Modellversionen")
        ordering = ["key", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="maturity_modelversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class Dimension(models.Model):
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.CASCADE, related_name="dimensions"
    )
    key = models.SlugField(_("Schlüssel"), max_length=60)
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    weight = models.DecimalField(
        _("Gewicht"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("Handlungsfeld")
        verbose_name_plural = _("Handlungsfelder")
        ordering = ["model_version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_version", "key"], name="maturity_dimension_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("Schlüssel"), max_length=80)
    text = models.TextField(_("Frage"))
    help = models.TextField(_("Erläuterung"), blank=True)
    weight = models.DecimalField(
        _("Gewicht"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    allow_not_relevant = models.BooleanField(_("„Nicht relevant“ erlaubt"), default=False)
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("Frage")
        verbose_name_plural = _("Fragen")
        ordering = ["dimension", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "key"], name="maturity_question_unique")
        ]

    def __str__(self) -> str:
        return self.key


class LevelDescriptor(models.Model):
    """What level n means for one question, and the measure that leads from n to n + 1."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="descriptors")
    level = models.PositiveSmallIntegerField(_("Stufe"), validators=level_validators)
    description = models.TextField(_("Beschreibung"))
    measure = models.TextField(_("Empfohlene Maßnahme"), blank=True)

    class Meta:
        verbose_name = _("Stufenbeschreibung")
        verbose_name_plural = _("Stufenbeschreibungen")
        ordering = ["question", "level"]
        constraints = [
            models.UniqueConstraint(fields=["question", "level"], name="maturity_descriptor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question.key} {self.level}"


class Campaign(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        CLOSED = "closed", _("abgeschlossen")

    name = models.CharField(_("Name"), max_length=120, unique=True)
    model_version = models.ForeignKey(
        ModelVersion,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("Modellversion"),
    )
    start_date = models.DateField(_("Beginn"))
    end_date = models.DateField(_("Ende"))
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Erhebung")
        verbose_name_plural = _("Erhebungen")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="maturity_campaign_period",
                violation_error_message=_("Das Ende darf nicht vor dem Beginn liegen."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Participation(models.Model):
    """Read model: one municipality in one campaign, projected from its tenant schema."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("nicht begonnen")
        STARTED = "started", _("begonnen")
        SUBMITTED = "submitted", _("abgegeben")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="maturity_participations"
    )
    status = models.CharField(
        _("Status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    # {dimension key: "62.5"} – Decimal strings, so that no float rounding creeps in.
    dimension_scores = models.JSONField(default=dict, blank=True)
    target_dimension_scores = models.JSONField(default=dict, blank=True)
    overall_index = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    target_index = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    answered_count = models.PositiveIntegerField(default=0)
    question_count = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Teilnahme")
        verbose_name_plural = _("Teilnahmen")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "municipality"], name="maturity_participation_unique"
            )
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.municipality}"
