"""Forms of maturity: they only parse and check input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator

from izd import formats
from izd.numbers import ascii_int
from maturity.models import Campaign, ModelVersion
from maturity.municipal.models import COMMENT_MAX_LENGTH, EVIDENCE_URL_MAX_LENGTH
from maturity.services import AnswerInput
from tenants.models import Municipality

COMMENT_TOO_LONG = (
    f"Der Kommentar ist zu lang (höchstens {formats.number(COMMENT_MAX_LENGTH)} Zeichen)."
)
LEVEL_CHOICES = [("", "– bitte wählen –")] + [(str(i), str(i)) for i in range(5)]


def _level(value: str) -> int | None:
    return ascii_int(value) if value not in ("", None) else None


def _level_field(label: str) -> forms.TypedChoiceField:
    """A level 0..4, or none chosen yet."""
    return forms.TypedChoiceField(
        label=label,
        choices=LEVEL_CHOICES,
        coerce=_level,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": f"Die {label} muss zwischen 0 und 4 liegen."},
    )


class _SharedFields(dict[str, forms.Field]):
    """The fields of a form that only parses input, shared by all its instances.

    Django copies a form's fields deeply for each instance, so that an instance may change its
    own (choices, a widget's attributes). For the autosave that copy was its largest Python cost
    of its own (about 0.4 ms a request). A form that never changes or renders its fields can
    share them: a field's `clean` keeps no state. The mapping itself cannot be changed.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedFields:
        return self

    def _frozen(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("The fields of this form are shared by all its instances.")

    # every mutator refuses alike; their signatures differ from `_frozen`'s, hence the ignore
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _frozen  # type: ignore[assignment]


class AnswerForm(forms.Form):
    """One autosaved answer, as htmx posts it. Parses only (never rendered), so its instances
    share their fields (`_SharedFields`)."""

    question = forms.IntegerField(
        min_value=1, error_messages={"required": "Die Frage fehlt.", "invalid": "Unbekannte Frage."}
    )
    answer = forms.UUIDField(
        required=False, error_messages={"invalid": "Die Antwortkennung ist ungültig."}
    )
    version = forms.IntegerField(
        min_value=0,
        error_messages={"required": "Der Bearbeitungsstand fehlt.", "invalid": "Ungültiger Stand."},
    )
    current_level = _level_field("Ist-Stufe")
    target_level = _level_field("Soll-Stufe")
    not_relevant = forms.BooleanField(label="Nicht relevant", required=False)
    comment = forms.CharField(
        label="Kommentar",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": COMMENT_TOO_LONG},
    )
    evidence_url = forms.CharField(
        label="Nachweis (Link)",
        required=False,
        max_length=EVIDENCE_URL_MAX_LENGTH,
        error_messages={"max_length": "Der Link ist zu lang."},
    )

    def clean_evidence_url(self) -> str:
        value: str = self.cleaned_data.get("evidence_url", "").strip()
        if not value:
            return ""
        try:
            URLValidator(schemes=["http", "https"])(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                "Der Nachweis muss ein vollständiger Link sein, der mit http:// oder https:// "
                "beginnt."
            ) from error
        return value

    def to_input(self) -> AnswerInput:
        data = self.cleaned_data
        return AnswerInput(
            question_id=data["question"],
            current_level=data["current_level"],
            target_level=data["target_level"],
            not_relevant=data["not_relevant"],
            comment=data["comment"].strip(),
            evidence_url=data["evidence_url"],
        )

    def error_text(self) -> str:
        return " ".join(str(message) for errors in self.errors.values() for message in errors)


AnswerForm.base_fields = _SharedFields(AnswerForm.base_fields)


class CampaignForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120, help_text="z. B. „Erhebung 2026“")
    start_date = forms.DateField(label="Beginn", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="Ende", widget=forms.DateInput(attrs={"type": "date"}))
    model_version = forms.ModelChoiceField(
        label="Modellversion",
        queryset=ModelVersion.objects.order_by("key", "-loaded_at"),
        empty_label="– bitte wählen –",
    )
    all_members = forms.BooleanField(
        label="Alle Mitgliedskommunen nehmen teil",
        required=False,
        help_text="Oder unten einzelne Kommunen auswählen; nichts ist vorausgewählt.",
    )
    municipalities = forms.ModelMultipleChoiceField(
        label="Teilnehmende Kommunen",
        queryset=Municipality.objects.members().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if Campaign.objects.filter(name=name).exists():
            raise forms.ValidationError("Eine Erhebung mit diesem Namen gibt es schon.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Das Ende darf nicht vor dem Beginn liegen.")
        if data.pop("all_members", False):
            data["municipalities"] = list(Municipality.objects.members())
        elif not data.get("municipalities") and "municipalities" not in self.errors:
            self.add_error(
                "municipalities",
                "Bitte mindestens eine teilnehmende Kommune auswählen oder „Alle "
                "Mitgliedskommunen“ ankreuzen.",
            )
        return data
