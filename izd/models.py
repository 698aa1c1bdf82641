"""Content of the portal that the Kreis edits: the legally required pages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalPage(models.Model):
    class Kind(models.TextChoices):
        IMPRINT = "impressum", _("Impressum")
        PRIVACY = "datenschutz", _("Datenschutzerklärung")
        ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    title = models.CharField(_("Überschrift"), max_length=200)
    body = models.TextField(
        _("Inhalt"),
        help_text=_("Absätze durch eine Leerzeile trennen. HTML wird nicht ausgeführt."),
    )
    feedback_email = models.EmailField(
        _("Kontakt für Rückmeldungen"),
        blank=True,
        help_text=_("Für die Erklärung zur Barrierefreiheit vorgeschrieben."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Rechtliche Seite")
        verbose_name_plural = _("Rechtliche Seiten")

    def __str__(self) -> str:
        return self.title


class Document(models.Model):
    """A generated document (PDF, ZIP …): requested, rendered by a worker, stored with checksums.

    Lives in the public schema; `schema_name` names the municipality it belongs to (or `public`
    for the Kreis), and every view that hands one out checks it against the visitor's access.

    The row is also the job (an outbox, see izd.jobs): written in the transaction that asks for
    the document, sent to the broker after commit, claimed by a worker with a lease it renews.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("wartet")
        RUNNING = "running", _("wird erstellt")
        DONE = "done", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")

    kind = models.CharField(max_length=60, db_index=True)
    schema_name = models.CharField(max_length=63, db_index=True)
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=250)
    filename = models.CharField(max_length=200)
    mime_type = models.CharField(max_length=100, default="application/pdf")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    sha512 = models.CharField(max_length=128, blank=True)
    # Hash of the built context: rendering again with the same inputs reuses the stored file.
    input_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Hash of the inputs as stored rows (row versions, the year's allocation): a batch reuses a
    # finished document with the same fingerprint without building its context.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    reused = models.BooleanField(default=False)
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The job: when its message last went to the broker (null: never, or to be sent again),
    # why the last send failed, how often a worker took it, and the current worker's claim.
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The dispatcher's sweep looks only at unfinished jobs.
            models.Index(
                fields=["status", "lease_until"],
                name="izd_document_open_jobs",
                condition=models.Q(status__in=["pending", "running"]),
            )
        ]
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_waiting_for_broker(self) -> bool:
        """Requested, but the background service could not be reached yet."""
        return self.status == self.Status.PENDING and self.sent_at is None and bool(self.send_error)


class PeriodicTurn(models.Model):
    """When a periodic task (izd.periodic) was last sent. Every worker's dispatcher may send it;
    whoever moves `sent_at` forward first has the turn, so the task goes out once per interval
    whatever the number of workers."""

    name = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Wiederkehrende Aufgabe")
        verbose_name_plural = _("Wiederkehrende Aufgaben")

    def __str__(self) -> str:
        return self.name
