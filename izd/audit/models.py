"""One audit entry per change, for the whole deployment, in the public schema.

Why one central table and not a history table per model (django-simple-history, django-pghistory)
or django-auditlog: the coordinator filters the trail across all municipalities (420 in Hessen);
per-schema history tables would need a UNION over every schema for that list. The table lives
in the public schema only (the app is a shared app), and django-tenants' search path
("<municipality>, public") makes a write from a municipality's schema land here, on the same
connection and in the same transaction as the change it describes.

Who and which municipality are kept as ids without foreign key constraints plus a label taken at
the time: an entry outlives the person's account and the municipality's schema, and deleting
either must never have to touch (update or delete) the trail, which a trigger forbids.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Kind(models.TextChoices):
        MONEY = "money", _("Haushalt, Förderung und Nutzung")
        KEY = "key", _("Verteilungsschlüssel")
        FREEZE = "freeze", _("Festschreibung")
        PAPER = "paper", _("Beschlussvorlagen")
        DECISION = "decision", _("Beschlüsse")
        PARTICIPATION = "participation", _("Beteiligung")
        MEMBERSHIP = "membership", _("Personen und Mitgliedschaften")
        MUNICIPALITY = "municipality", _("Kommunen")
        ASSESSMENT = "assessment", _("Reifegrad")
        REQUEST = "request", _("Anfragen")
        ROADMAP = "roadmap", _("Maßnahmen und Zielbild")
        PRACTICE = "practice", _("Praxisbörse")
        DOCUMENT = "document", _("Dokumente und Bescheide")
        SETTINGS = "settings", _("Texte und Einstellungen")
        TRAIL = "trail", _("Protokoll")

    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("Person"), max_length=300)
    municipality = models.ForeignKey(
        settings.TENANT_MODEL,
        verbose_name=_("Kommune"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    municipality_label = models.CharField(_("Kommune"), max_length=120, blank=True)
    kind = models.CharField(_("Bereich"), max_length=20, choices=Kind.choices)
    # The write service that made the change, e.g. "allocation_freeze".
    action = models.CharField(_("Vorgang"), max_length=80)
    object_type = models.CharField(_("Objektart"), max_length=80, blank=True)
    object_id = models.CharField(_("Objekt-ID"), max_length=64, blank=True)
    object_label = models.CharField(_("Objekt"), max_length=300, blank=True)
    summary = models.CharField(_("Änderung"), max_length=500)
    # The database transaction that wrote the entry (and the change): entries of one change
    # share it, and tests prove with it that an entry was written in its change's transaction.
    transaction_id = models.BigIntegerField(
        _("Transaktion"), db_default=models.Func(function="txid_current"), editable=False
    )
    # [{"field": "Kreisanteil", "before": "10,00", "after": "12,50"}, ...], values as text.
    changes = models.JSONField(_("Werte vorher und nachher"), default=list, blank=True)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Änderungsprotokoll")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at"),
            models.Index(fields=["municipality", "-at"], name="audit_municipality_at"),
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_at"),
            models.Index(fields=["kind", "-at"], name="audit_kind_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.actor_label}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The trail is written once; the database refuses updates too (see migration 0002).
        if not self._state.adding:
            raise RuntimeError("Protokolleinträge sind unveränderlich.")
        super().save(*args, **kwargs)
