"""Decision papers (Beschlussvorlagen): the Kreis' templates, one paper per member and year,
its Beratungsfolge and the council's decision. Everything lives in the public schema.

Template and override texts may contain placeholders such as ``[[kommune]]`` (see
`roadmap.papers.placeholders`); they are substituted as plain values and never executed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from izd import formats
from tenants.models import Municipality

year_validators = [
    MinValueValidator(2000, _("Das Jahr muss zwischen 2000 und 2100 liegen.")),
    MaxValueValidator(2100, _("Das Jahr muss zwischen 2000 und 2100 liegen.")),
]


class PaperTemplate(models.Model):
    """A template of a decision paper, kept by the Kreis."""

    name = models.CharField(_("Name der Vorlage"), max_length=150, unique=True)
    subject = models.CharField(_("Bezeichnung (Betreff)"), max_length=300)
    facts = models.TextField(
        _("Sach- und Rechtslage"), help_text=_("Absätze durch eine Leerzeile trennen.")
    )
    resolution = models.TextField(
        _("Beschlussvorschlag"),
        help_text=_("Ein Punkt je Zeile; die Punkte werden nummeriert."),
    )
    attachments = models.TextField(
        _("Anlagen"),
        blank=True,
        help_text=_("Eine Anlage je Zeile. Die Anlage „Kostenbeteiligung“ wird immer angefügt."),
    )
    office = models.CharField(_("Amt (Vorschlag)"), max_length=120, blank=True)
    file_reference = models.CharField(_("Aktenzeichen (Vorschlag)"), max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Vorlage für Beschlussvorlagen")
        verbose_name_plural = _("Vorlagen für Beschlussvorlagen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NumberingScheme(models.Model):
    """How a municipality numbers its papers: ``{prefix}-{number}/{year}``, e.g. VL-100/2023."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="paper_numbering"
    )
    prefix = models.CharField(
        _("Kürzel"),
        max_length=20,
        default="VL",
        validators=[
            RegexValidator(
                r"^[A-Za-zÄÖÜäöü0-9]+(?:[./][A-Za-zÄÖÜäöü0-9]+)*$",
                _("Nur Buchstaben, Ziffern, Punkt und Schrägstrich, z. B. VL."),
            )
        ],
    )
    next_number = models.PositiveIntegerField(
        _("Nächste laufende Nummer"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("Nummernkreis")
        verbose_name_plural = _("Nummernkreise")

    def __str__(self) -> str:
        return f"{self.prefix}-{self.next_number}"


class Paper(models.Model):
    """One member's decision paper for one budget year."""

    class Result(models.TextChoices):
        ACCEPTED = "angenommen", _("angenommen")
        ACCEPTED_AMENDED = "geaendert", _("geändert angenommen")
        REJECTED = "abgelehnt", _("abgelehnt")
        POSTPONED = "vertagt", _("vertagt")

    FINAL_RESULTS = (Result.ACCEPTED, Result.ACCEPTED_AMENDED, Result.REJECTED)

    template = models.ForeignKey(
        PaperTemplate, on_delete=models.PROTECT, related_name="papers", verbose_name=_("Vorlage")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="papers", verbose_name=_("Kommune")
    )
    year = models.PositiveSmallIntegerField(_("Haushaltsjahr"), validators=year_validators)
    reference = models.CharField(_("Drucksache"), max_length=60)
    date = models.DateField(_("Datum der Vorlage"))
    is_public = models.BooleanField(_("öffentlich"), default=True)
    office = models.CharField(_("Amt"), max_length=120, blank=True)
    file_reference = models.CharField(_("Aktenzeichen"), max_length=80, blank=True)
    budget_line = models.CharField(
        _("Haushaltsstelle / Produktkonto"),
        max_length=80,
        blank=True,
        help_text=_("Leer lassen, um die bei der Kostenbeteiligung hinterlegte zu verwenden."),
    )
    funds_budgeted = models.BooleanField(_("Mittel sind im Haushalt veranschlagt"), default=True)
    include_maturity = models.BooleanField(_("Anlage Reifegrad-Zusammenfassung"), default=False)
    include_roadmap = models.BooleanField(_("Anlage Auszug aus der Roadmap"), default=False)
    subject_override = models.CharField(_("Bezeichnung (abweichend)"), max_length=300, blank=True)
    facts_override = models.TextField(_("Sach- und Rechtslage (abweichend)"), blank=True)
    resolution_override = models.TextField(_("Beschlussvorschlag (abweichend)"), blank=True)
    document = models.ForeignKey(
        "izd.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("beschlossen am"), null=True, blank=True)
    result = models.CharField(_("Ergebnis"), max_length=12, choices=Result.choices, blank=True)
    decision_note = models.CharField(_("Bemerkung zum Beschluss"), max_length=300, blank=True)
    decision_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Beschlussvorlage")
        verbose_name_plural = _("Beschlussvorlagen")
        ordering = ["-year", "municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"], name="papers_reference_unique"
            ),
            models.UniqueConstraint(fields=["municipality", "year"], name="papers_one_per_year"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_decided(self) -> bool:
        return self.result in self.FINAL_RESULTS


class Committee(models.Model):
    """A committee (Gremium) of a municipality. Every paper whose Beratungsfolge names it refers
    to the same row, so that the OParl API shows one stable Organization per committee."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="committees", verbose_name=_("Kommune")
    )
    name = models.CharField(_("Gremium"), max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    # Touched whenever a consultation joins or leaves the committee: a committee no public
    # paper is consulted in any more is shown as deleted, and `modified` says since when.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Gremium")
        verbose_name_plural = _("Gremien")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="papers_committee_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """A committee's meeting on one day, as the Beratungsfolge dates it."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("Gremium")
    )
    date = models.DateField(_("Sitzungsdatum"))
    created_at = models.DateTimeField(auto_now_add=True)
    # Touched whenever its agenda changes (a consultation comes or goes, a decision is recorded).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "date"], name="papers_meeting_unique")
        ]

    def __str__(self) -> str:
        return f"{self.committee} {formats.day(self.date)}"


class LiveConsultationManager(models.Manager["Consultation"]):
    """The Beratungsfolge as it stands: removed rows stay as tombstones for stable ids."""

    def get_queryset(self) -> models.QuerySet[Consultation]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Consultation(models.Model):
    """One row of the Beratungsfolge: a committee, its meeting date and its role.

    Saving the Beratungsfolge again updates the rows in place; a row that is left out is
    marked deleted (`deleted_at`), never removed, so its OParl id keeps answering.
    """

    class Role(models.TextChoices):
        PRELIMINARY = "vorberatend", _("vorberatend")
        DECIDING = "beschliessend", _("beschließend")

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="consultations")
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("Gremium")
    )
    meeting_date = models.DateField(_("Sitzungsdatum"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("Sitzung"),
    )
    role = models.CharField(_("Rolle"), max_length=14, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    # Declared first but not the default (see Meta): reads see the live Beratungsfolge only.
    all_objects = models.Manager()
    objects = LiveConsultationManager()

    class Meta:
        verbose_name = _("Beratung")
        verbose_name_plural = _("Beratungsfolge")
        ordering = ["position", "pk"]
        default_manager_name = "objects"
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return str(self.committee)

    @property
    def authoritative(self) -> bool:
        return self.role == self.Role.DECIDING
