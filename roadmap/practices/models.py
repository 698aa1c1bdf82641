"""The best-practice exchange ("Einer für alle"): lives in the public schema.

A practice is the stable identity (author, visibility, adoptions, questions); its content lives
in numbered versions. Readers only ever see the published version, whose text is copied into the
practice's stored search vector at publication, so that search reads one indexed column.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from roadmap.models import Measure, RequestSummary, Service
from tenants.models import Municipality

TEXT_MAX = 8000


class Visibility(models.TextChoices):
    CENTRE = "zentrum", _("nur das Zentrum")
    MEMBERS = "mitglieder", _("alle Mitglieder des Zentrums")
    PUBLIC = "oeffentlich", _("öffentlich")


class ProjectStatus(models.TextChoices):
    IDEA = "idee", _("Idee")
    PILOT = "pilot", _("Pilot")
    OPERATION = "betrieb", _("im Betrieb")
    DISCONTINUED = "eingestellt", _("eingestellt")


class ReuseTerms(models.TextChoices):
    TEMPLATES = "vorlagen", _("freie Vorlagen")
    OPEN_SOURCE = "open_source", _("Open-Source-Lizenz")
    EFA = "efa", _("EfA-Onlinedienst")
    SHARED_SERVICE = "zentrum", _("gemeinsame Leistung des Zentrums")


class Product(models.Model):
    """A product or service a practice uses (Civento, an OZG online service, ...)."""

    name = models.CharField(_("Name"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("Produkt")
        verbose_name_plural = _("Produkte")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Practice(models.Model):
    # No author municipality: the centre itself describes the practice. A municipality that
    # leaves takes its practices into its archive (and out of the exchange).
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("Kommune"),
    )
    visibility = models.CharField(
        _("Sichtbarkeit"), max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_version = models.OneToOneField(
        "PracticeVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Praxisbeispiel")
        verbose_name_plural = _("Praxisbeispiele")
        ordering = ["-published_at", "-pk"]
        indexes = [
            GinIndex(fields=["search_vector"], name="practice_search_gin"),
            models.Index(fields=["visibility", "published_at"], name="practice_visible_idx"),
        ]

    def __str__(self) -> str:
        return f"Praxisbeispiel {self.pk}"


class PracticeVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "entwurf", _("Entwurf")
        SUBMITTED = "eingereicht", _("eingereicht")
        PUBLISHED = "veroeffentlicht", _("veröffentlicht")
        SUPERSEDED = "abgeloest", _("abgelöst")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("Version"))
    state = models.CharField(_("Stand"), max_length=16, choices=State.choices, default=State.DRAFT)
    title = models.CharField(_("Titel"), max_length=200)
    summary = models.TextField(
        _("Kurzbeschreibung"), max_length=600, validators=[MaxLengthValidator(600)]
    )
    problem = models.TextField(
        _("Ausgangsproblem"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    solution = models.TextField(_("Lösung"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    result = models.TextField(_("Ergebnis"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    dimension_keys = ArrayField(
        models.SlugField(max_length=60), default=list, blank=True, verbose_name=_("Handlungsfelder")
    )
    question_keys = ArrayField(
        models.SlugField(max_length=80), default=list, blank=True, verbose_name=_("Fragen")
    )
    products = models.ManyToManyField(
        Product, blank=True, related_name="versions", verbose_name=_("Produkte und Dienste")
    )
    cost_once = models.DecimalField(
        _("Kosten einmalig (€)"), max_digits=12, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    cost_yearly = models.DecimalField(
        _("Kosten jährlich (€)"), max_digits=12, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    effort_days = models.DecimalField(
        _("Aufwand (Personentage)"), max_digits=7, decimal_places=1, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    duration_months = models.PositiveSmallIntegerField(_("Dauer (Monate)"), default=0)
    project_status = models.CharField(
        _("Status des Projekts"), max_length=12, choices=ProjectStatus.choices,
        default=ProjectStatus.PILOT,
    )  # fmt: skip
    lessons_learned = models.TextField(
        _("Erfahrungen (Lessons Learned)"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    contact_name = models.CharField(_("Ansprechperson"), max_length=150)
    contact_email = models.EmailField(_("E-Mail der Ansprechperson"))
    contact_phone = models.CharField(_("Telefon der Ansprechperson"), max_length=40, blank=True)
    links = ArrayField(
        models.URLField(max_length=500), default=list, blank=True, verbose_name=_("Links")
    )
    reuse_terms = models.CharField(
        _("Bedingungen der Nachnutzung"), max_length=12, choices=ReuseTerms.choices,
        default=ReuseTerms.TEMPLATES,
    )  # fmt: skip
    licence = models.CharField(_("Lizenz"), max_length=120, blank=True)
    visibility = models.CharField(
        _("Sichtbarkeit"), max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("Leistung des Zentrums"),
    )  # fmt: skip
    review_note = models.TextField(_("Hinweis der Prüfung"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Version eines Praxisbeispiels")
        verbose_name_plural = _("Versionen von Praxisbeispielen")
        ordering = ["practice", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "number"], name="practice_version_unique")
        ]
        indexes = [models.Index(fields=["state"], name="practice_version_state_idx")]

    def __str__(self) -> str:
        return f"{self.title} (Version {self.number})"

    @property
    def first_year_cost(self) -> Decimal:
        return self.cost_once + self.cost_yearly


class ExchangeEvent(models.Model):
    """An online exchange of the centre, as in Initiative K."""

    topic = models.CharField(_("Thema"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    starts_at = models.DateTimeField(_("Beginn"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("Dauer (Minuten)"), default=90, validators=[MinValueValidator(15)]
    )
    online_url = models.URLField(_("Link zur Videokonferenz"), blank=True)
    recording_url = models.URLField(_("Link zur Aufzeichnung"), blank=True)
    presenters = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("Vortragende Kommunen")
    )
    practices = models.ManyToManyField(
        Practice, blank=True, related_name="events", verbose_name=_("Praxisbeispiele")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Austauschtermin")
        verbose_name_plural = _("Austauschtermine")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.topic


class EventRegistration(models.Model):
    event = models.ForeignKey(ExchangeEvent, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Anmeldung")
        verbose_name_plural = _("Anmeldungen")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="practice_event_registration")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.event_id}"


class Attachment(models.Model):
    """A file of a practice, kept in the database so that it is saved (or not) with the
    transaction that accepted it."""

    class Kind(models.TextChoices):
        CONCEPT = "konzept", _("Konzept")
        TEMPLATE = "vorlage", _("Vorlage")
        TENDER = "vergabe", _("Vergabeunterlagen")
        SLIDES = "folien", _("Folien")
        OTHER = "sonstiges", _("Sonstiges")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        ExchangeEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("Titel"), max_length=200)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Anhang")
        verbose_name_plural = _("Anhänge")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class Adoption(models.Model):
    """A municipality reusing (or wanting to reuse) a practice."""

    class Status(models.TextChoices):
        INTERESTED = "interesse", _("Interesse")
        PLANNED = "geplant", _("geplant")
        IN_PROGRESS = "umsetzung", _("in Umsetzung")
        OPERATION = "betrieb", _("im Betrieb")
        GIVEN_UP = "aufgegeben", _("aufgegeben")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="adoptions")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="practice_adoptions"
    )
    status = models.CharField(
        _("Stand"), max_length=12, choices=Status.choices, default=Status.INTERESTED
    )
    note = models.TextField(_("Notiz"), blank=True, validators=[MaxLengthValidator(2000)])
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="practice_adoptions",
    )  # fmt: skip
    request = models.ForeignKey(
        RequestSummary, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="practice_adoptions",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Nachnutzung")
        verbose_name_plural = _("Nachnutzungen")
        ordering = ["practice", "municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "municipality"], name="practice_adoption_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} – {self.practice_id}"


class Question(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("Frage"), validators=[MaxLengthValidator(2000)])
    answer = models.TextField(_("Antwort"), blank=True, validators=[MaxLengthValidator(4000)])
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Frage")
        verbose_name_plural = _("Fragen")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]
