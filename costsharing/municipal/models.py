"""A municipality's own participation data: lives in each municipality's schema.

Saving goes through `costsharing.services`, which projects it into the public read model
(`costsharing.MemberProfile`, `costsharing.ModuleMembership`) in the same transaction.
References into the public schema (modules) are plain ids, as elsewhere in the portal.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from izd import formats


class Cooperation(models.Model):
    """Membership in the centre and billing details; at most one row per schema."""

    joined_on = models.DateField(_("Beitritt zum Zentrum"))
    left_on = models.DateField(_("Austritt"), null=True, blank=True)
    budget_line = models.CharField(_("Haushaltsstelle / Produktkonto"), max_length=80, blank=True)
    contact_name = models.CharField(_("Ansprechperson für Rechnungen"), max_length=120, blank=True)
    contact_email = models.EmailField(_("E-Mail für Rechnungen"), blank=True)
    contact_phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("Mitgliedschaft im Zentrum")
        verbose_name_plural = _("Mitgliedschaften im Zentrum")

    def __str__(self) -> str:
        return f"Mitglied seit {formats.day(self.joined_on)}"


class ModuleChoice(models.Model):
    """The municipality takes part in a module of a year (module id of the public schema)."""

    year = models.PositiveSmallIntegerField(_("Jahr"))
    module_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Modulteilnahme")
        verbose_name_plural = _("Modulteilnahmen")
        constraints = [
            models.UniqueConstraint(fields=["module_id"], name="costsharing_municipal_module_once")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.module_id}"
