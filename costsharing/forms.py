"""Forms of cost sharing: they parse and check input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from costsharing.allocation import AllocationError, KeyComponents, validate_components
from costsharing.models import CostLine, Grant, IssuerProfile, Module
from tenants.models import Municipality

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def amount(label: str, max_digits: int, places: int = 2, **kwargs: Any) -> forms.DecimalField:
    """A non-negative number, typed the German way (1.234,56)."""
    return forms.DecimalField(
        label=label,
        max_digits=max_digits,
        decimal_places=places,
        min_value=Decimal(0),
        localize=True,
        **kwargs,
    )


def money(label: str, **kwargs: Any) -> forms.DecimalField:
    return amount(label, 14, **kwargs)


def percent(label: str, **kwargs: Any) -> forms.DecimalField:
    return amount(label, 7, 4, max_value=Decimal(100), **kwargs)


class YearForm(forms.Form):
    year = forms.IntegerField(label="Jahr", min_value=2000, max_value=2100)
    kreis_share_percent = percent(
        "Anteil, den der Kreis selbst trägt (in % der Kosten)", initial=Decimal(0)
    )


class BudgetForm(forms.Form):
    kreis_share_percent = percent("Anteil, den der Kreis selbst trägt (in % der Kosten)")
    note = forms.CharField(
        label="Bemerkung", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StaffLineForm(forms.Form):
    role = forms.CharField(label="Funktion", max_length=120)
    fte = amount("Vollzeitäquivalente", 6)
    cost_per_fte = money("Jahreskosten je Vollzeitstelle (EUR)")


class CostLineForm(forms.Form):
    kind = forms.ChoiceField(label="Art", choices=CostLine.Kind.choices)
    label = forms.CharField(label="Bezeichnung", max_length=160)
    amount = money("Betrag (EUR)")


class GrantForm(forms.Form):
    source = forms.CharField(label="Fördermittelgeber / Programm", max_length=200)
    amount = money("Betrag (EUR)")
    pass_on = forms.ChoiceField(label="Weitergabe an die Kommunen", choices=Grant.PassOn.choices)
    kreis_percent = percent("Anteil, den der Kreis behält (in %)", initial=Decimal(0))


class ModuleForm(forms.Form):
    key = forms.SlugField(label="Kürzel", max_length=40, help_text="z. B. ozg")
    name = forms.CharField(label="Name", max_length=120)
    weight = money("Gewicht (geplante Kosten in EUR)")


class KeyForm(forms.Form):
    name = forms.CharField(label="Bezeichnung", max_length=120)
    base = percent("Sockelbetrag (%)")
    population = percent("Nach Einwohnern (%)")
    usage = percent("Nach Nutzung (%)")
    modules = percent("Nach Modulen (%)")
    population_date = forms.DateField(label="Stichtag der Einwohnerzahlen", widget=DATE)
    activate = forms.BooleanField(label="Gilt für das Jahr", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = ("base", "population", "usage", "modules")
        if all(data.get(name) is not None for name in names):
            try:
                validate_components(KeyComponents(*(data[name] for name in names)))
            except AllocationError as error:
                raise ValidationError(str(error)) from error
        return data


class _MunicipalityChoiceForm(forms.Form):
    """A form about one of the given municipalities (the view passes the members it may name)."""

    municipality = forms.ModelChoiceField(
        label="Kommune", queryset=Municipality.objects.none(), empty_label="– bitte wählen –"
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["municipality"]).queryset = municipalities


class UsageCorrectForm(forms.Form):
    units = amount("Leistungseinheiten", 12)
    note = forms.CharField(label="Bemerkung", max_length=300, required=False)


class UsageForm(_MunicipalityChoiceForm, UsageCorrectForm):
    field_order = ["municipality", "units", "note"]


class PopulationForm(_MunicipalityChoiceForm):
    reference_date = forms.DateField(label="Stichtag", widget=DATE)
    population = forms.IntegerField(
        label="Einwohnerzahl",
        min_value=1,
        error_messages={"min_value": "Die Einwohnerzahl muss größer als null sein."},
    )


class FreezeForm(forms.Form):
    settle_in_year = forms.IntegerField(
        label="Abrechnen mit dem Bescheid für das Jahr", min_value=2000, max_value=2100
    )
    reason = forms.CharField(
        label="Anlass (bei einer Korrektur Pflicht)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    decisions_waiver = forms.CharField(
        label="Begründung, falls nicht alle Beschlüsse erfasst sind",
        required=False,
        help_text=(
            "Nur nötig, wenn für ein Mitglied noch kein Ratsbeschluss im Portal erfasst ist; "
            "die Begründung wird mit der Version gespeichert und im Verlauf gezeigt."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class IssuerForm(forms.ModelForm):
    class Meta:
        model = IssuerProfile
        fields = [
            "name", "street", "postal_code", "city", "contact_name", "contact_phone",
            "contact_email", "iban", "bic", "account_holder", "seller_id", "payment_days",
            "legal_note",
        ]  # fmt: skip
        widgets = {"legal_note": forms.Textarea(attrs={"rows": 10})}


class CooperationForm(forms.Form):
    joined_on = forms.DateField(label="Beitritt zum Zentrum", widget=DATE)
    left_on = forms.DateField(label="Austritt (falls beschlossen)", widget=DATE, required=False)
    budget_line = forms.CharField(
        label="Haushaltsstelle / Produktkonto", max_length=80, required=False
    )
    contact_name = forms.CharField(
        label="Ansprechperson für Rechnungen", max_length=120, required=False
    )
    contact_email = forms.EmailField(label="E-Mail für Rechnungen", required=False)
    contact_phone = forms.CharField(label="Telefon", max_length=40, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        joined, left = data.get("joined_on"), data.get("left_on")
        if joined and left and left < joined:
            raise ValidationError("Der Austritt kann nicht vor dem Beitritt liegen.")
        return data


class ModuleChoiceForm(forms.Form):
    modules = forms.ModelMultipleChoiceField(
        label="Module",
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, modules: QuerySet[Module], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["modules"]).queryset = modules
