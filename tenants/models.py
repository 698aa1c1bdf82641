"""Municipalities (tenants), their domains, and the people who work in the portal.

Everything here lives in the public schema: one account per person, memberships per municipality,
and roles of the Kreis.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import schema_exists

from tenants.validators import validate_ags, validate_leitweg_id

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    _("Nur Kleinbuchstaben a–z, Ziffern und Bindestriche, z. B. waechtersbach."),
)


DEMO_LEITWEG_MARK = "-DEMO-"


class MunicipalityQuerySet(models.QuerySet["Municipality"]):
    def members(self) -> MunicipalityQuerySet:
        """The municipalities, without the Kreis' own (public) tenant."""
        return self.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).filter(
            kind=Municipality.Kind.MUNICIPALITY, offboarded_at__isnull=True
        )

    def offboarded(self) -> MunicipalityQuerySet:
        return self.filter(offboarded_at__isnull=False)


class ActiveMunicipalityManager(models.Manager["Municipality"]):
    """The tenants that have a schema: an offboarded municipality is hidden from everything that
    walks the tenants (django-tenants' migrate_schemas, tenant_command, create_missing_schemas),
    while its row stays for the frozen shares and decided papers that still point to it."""

    def get_queryset(self) -> MunicipalityQuerySet:
        return MunicipalityQuerySet(self.model, using=self._db).filter(offboarded_at__isnull=True)

    def members(self) -> MunicipalityQuerySet:
        return self.get_queryset().members()


class Municipality(TenantMixin):
    class Kind(models.TextChoices):
        KREIS = "kreis", _("Kreis (Zentrum)")
        MUNICIPALITY = "kommune", _("Kommune")

    kind = models.CharField(
        _("Art"), max_length=10, choices=Kind.choices, default=Kind.MUNICIPALITY
    )
    name = models.CharField(_("Name"), max_length=120)
    slug = models.CharField(_("Subdomain"), max_length=63, unique=True, validators=[slug_validator])
    ags = models.CharField(
        _("Amtlicher Gemeindeschlüssel (AGS)"), max_length=8, unique=True, validators=[validate_ags]
    )
    population = models.PositiveIntegerField(_("Einwohnerzahl"), validators=[MinValueValidator(1)])
    population_date = models.DateField(_("Stichtag der Einwohnerzahl"))
    leitweg_id = models.CharField(
        _("Leitweg-ID"), max_length=46, blank=True, validators=[validate_leitweg_id]
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=120, blank=True)
    postal_code = models.CharField(
        _("Postleitzahl"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("Die Postleitzahl hat fünf Ziffern."))],
    )
    city = models.CharField(_("Ort"), max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the municipality left the portal: its schema is dropped, its archive kept.
    offboarded_at = models.DateTimeField(_("ausgetreten am"), null=True, blank=True)

    objects: ClassVar[ActiveMunicipalityManager] = ActiveMunicipalityManager()
    # Including offboarded municipalities (for the archive and the Kreis' records).
    with_offboarded: ClassVar[models.Manager[Municipality]] = MunicipalityQuerySet.as_manager()

    auto_create_schema = True
    # Deleting the row drops its schema too, so that no orphan schema is left behind.
    auto_drop_schema = True

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_kreis(self) -> bool:
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME

    @property
    def leitweg_id_is_demo(self) -> bool:
        """The demo data's Leitweg-IDs (fine address DEMO) are valid in form, but no one's."""
        return DEMO_LEITWEG_MARK in self.leitweg_id.upper()

    def create_schema(
        self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1
    ) -> bool:
        """Clone the template schema (see tenants.cloning for why not django-tenants' way)."""
        from tenants.cloning import schema_clone_from_template

        if self.offboarded_at is not None:
            # django-tenants recreates a missing schema on every save; an offboarded
            # municipality must stay without one until its archive is imported again.
            return False
        if self.is_kreis or not sync_schema:
            return bool(super().create_schema(check_if_exists, sync_schema, verbosity))
        if check_if_exists and schema_exists(self.schema_name):
            return False
        schema_clone_from_template(self.schema_name)
        return True


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("Domain")
        verbose_name_plural = _("Domains")


class PortalUserManager(UserManager["User"]):
    """Creates users by e-mail address, as the model has no user name."""

    def _create_user_by_email(self, email: str, password: str | None, **extra: object) -> User:
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: object
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user_by_email(email, password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: object
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user_by_email(email, password, **extra)


class User(AbstractUser):
    """One account per person; the e-mail address is the sign-in name."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("E-Mail-Adresse"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[PortalUserManager] = PortalUserManager()

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Membership(models.Model):
    class Role(models.TextChoices):
        DIGITAL_OFFICER = "digital_officer", _("Digitalisierungsbeauftragte/r")
        TREASURER = "treasurer", _("Kämmerei")
        READER = "reader", _("Lesezugriff")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.municipality} ({self.get_role_display()})"


class KreisRole(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Koordination des Zentrums")
        CENTRE_TREASURER = "centre_treasurer", _("Kämmerei des Zentrums")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="kreis_roles")
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("Rolle im Kreis")
        verbose_name_plural = _("Rollen im Kreis")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="kreisrole_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """A one-time link by which a person joins a municipality with a role."""

    email = models.EmailField(_("E-Mail-Adresse"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=Membership.Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")

    def __str__(self) -> str:
        return f"{self.email} → {self.municipality}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
