"""A municipality's own service requests: live in each municipality's schema.

References into the public schema (service, people) are plain ids, as a foreign key constraint
cannot cross schemas; the services check them. The primary key is a UUID, so that the id of
another municipality's request never names a row of this schema.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from roadmap.models import Priority, RequestStatus

NEED_MAX_LENGTH = 4000
COMMENT_MAX_LENGTH = 4000
QUANTITY_MESSAGE = _("Die Menge muss größer als null sein.")


class ServiceRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service_id = models.BigIntegerField(_("Leistung"))
    need = models.TextField(_("Bedarf"), validators=[MaxLengthValidator(NEED_MAX_LENGTH)])
    quantity = models.DecimalField(
        _("Menge"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), message=QUANTITY_MESSAGE)],
    )
    priority = models.CharField(
        _("Priorität"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    wished_date = models.DateField(_("Gewünscht bis"))
    status = models.CharField(
        _("Status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    requested_by_id = models.BigIntegerField(null=True, blank=True)
    # Set once, when the quantity was recorded as use for the cost-sharing key.
    usage_reference = models.CharField(max_length=120, blank=True)
    usage_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Leistungsanfrage")
        verbose_name_plural = _("Leistungsanfragen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Anfrage {self.pk}"


class StatusChange(models.Model):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RequestStatus.choices)
    reason = models.TextField(_("Begründung"), blank=True)
    changed_by_id = models.BigIntegerField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Statusänderung")
        verbose_name_plural = _("Statusänderungen")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Comment(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(_("Kommentar"), validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)])
    author_id = models.BigIntegerField(null=True, blank=True)
    by_kreis = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Kommentar")
        verbose_name_plural = _("Kommentare")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Kommentar zu {self.request_id}"
