"""Forms of the decision papers; every message is German."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from roadmap.papers import placeholders
from roadmap.papers.models import Consultation, NumberingScheme, Paper, PaperTemplate
from roadmap.papers.services import DEFAULT_COMMITTEES, CommitteeSpec, PaperError, check_committees

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={
            "required": f"Bitte {label} angeben.",
            "invalid": f"{label}: bitte ein Datum wie 14.11.2023 angeben.",
        },
    )


def _placeholder_check(value: str) -> str:
    placeholders.validate(value)
    return value


class TemplateForm(forms.ModelForm):
    class Meta:
        model = PaperTemplate
        fields = [
            "name",
            "subject",
            "facts",
            "resolution",
            "attachments",
            "office",
            "file_reference",
        ]
        widgets = {
            "facts": forms.Textarea(attrs={"rows": 12}),
            "resolution": forms.Textarea(attrs={"rows": 6}),
            "attachments": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_subject(self) -> str:
        return _placeholder_check(self.cleaned_data["subject"])

    def clean_facts(self) -> str:
        return _placeholder_check(self.cleaned_data["facts"])

    def clean_resolution(self) -> str:
        return _placeholder_check(self.cleaned_data["resolution"])

    def clean_attachments(self) -> str:
        return _placeholder_check(self.cleaned_data["attachments"])


ROLE_WORDS = {
    "vorberatend": Consultation.Role.PRELIMINARY,
    "beschließend": Consultation.Role.DECIDING,
    "beschliessend": Consultation.Role.DECIDING,
}


def committees_text(specs: tuple[CommitteeSpec, ...] | list[CommitteeSpec]) -> str:
    labels = dict(Consultation.Role.choices)
    return "\n".join(
        " | ".join(
            [s.committee, str(labels[s.role])]
            + ([s.meeting_date.strftime("%d.%m.%Y")] if s.meeting_date else [])
        )
        for s in specs
    )


def parse_committees(text: str) -> list[CommitteeSpec]:
    """One committee per line: ``Name | vorberatend | 14.11.2023`` (the date is optional)."""
    specs = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (2, 3):
            raise ValidationError(
                f"Zeile {number}: bitte „Gremium | vorberatend oder beschließend | Datum“ angeben."
            )
        role = ROLE_WORDS.get(parts[1].lower())
        if role is None:
            raise ValidationError(
                f"Zeile {number}: Rolle „{parts[1]}“ unbekannt; erlaubt sind vorberatend und "
                "beschließend."
            )
        meeting: date | None = None
        if len(parts) == 3 and parts[2]:
            field = _date_field("Sitzungsdatum")
            try:
                meeting = field.clean(parts[2])
            except ValidationError:
                raise ValidationError(
                    f"Zeile {number}: „{parts[2]}“ ist kein Datum (z. B. 14.11.2023)."
                ) from None
        specs.append(CommitteeSpec(parts[0], role, meeting))
    try:
        check_committees(specs, need_dates=False)
    except PaperError as error:
        raise ValidationError(str(error)) from None
    return specs


class GenerateForm(forms.Form):
    template = forms.ModelChoiceField(
        label="Vorlage",
        queryset=PaperTemplate.objects.all(),
        empty_label="– bitte wählen –",
        error_messages={
            "required": "Bitte eine Vorlage wählen.",
            "invalid_choice": "Diese Vorlage gibt es nicht.",
        },
    )
    year = forms.IntegerField(
        label="Haushaltsjahr",
        min_value=2000,
        max_value=2100,
        error_messages={"required": "Bitte das Haushaltsjahr angeben."},
    )
    paper_date = _date_field("Datum der Vorlage")
    is_public = forms.BooleanField(label="öffentlich", required=False, initial=True)
    office = forms.CharField(label="Amt", max_length=120, required=False)
    file_reference = forms.CharField(label="Aktenzeichen", max_length=80, required=False)
    committees = forms.CharField(
        label="Beratungsfolge",
        widget=forms.Textarea(attrs={"rows": 4}),
        initial=committees_text(DEFAULT_COMMITTEES),
        help_text="Ein Gremium je Zeile: „Gremium | vorberatend oder beschließend | Datum“. "
        "Das Datum kann später je Kommune ergänzt werden.",
    )

    def clean_committees(self) -> list[CommitteeSpec]:
        return parse_committees(self.cleaned_data["committees"])


class PaperForm(forms.ModelForm):
    date = _date_field("Datum der Vorlage")

    class Meta:
        model = Paper
        fields = [
            "reference",
            "date",
            "is_public",
            "office",
            "file_reference",
            "budget_line",
            "funds_budgeted",
            "include_maturity",
            "include_roadmap",
            "subject_override",
            "facts_override",
            "resolution_override",
        ]
        widgets = {
            "facts_override": forms.Textarea(attrs={"rows": 8}),
            "resolution_override": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "subject_override": "Leer lassen, um den Text der Vorlage zu verwenden.",
            "facts_override": "Leer lassen, um den Text der Vorlage zu verwenden.",
            "resolution_override": "Leer lassen, um den Text der Vorlage zu verwenden. "
            "Ein Punkt je Zeile.",
        }

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        clash = Paper.objects.filter(
            municipality_id=self.instance.municipality_id, reference=reference
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(f"Die Drucksache {reference} gibt es in dieser Kommune schon.")
        return reference

    def clean_subject_override(self) -> str:
        return _placeholder_check(self.cleaned_data["subject_override"])

    def clean_facts_override(self) -> str:
        return _placeholder_check(self.cleaned_data["facts_override"])

    def clean_resolution_override(self) -> str:
        return _placeholder_check(self.cleaned_data["resolution_override"])


class ConsultationsForm(forms.Form):
    committees = forms.CharField(
        label="Beratungsfolge",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ein Gremium je Zeile: „Gremium | vorberatend oder beschließend | Datum“.",
        error_messages={"required": "Bitte die Beratungsfolge angeben."},
    )

    def clean_committees(self) -> list[CommitteeSpec]:
        specs = parse_committees(self.cleaned_data["committees"])
        try:
            check_committees(specs, need_dates=True)
        except PaperError as error:
            raise ValidationError(str(error)) from None
        return specs


class DecisionForm(forms.Form):
    decided_on = _date_field("beschlossen am")
    result = forms.ChoiceField(
        label="Ergebnis",
        choices=Paper.Result.choices,
        error_messages={
            "required": "Bitte das Ergebnis angeben.",
            "invalid_choice": "Bitte ein gültiges Ergebnis wählen.",
        },
    )
    note = forms.CharField(label="Bemerkung", max_length=300, required=False)


class SchemeForm(forms.ModelForm):
    class Meta:
        model = NumberingScheme
        fields = ["prefix", "next_number"]
