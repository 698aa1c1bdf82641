"""Forms of roadmap: they parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone

from roadmap import selectors
from roadmap.models import Measure, Priority, RequestStatus, RequestSummary, Service
from roadmap.services import MeasureInput
from roadmap.timeline import Quarter, quarters_between
from tenants import selectors as tenant_selectors
from tenants.models import Membership, Municipality

LEVEL_CHOICES = [("", "–"), *[(str(i), str(i)) for i in range(5)]]


class ServiceForm(forms.ModelForm):
    requester_roles = forms.MultipleChoiceField(
        label="Wer darf anfragen",
        choices=Membership.Role.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Service
        fields = ["name", "description", "category", "unit", "requester_roles", "is_open"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class RequestForm(forms.Form):
    service = forms.TypedChoiceField(label="Leistung", coerce=int, choices=())
    need = forms.CharField(
        label="Bedarf",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Was wird gebraucht, wofür und von wem?",
    )
    quantity = forms.DecimalField(
        label="Menge", max_digits=10, decimal_places=2,
        help_text="In der Einheit der Leistung (Stunden, Konten, Lizenzen oder Projekte).",
    )  # fmt: skip
    priority = forms.ChoiceField(
        label="Priorität", choices=Priority.choices, initial=Priority.MEDIUM
    )
    wished_date = forms.DateField(
        label="Gewünscht bis",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "– bitte wählen –")] + [
            (s.pk, f"{s.name} ({s.get_unit_display()})")
            for s in selectors.service_list(open_only=True)
        ]
        self.fields["service"].error_messages["invalid_choice"] = (
            "Diese Leistung gibt es im Leistungskatalog nicht oder sie ist nicht offen."
        )


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Kommentar", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=RequestStatus.choices)
    expected = forms.ChoiceField(choices=RequestStatus.choices, required=False)
    reason = forms.CharField(
        label="Begründung", widget=forms.Textarea(attrs={"rows": 2}), required=False,
        max_length=2000,
    )  # fmt: skip


def quarter_choices(*extra: str) -> list[tuple[str, str]]:
    year = timezone.localdate().year
    quarters = quarters_between(Quarter(year - 1, 1), Quarter(year + 6, 4))
    keys = {q.key for q in quarters}
    for value in extra:
        if value and value not in keys:
            try:
                quarters.append(Quarter.parse(value))
            except ValueError:
                continue
    quarters.sort(key=lambda q: (q.year, q.number))
    return [(q.key, q.label) for q in quarters]


class RequestChoiceField(forms.ModelMultipleChoiceField):
    """Requests named by their service, municipality and status."""

    def label_from_instance(self, obj: RequestSummary) -> str:
        return f"{obj.service.name} – {obj.municipality.name} ({obj.get_status_display()})"


class MeasureForm(forms.Form):
    title = forms.CharField(label="Titel", max_length=200)
    description = forms.CharField(
        label="Beschreibung", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    dimension_key = forms.ChoiceField(label="Handlungsfeld des Reifegradmodells")
    start_quarter = forms.ChoiceField(label="Beginn (Quartal)")
    end_quarter = forms.ChoiceField(label="Ende (Quartal)")
    responsible = forms.CharField(label="Verantwortlich", max_length=150)
    status = forms.ChoiceField(label="Status", choices=Measure.Status.choices)
    municipalities = forms.ModelMultipleChoiceField(
        label="Beteiligte Kommunen",
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Keine Auswahl heißt: der ganze Kreis.",
    )
    requests = RequestChoiceField(
        label="Beantwortete Anfragen",
        queryset=RequestSummary.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    depends_on = forms.ModelMultipleChoiceField(
        label="Hängt ab von",
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, measure: Measure | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = selectors.dimensions()
        choices = [(d.key, d.title) for d in known]
        current_key = measure.dimension_key if measure else ""
        if current_key and current_key not in {d.key for d in known}:
            choices.append((current_key, current_key))
        dimension_key = cast(forms.ChoiceField, self.fields["dimension_key"])
        dimension_key.choices = [("", "– bitte wählen –"), *choices]
        extra = (measure.start_quarter, measure.end_quarter) if measure else ()
        quarters = quarter_choices(*extra)
        cast(forms.ChoiceField, self.fields["start_quarter"]).choices = quarters
        cast(forms.ChoiceField, self.fields["end_quarter"]).choices = quarters
        municipalities = cast(forms.ModelMultipleChoiceField, self.fields["municipalities"])
        municipalities.queryset = tenant_selectors.municipality_list()
        linked = Q(measures=measure) if measure is not None and measure.pk else Q(pk__in=[])
        cast(RequestChoiceField, self.fields["requests"]).queryset = (
            RequestSummary.objects.filter(
                Q(status__in=(RequestStatus.IN_REVIEW, RequestStatus.ACCEPTED,
                              RequestStatus.IN_PROGRESS, RequestStatus.SUBMITTED)) | linked
            )
            .select_related("municipality", "service")
            .distinct()
            .order_by("service__name", "municipality__name")
        )  # fmt: skip
        others = Measure.objects.order_by("start_quarter", "title")
        if measure is not None and measure.pk:
            others = others.exclude(pk=measure.pk)
        cast(forms.ModelMultipleChoiceField, self.fields["depends_on"]).queryset = others

    def to_input(self) -> MeasureInput:
        data = self.cleaned_data
        texts = ("title", "description", "dimension_key", "start_quarter", "end_quarter",
                 "responsible", "status")  # fmt: skip
        return MeasureInput(
            **{name: data[name] for name in texts},
            municipality_ids=tuple(m.pk for m in data["municipalities"]),
            request_ids=tuple(r.pk for r in data["requests"]),
            depends_on_ids=tuple(m.pk for m in data["depends_on"]),
        )


class TargetPictureForm(forms.Form):
    """One select per dimension and year: the target level 0–4, or empty."""

    def __init__(self, *args: Any, picture: selectors.TargetPicture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.picture = picture
        for row in picture.rows:
            for year, level in zip(picture.years, row.levels, strict=True):
                self.fields[self.field_name(row.dimension.key, year)] = forms.TypedChoiceField(
                    label=f"{row.dimension.title} {year}",
                    choices=LEVEL_CHOICES,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial="" if level is None else str(level),
                )

    @staticmethod
    def field_name(key: str, year: int) -> str:
        return f"ziel_{key}_{year}"

    def levels(self) -> dict[tuple[str, int], int | None]:
        return {
            (row.dimension.key, year): self.cleaned_data.get(
                self.field_name(row.dimension.key, year)
            )
            for row in self.picture.rows
            for year in self.picture.years
        }

    def grid(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (
                row.dimension.title,
                [self[self.field_name(row.dimension.key, year)] for year in self.picture.years],
            )
            for row in self.picture.rows
        ]


class PdfForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label="Für",
        queryset=Municipality.objects.none(),
        required=False,
        empty_label="den ganzen Kreis",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality = cast(forms.ModelChoiceField, self.fields["municipality"])
        municipality.queryset = tenant_selectors.municipality_list()
