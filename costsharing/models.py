"""What the Kreis owns in cost sharing: budget, grants, keys, modules, usage, frozen versions.

Everything here lives in the public schema. A municipality's own participation data lives in
`costsharing.municipal` (its schema) and is projected into `MemberProfile` and
`ModuleMembership` here in the same transaction, so that computing a year's allocation reads a
few tables whatever the number of members.

Money is Decimal with two places (cents) throughout.

Long because Django keeps an app's models in one module: thirteen small tables of the public
schema, each with the constraints that guard its money columns.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Municipality

MONEY: Any = {"max_digits": 14, "decimal_places": 2}
PERCENT: Any = {"max_digits": 7, "decimal_places": 4}
non_negative = [MinValueValidator(Decimal(0), _("Der Wert darf nicht negativ sein."))]
percent_validators = [
    MinValueValidator(Decimal(0), _("Ein Anteil darf nicht negativ sein.")),
    MaxValueValidator(Decimal(100), _("Ein Anteil darf 100 % nicht übersteigen.")),
]
year_validators = [
    MinValueValidator(2000, _("Das Jahr muss zwischen 2000 und 2100 liegen.")),
    MaxValueValidator(2100, _("Das Jahr muss zwischen 2000 und 2100 liegen.")),
]


class BudgetYear(models.Model):
    """One budget year of the centre; its state decides whether it may still change."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("in Planung")
        FROZEN = "frozen", _("festgeschrieben")
        CORRECTION = "correction", _("in Korrektur")

    year = models.PositiveSmallIntegerField(_("Jahr"), unique=True, validators=year_validators)
    status = models.CharField(
        _("Status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    kreis_share_percent = models.DecimalField(
        _("Anteil, den der Kreis selbst trägt (in % der Kosten)"),
        default=Decimal(0),
        validators=percent_validators,
        **PERCENT,
    )
    note = models.TextField(_("Bemerkung"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Haushaltsjahr")
        verbose_name_plural = _("Haushaltsjahre")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.FROZEN

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class StaffLine(models.Model):
    budget_year = models.ForeignKey(BudgetYear, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("Funktion"), max_length=120)
    fte = models.DecimalField(
        _("Vollzeitäquivalente"), max_digits=6, decimal_places=2, validators=non_negative
    )
    cost_per_fte = models.DecimalField(
        _("Jahreskosten je Vollzeitstelle"), validators=non_negative, **MONEY
    )

    class Meta:
        verbose_name = _("Personalkosten")
        verbose_name_plural = _("Personalkosten")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.role

    @property
    def amount(self) -> Decimal:
        return (self.fte * self.cost_per_fte).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class CostLine(models.Model):
    class Kind(models.TextChoices):
        MATERIAL = "material", _("Sachkosten")
        SERVICE = "service", _("Dienstleistungen")
        OVERHEAD = "overhead", _("Gemeinkosten")

    budget_year = models.ForeignKey(BudgetYear, on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("Bezeichnung"), max_length=160)
    amount = models.DecimalField(_("Betrag"), validators=non_negative, **MONEY)

    class Meta:
        verbose_name = _("Sach- oder Gemeinkosten")
        verbose_name_plural = _("Sach- und Gemeinkosten")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.label


class Grant(models.Model):
    class PassOn(models.TextChoices):
        BY_KEY = "by_key", _("nach dem Verteilungsschlüssel")
        FIXED_SPLIT = "fixed", _("zu gleichen Teilen je Mitglied (nach Monaten)")

    budget_year = models.ForeignKey(BudgetYear, on_delete=models.CASCADE, related_name="grants")
    source = models.CharField(_("Fördermittelgeber / Programm"), max_length=200)
    amount = models.DecimalField(_("Betrag"), validators=non_negative, **MONEY)
    pass_on = models.CharField(
        _("Weitergabe an die Kommunen"),
        max_length=10,
        choices=PassOn.choices,
        default=PassOn.BY_KEY,
    )
    kreis_percent = models.DecimalField(
        _("Anteil, den der Kreis behält (in %)"),
        default=Decimal(0),
        validators=percent_validators,
        **PERCENT,
    )

    class Meta:
        verbose_name = _("Fördermittel")
        verbose_name_plural = _("Fördermittel")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.source


class AllocationKey(models.Model):
    """A key for a year; exactly one is the one in force, the others are scenarios."""

    budget_year = models.ForeignKey(BudgetYear, on_delete=models.CASCADE, related_name="keys")
    name = models.CharField(_("Bezeichnung"), max_length=120)
    base_percent = models.DecimalField(
        _("Sockelbetrag (%)"), validators=percent_validators, **PERCENT
    )
    population_percent = models.DecimalField(
        _("Nach Einwohnern (%)"), validators=percent_validators, **PERCENT
    )
    usage_percent = models.DecimalField(
        _("Nach Nutzung (%)"), validators=percent_validators, **PERCENT
    )
    modules_percent = models.DecimalField(
        _("Nach Modulen (%)"), validators=percent_validators, **PERCENT
    )
    population_date = models.DateField(_("Stichtag der Einwohnerzahlen"))
    is_active = models.BooleanField(_("gilt für das Jahr"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Verteilungsschlüssel")
        verbose_name_plural = _("Verteilungsschlüssel")
        ordering = ["-is_active", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year"],
                condition=models.Q(is_active=True),
                name="costsharing_one_active_key_per_year",
            ),
            models.UniqueConstraint(
                fields=["budget_year", "name"], name="costsharing_key_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Module(models.Model):
    """A module of a year; its cost (weight) is shared by its participants only."""

    budget_year = models.ForeignKey(BudgetYear, on_delete=models.CASCADE, related_name="modules")
    key = models.SlugField(_("Kürzel"), max_length=40)
    name = models.CharField(_("Name"), max_length=120)
    weight = models.DecimalField(_("Gewicht (geplante Kosten)"), validators=non_negative, **MONEY)

    class Meta:
        verbose_name = _("Modul")
        verbose_name_plural = _("Module")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "key"], name="costsharing_module_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PopulationFigure(models.Model):
    """An official population figure of a municipality at a date (Stichtag)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="population_figures"
    )
    reference_date = models.DateField(_("Stichtag"))
    population = models.PositiveIntegerField(
        _("Einwohnerzahl"),
        validators=[MinValueValidator(1, _("Die Einwohnerzahl muss größer als null sein."))],
    )

    class Meta:
        verbose_name = _("Einwohnerzahl")
        verbose_name_plural = _("Einwohnerzahlen")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference_date"], name="costsharing_population_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.population} ({self.reference_date})"


class UsageRecord(models.Model):
    """Service units a municipality used in a year; `reference` makes recording idempotent."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("erfasst durch die Kämmerei des Zentrums")
        SERVICE_REQUEST = "service_request", _("abgeschlossene Leistungsanfrage")
        IMPORT = "import", _("Import")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="usage_records"
    )
    year = models.PositiveSmallIntegerField(_("Jahr"), validators=year_validators)
    units = models.DecimalField(
        _("Leistungseinheiten"), max_digits=12, decimal_places=2, validators=non_negative
    )
    source = models.CharField(
        _("Quelle"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    reference = models.CharField(_("Referenz"), max_length=120, null=True, blank=True, unique=True)
    note = models.CharField(_("Bemerkung"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Nutzung")
        verbose_name_plural = _("Nutzungen")
        ordering = ["year", "municipality__name", "pk"]
        indexes = [models.Index(fields=["year", "municipality"])]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year}: {self.units}"


class MemberProfile(models.Model):
    """Read model: a municipality's membership and billing details, projected from its schema."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="costsharing_profile"
    )
    joined_on = models.DateField(_("Beitritt"))
    left_on = models.DateField(_("Austritt"), null=True, blank=True)
    budget_line = models.CharField(_("Haushaltsstelle / Produktkonto"), max_length=80, blank=True)
    contact_name = models.CharField(_("Ansprechperson Rechnung"), max_length=120, blank=True)
    contact_email = models.EmailField(_("E-Mail für Rechnungen"), blank=True)
    contact_phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Mitgliedschaft im Zentrum")
        verbose_name_plural = _("Mitgliedschaften im Zentrum")
        indexes = [models.Index(fields=["joined_on", "left_on"])]

    def __str__(self) -> str:
        return str(self.municipality_id)


class ModuleMembership(models.Model):
    """Read model: a municipality takes part in a module (of one year)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="costsharing_modules"
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "module"], name="costsharing_module_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} – {self.module_id}"


class IssuerProfile(models.Model):
    """The centre as the issuer of notices and e-invoices (one row)."""

    name = models.CharField(_("Rechnungssteller"), max_length=200)
    street = models.CharField(_("Straße und Hausnummer"), max_length=120)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5)
    city = models.CharField(_("Ort"), max_length=80)
    contact_name = models.CharField(_("Ansprechperson"), max_length=120)
    contact_phone = models.CharField(_("Telefon"), max_length=40)
    contact_email = models.EmailField(_("E-Mail"))
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_holder = models.CharField(_("Kontoinhaber"), max_length=120)
    seller_id = models.CharField(
        _("Kennung des Rechnungsstellers"),
        max_length=60,
        help_text=_("z. B. die eigene Leitweg-ID oder Steuernummer"),
    )
    payment_days = models.PositiveSmallIntegerField(_("Zahlungsziel in Tagen"), default=30)
    legal_note = models.TextField(
        _("Rechtlicher Hinweis auf dem Bescheid"),
        blank=True,
        help_text=_(
            "Rechtsbehelfsbelehrung oder Hinweis auf die Grundlage der Kostenbeteiligung. "
            "Leer: der mitgelieferte Text mit den Stellen, die der Kreis ergänzen muss."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Rechnungsangaben des Zentrums")
        verbose_name_plural = _("Rechnungsangaben des Zentrums")

    def __str__(self) -> str:
        return self.name


class AllocationVersion(models.Model):
    """A frozen allocation of a year: never changed; a correction is the next number."""

    budget_year = models.ForeignKey(BudgetYear, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("Version"))
    frozen_at = models.DateTimeField(_("festgeschrieben am"))
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    settle_in_year = models.PositiveSmallIntegerField(
        _("abgerechnet mit dem Bescheid für"), validators=year_validators
    )
    reason = models.TextField(_("Anlass"), blank=True)
    # Why the year was frozen although not every council's decision is recorded, with the
    # members still open at the time; empty when every decision was there.
    decisions_waiver = models.TextField(_("Begründung ohne alle Beschlüsse"), blank=True)
    key_name = models.CharField(max_length=120)
    base_percent = models.DecimalField(**PERCENT)
    population_percent = models.DecimalField(**PERCENT)
    usage_percent = models.DecimalField(**PERCENT)
    modules_percent = models.DecimalField(**PERCENT)
    population_date = models.DateField()
    gross_cost = models.DecimalField(**MONEY)
    kreis_share = models.DecimalField(**MONEY)
    grants_total = models.DecimalField(**MONEY)
    grants_kreis = models.DecimalField(**MONEY)
    grants_by_key = models.DecimalField(**MONEY)
    grants_fixed = models.DecimalField(**MONEY)
    net_cost = models.DecimalField(**MONEY)  # split by the key
    modules = models.JSONField(default=list, blank=True)  # [{"key", "name", "weight", "pot"}]

    class Meta:
        verbose_name = _("Festgeschriebene Verteilung")
        verbose_name_plural = _("Festgeschriebene Verteilungen")
        ordering = ["budget_year__year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "number"], name="costsharing_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.budget_year.year} v{self.number}"


class AllocationLine(models.Model):
    """One member's frozen share in a version (the figures as they were, with names)."""

    version = models.ForeignKey(AllocationVersion, on_delete=models.PROTECT, related_name="lines")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    ags = models.CharField(max_length=8)
    months = models.PositiveSmallIntegerField()
    population = models.PositiveIntegerField()
    usage_units = models.DecimalField(max_digits=12, decimal_places=2)
    module_keys = models.JSONField(default=list, blank=True)
    base = models.DecimalField(**MONEY)
    population_amount = models.DecimalField(**MONEY)
    usage = models.DecimalField(**MONEY)
    modules = models.DecimalField(**MONEY)
    module_parts = models.JSONField(default=dict, blank=True)  # module key -> "123.45"
    total = models.DecimalField(**MONEY)  # by the key: base + population + usage + modules
    grant_credit = models.DecimalField(**MONEY)  # grants passed on in a fixed split
    payable = models.DecimalField(**MONEY)  # total - grant_credit
    # The reference date of the population figure used, which may be older than the key's date
    # (the latest official figure up to it); empty in versions frozen before it was recorded.
    population_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["ags"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "municipality"], name="costsharing_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version_id}: {self.name} {self.total}"
