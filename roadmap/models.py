"""The Kreis' side of roadmap (public schema): service catalogue, measures, target picture and
the read model of every municipality's service requests.

`RequestSummary` is written in the same transaction as the request in the municipality's schema,
so that the Kreis' triage page reads one table instead of looping over schemas.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Membership, Municipality

QUARTER_PATTERN = re.compile(r"^(20[0-9]{2})-Q([1-4])\Z")
quarter_validator = RegexValidator(
    QUARTER_PATTERN, _("Quartal in der Form 2026-Q1 angeben (Jahr, Bindestrich, Q1 bis Q4).")
)


class RequestStatus(models.TextChoices):
    """The workflow of a service request; shared by the tenant table and the read model."""

    SUBMITTED = "eingereicht", _("eingereicht")
    IN_REVIEW = "in_pruefung", _("in Prüfung")
    ACCEPTED = "angenommen", _("angenommen")
    REJECTED = "abgelehnt", _("abgelehnt")
    IN_PROGRESS = "in_umsetzung", _("in Umsetzung")
    DONE = "erledigt", _("erledigt")
    WITHDRAWN = "zurueckgezogen", _("zurückgezogen")


class Priority(models.TextChoices):
    LOW = "niedrig", _("niedrig")
    MEDIUM = "mittel", _("mittel")
    HIGH = "hoch", _("hoch")


def validate_requester_roles(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Mindestens eine Rolle auswählen, die die Leistung anfragen darf."))
    unknown = [role for role in value if role not in Membership.Role.values]
    if unknown:
        raise ValidationError(
            _("Unbekannte Rolle: %(roles)s"), params={"roles": ", ".join(unknown)}
        )


def default_requester_roles() -> list[str]:
    return [Membership.Role.DIGITAL_OFFICER.value]


class Service(models.Model):
    """A shared service of the centre (Leistungskatalog)."""

    class Category(models.TextChoices):
        EGOVERNMENT = "egovernment", _("E-Government und OZG")
        SECURITY = "sicherheit", _("Informationssicherheit")
        INFRASTRUCTURE = "infrastruktur", _("Infrastruktur und Arbeitsplatz")
        DATA = "daten", _("Geodaten und Daten")
        COMMUNITY = "gemeinschaft", _("Ehrenamt und Bürgerschaft")
        TRAINING = "qualifizierung", _("Qualifizierung")
        SMART_REGION = "smart_region", _("Smart Region")

    class Unit(models.TextChoices):
        HOURS = "stunden", _("Stunden")
        ACCOUNTS = "konten", _("Konten")
        LICENCES = "lizenzen", _("Lizenzen")
        PROJECTS = "projekte", _("Projekte")

    name = models.CharField(_("Name"), max_length=150, unique=True)
    description = models.TextField(_("Beschreibung"))
    category = models.CharField(_("Kategorie"), max_length=20, choices=Category.choices)
    unit = models.CharField(_("Einheit der Nutzung"), max_length=10, choices=Unit.choices)
    requester_roles = models.JSONField(
        _("Wer darf anfragen"),
        default=default_requester_roles,
        validators=[validate_requester_roles],
    )
    is_open = models.BooleanField(
        _("Offen für Anfragen"),
        default=True,
        help_text=_("Nur offene Leistungen können angefragt werden."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Leistung")
        verbose_name_plural = _("Leistungen")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name

    def requester_role_labels(self) -> list[str]:
        labels = dict(Membership.Role.choices)
        return [str(labels.get(role, role)) for role in self.requester_roles]


class RequestSummary(models.Model):
    """Read model: one municipality's service request, projected from its schema."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="roadmap_requests"
    )
    request_id = models.UUIDField(unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests")
    need = models.TextField(_("Bedarf"))
    quantity = models.DecimalField(_("Menge"), max_digits=10, decimal_places=2)
    priority = models.CharField(_("Priorität"), max_length=10, choices=Priority.choices)
    wished_date = models.DateField(_("Gewünscht bis"))
    status = models.CharField(
        _("Status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    requester_name = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Leistungsanfrage (Übersicht)")
        verbose_name_plural = _("Leistungsanfragen (Übersicht)")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "service"]),
            models.Index(fields=["municipality", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} – {self.service}"


def quarter_key(value: str) -> tuple[int, int]:
    match = QUARTER_PATTERN.match(value)
    if match is None:
        raise ValueError(f"not a quarter: {value}")
    return int(match.group(1)), int(match.group(2))


class Measure(models.Model):
    """A measure (Maßnahme) on the roadmap.

    No participating municipality means: the whole county takes part.
    """

    class Status(models.TextChoices):
        PLANNED = "geplant", _("geplant")
        IN_PROGRESS = "in_umsetzung", _("in Umsetzung")
        DONE = "abgeschlossen", _("abgeschlossen")
        ON_HOLD = "zurueckgestellt", _("zurückgestellt")

    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    dimension_key = models.SlugField(_("Handlungsfeld"), max_length=60)
    start_quarter = models.CharField(
        _("Beginn (Quartal)"), max_length=7, validators=[quarter_validator]
    )
    end_quarter = models.CharField(
        _("Ende (Quartal)"), max_length=7, validators=[quarter_validator]
    )
    responsible = models.CharField(_("Verantwortlich"), max_length=150)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    municipalities = models.ManyToManyField(
        Municipality,
        blank=True,
        related_name="roadmap_measures",
        verbose_name=_("Beteiligte Kommunen"),
    )
    requests = models.ManyToManyField(
        RequestSummary, blank=True, related_name="measures", verbose_name=_("Beantwortete Anfragen")
    )
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents",
        verbose_name=_("Hängt ab von"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")
        ordering = ["start_quarter", "end_quarter", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if (
            QUARTER_PATTERN.match(self.start_quarter or "")
            and QUARTER_PATTERN.match(self.end_quarter or "")
            and quarter_key(self.end_quarter) < quarter_key(self.start_quarter)
        ):
            raise ValidationError({"end_quarter": _("Das Ende darf nicht vor dem Beginn liegen.")})


class TargetLevel(models.Model):
    """The target picture (Zielbild): the level the county aims at per dimension and year."""

    dimension_key = models.SlugField(_("Handlungsfeld"), max_length=60)
    year = models.PositiveSmallIntegerField(
        _("Jahr"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    level = models.PositiveSmallIntegerField(
        _("Zielstufe"), validators=[MinValueValidator(0), MaxValueValidator(4)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Zielbild-Stufe")
        verbose_name_plural = _("Zielbild")
        ordering = ["dimension_key", "year"]
        constraints = [
            models.UniqueConstraint(fields=["dimension_key", "year"], name="roadmap_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dimension_key} {self.year}: {self.level}"
