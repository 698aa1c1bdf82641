"""Forms of the best-practice exchange; they only turn input into the services' values."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone

from roadmap.models import Service
from roadmap.practices import selectors
from roadmap.practices.models import Adoption, Attachment, PracticeVersion, Product
from roadmap.practices.services import EventInput, PracticeInput
from tenants import selectors as tenant_selectors

MAX_LINKS = 10


class PracticeForm(forms.ModelForm):
    dimension_keys = forms.MultipleChoiceField(
        label="Handlungsfelder des Reifegradmodells",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    question_keys = forms.MultipleChoiceField(
        label="Fragen des Reifegradmodells, bei denen es hilft",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    products = forms.ModelMultipleChoiceField(
        label="Eingesetzte Produkte und Dienste",
        queryset=Product.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    links_text = forms.CharField(
        label="Links",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Eine Adresse je Zeile, z. B. https://www.example.de/konzept",
    )

    class Meta:
        model = PracticeVersion
        fields = [
            "title", "summary", "problem", "solution", "result", "dimension_keys",
            "question_keys", "products", "cost_once", "cost_yearly", "effort_days",
            "duration_months", "project_status", "lessons_learned", "contact_name",
            "contact_email", "contact_phone", "reuse_terms", "licence", "service", "visibility",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 4}),
            "solution": forms.Textarea(attrs={"rows": 4}),
            "result": forms.Textarea(attrs={"rows": 4}),
            "lessons_learned": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dimension_keys"].choices = selectors.dimension_choices()  # type: ignore[attr-defined]
        self.fields["question_keys"].choices = selectors.question_choices()  # type: ignore[attr-defined]
        service = self.fields["service"]
        assert isinstance(service, forms.ModelChoiceField)
        service.empty_label = "keine"  # the service is optional: no service, not "bitte wählen"
        if self.instance.pk:
            self.fields["links_text"].initial = "\n".join(self.instance.links)
            self.fields["products"].initial = list(self.instance.products.all())

    def clean_links_text(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["links_text"].splitlines()]
        links = [line for line in lines if line]
        if len(links) > MAX_LINKS:
            raise forms.ValidationError(f"Höchstens {MAX_LINKS} Links.")
        validate = URLValidator(schemes=["http", "https"])
        for link in links:
            try:
                validate(link)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    f"„{link}“ ist keine gültige Adresse (http:// oder https://)."
                ) from error
        return links

    def to_input(self) -> PracticeInput:
        data = self.cleaned_data
        service: Service | None = data.get("service")
        return PracticeInput(
            title=data["title"],
            summary=data["summary"],
            problem=data.get("problem", ""),
            solution=data.get("solution", ""),
            result=data.get("result", ""),
            dimension_keys=tuple(data.get("dimension_keys", ())),
            question_keys=tuple(data.get("question_keys", ())),
            product_ids=tuple(p.pk for p in data.get("products", ())),
            cost_once=data["cost_once"],
            cost_yearly=data["cost_yearly"],
            effort_days=data["effort_days"],
            duration_months=data["duration_months"],
            project_status=data["project_status"],
            lessons_learned=data.get("lessons_learned", ""),
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_phone=data.get("contact_phone", ""),
            links=tuple(data.get("links_text", ())),
            reuse_terms=data["reuse_terms"],
            licence=data.get("licence", ""),
            service_id=service.pk if service else None,
            visibility=data["visibility"],
        )


class SearchForm(forms.Form):
    q = forms.CharField(label="Suchbegriff", required=False, max_length=200)
    dimension = forms.ChoiceField(label="Handlungsfeld", required=False)
    status = forms.ChoiceField(label="Status des Projekts", required=False)
    cost = forms.ChoiceField(label="Kosten im ersten Jahr", required=False)
    size = forms.ChoiceField(label="Größe der Kommune", required=False)
    product = forms.ModelChoiceField(
        label="Produkt", queryset=Product.objects.order_by("name"), required=False,
        empty_label="alle",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from roadmap.practices.models import ProjectStatus

        everything = [("", "alle")]
        self.fields["dimension"].choices = everything + selectors.dimension_choices()  # type: ignore[attr-defined]
        self.fields["status"].choices = everything + list(ProjectStatus.choices)  # type: ignore[attr-defined]
        self.fields["cost"].choices = everything + [  # type: ignore[attr-defined]
            (key, label) for key, (label, _l, _h) in selectors.COST_BANDS.items()
        ]
        self.fields["size"].choices = everything + [  # type: ignore[attr-defined]
            (key, label) for key, (label, _l, _h) in selectors.SIZE_CLASSES.items()
        ]

    def filters(self) -> selectors.Filters:
        if not self.is_valid():
            return selectors.Filters()
        data = self.cleaned_data
        product: Product | None = data.get("product")
        return selectors.Filters(
            text=data.get("q") or "",
            dimension=data.get("dimension") or "",
            project_status=data.get("status") or "",
            cost_band=data.get("cost") or "",
            size_class=data.get("size") or "",
            product_id=product.pk if product else None,
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Entscheidung",
        choices=[
            ("veroeffentlichen", "veröffentlichen"),
            ("zurueckgeben", "zur Überarbeitung zurückgeben"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Hinweis an die Autorinnen und Autoren", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class AttachmentForm(forms.Form):
    file = forms.FileField(label="Datei", help_text="PDF, ODT, DOCX, XLSX, PNG oder JPEG")
    title = forms.CharField(label="Titel", required=False, max_length=200)
    kind = forms.ChoiceField(label="Art", choices=Attachment.Kind.choices)


class AdoptionForm(forms.ModelForm):
    class Meta:
        model = Adoption
        fields = ["status", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class RequestFromAdoptionForm(forms.Form):
    service = forms.ModelChoiceField(
        label="Leistung des Zentrums",
        queryset=Service.objects.filter(is_open=True),
        empty_label="– bitte wählen –",
    )
    wished_date = forms.DateField(
        label="Gewünscht bis", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wished_date"].initial = timezone.localdate() + timedelta(days=90)


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="Ihre Frage", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label="Antwort", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EventForm(forms.Form):
    topic = forms.CharField(label="Thema", max_length=200)
    starts_at = forms.DateTimeField(
        label="Beginn", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
    )  # fmt: skip
    duration_minutes = forms.IntegerField(label="Dauer (Minuten)", min_value=15, initial=90)
    description = forms.CharField(
        label="Beschreibung", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    online_url = forms.URLField(
        label="Link zur Videokonferenz", required=False, assume_scheme="https"
    )
    recording_url = forms.URLField(
        label="Link zur Aufzeichnung", required=False, assume_scheme="https"
    )
    presenters = forms.ModelMultipleChoiceField(
        label="Vortragende Kommunen", queryset=tenant_selectors.municipality_list(),
        required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    practices = forms.ModelMultipleChoiceField(
        label="Praxisbeispiele",
        queryset=selectors.visible(selectors.Viewer(is_centre=True)).order_by(
            "published_version__title"
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practices"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: p.published_version.title if p.published_version else str(p)
        )

    def to_input(self) -> EventInput:
        data = self.cleaned_data
        return EventInput(
            topic=data["topic"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            description=data.get("description", ""),
            online_url=data.get("online_url", ""),
            recording_url=data.get("recording_url", ""),
            presenter_ids=tuple(m.pk for m in data.get("presenters", ())),
            practice_ids=tuple(p.pk for p in data.get("practices", ())),
        )


def default_wished_date() -> date:
    return timezone.localdate() + timedelta(days=90)
