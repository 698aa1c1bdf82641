from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from izd.site import site_host
from tenants.models import Membership, Municipality, User
from tenants.services import MUNICIPALITY_FIELDS, MunicipalityData


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-Mail-Adresse"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("E-Mail-Adresse oder Passwort stimmen nicht."),
        "inactive": _("Dieses Konto ist gesperrt."),
    }

    def clean_username(self) -> str:
        return User.objects.normalize_email(self.cleaned_data.get("username"))


def sign_in_name(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The address that django-axes counts failed sign-ins for (AXES_USERNAME_CALLABLE): in
    lower case, so that changing the case of a letter does not start a fresh count."""
    source = credentials if credentials else getattr(request, "POST", {})
    return User.objects.normalize_email(source.get("username"))


class PortalPasswordResetForm(PasswordResetForm):
    """The reset link points to the configured portal address, never to the Host header."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["domain_override"] = site_host()
        kwargs["use_https"] = settings.PORTAL_SCHEME == "https"
        super().save(*args, **kwargs)


class MunicipalityForm(forms.ModelForm):
    class Meta:
        model = Municipality
        # The fields a change of the record touches (the audit trail compares the same), with
        # the subdomain and AGS after the name: they are set once, when it is created.
        fields = ["name", "slug", "ags", *MUNICIPALITY_FIELDS[1:]]
        widgets = {"population_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "slug": _("Die Adresse der Kommune im Portal, z. B. waechtersbach."),
            "ags": _("8 Ziffern, z. B. 06435014."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Schema and subdomain of an existing municipality stay as they were created.
            for name in ("slug", "ags"):
                self.fields[name].disabled = True

    def to_data(self) -> MunicipalityData:
        return MunicipalityData.from_values(self.cleaned_data)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV-Datei"),
        help_text=_(
            "Spalten AGS, Name, Einwohner, Stichtag; Komma oder Semikolon; UTF-8 oder Windows-1252."
        ),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse"))
    role = forms.ChoiceField(label=_("Rolle"), choices=Membership.Role.choices)

    def __init__(
        self, *args: Any, role_choices: list[tuple[str, Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if role_choices is not None:
            # Only the roles this person may hand out; the service checks again.
            self.fields["role"].choices = role_choices  # type: ignore[attr-defined]


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(label=_("Vorname"), max_length=150)
    last_name = forms.CharField(label=_("Nachname"), max_length=150)
    password1 = forms.CharField(
        label=_("Passwort"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Mindestens 10 Zeichen, nicht nur Ziffern."),
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Die Passwörter stimmen nicht überein."))
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class LegalPageForm(forms.Form):
    title = forms.CharField(label=_("Überschrift"), max_length=200)
    body = forms.CharField(
        label=_("Inhalt"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=50_000,
        help_text=_("Absätze durch eine Leerzeile trennen. HTML wird als Text angezeigt."),
    )
    feedback_email = forms.EmailField(label=_("Kontakt für Rückmeldungen"), required=False)

    def __init__(self, *args: Any, require_feedback: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["feedback_email"].required = require_feedback


class OffboardForm(forms.Form):
    """The coordinator types the municipality's name to confirm that it leaves the portal."""

    confirm_name = forms.CharField(label=_("Name der Kommune zur Bestätigung"), max_length=120)

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["confirm_name"].help_text = _(
            "Bitte „%(name)s“ genau so eingeben, wie es hier steht."
        ) % {"name": municipality.name}

    def clean_confirm_name(self) -> str:
        value = str(self.cleaned_data["confirm_name"]).strip()
        if value != self.municipality.name:
            raise forms.ValidationError(
                _("Der eingegebene Name stimmt nicht mit „%(name)s“ überein.")
                % {"name": self.municipality.name}
            )
        return value
