"""Sign-in and invitations: on the Kreis domain and on every municipality's subdomain."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tenants import audit_views, views
from tenants.forms import LoginForm, PortalPasswordResetForm

auth_patterns = [
    path(
        "anmelden/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "passwort/vergessen/",
        auth_views.PasswordResetView.as_view(form_class=PortalPasswordResetForm),
        name="password_reset",
    ),
    path(
        "passwort/vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "passwort/neu/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "passwort/neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("einladung/<str:token>/", views.invitation_accept, name="invitation_accept"),
]

kreis_patterns = [
    path("kommunen/", views.municipality_list, name="municipality_list"),
    path("kommunen/neu/", views.municipality_create, name="municipality_create"),
    path("kommunen/import/", views.municipality_import, name="municipality_import"),
    path("kommunen/archive/", views.municipality_archives, name="municipality_archives"),
    path(
        "kommunen/archive/<str:filename>/",
        views.municipality_archive_download,
        name="municipality_archive_download",
    ),
    path("kommunen/<slug:slug>/", views.municipality_detail, name="municipality_detail"),
    path("kommunen/<slug:slug>/einladen/", views.invitation_create, name="invitation_create"),
    path(
        "kommunen/<slug:slug>/austritt/", views.municipality_offboard, name="municipality_offboard"
    ),
    path("seiten/<str:kind>/bearbeiten/", views.legal_page_edit, name="legal_page_edit"),
]

# On the Kreis domain for the coordinator, on a municipality's subdomain for its digital officer.
people_patterns = [
    path("personen/", views.people, name="people"),
    path("personen/einladen/", views.people_invite, name="people_invite"),
    path("personen/rolle/<int:pk>/", views.membership_role, name="membership_role"),
    path("personen/entfernen/<int:pk>/", views.membership_remove, name="membership_remove"),
    path("personen/einladung/<int:pk>/erneut/", views.invitation_resend, name="invitation_resend"),
    path(
        "personen/einladung/<int:pk>/zurueckziehen/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]

kreis_patterns += [
    path("personen/konto/<int:pk>/deaktivieren/", views.user_deactivate, name="user_deactivate"),
]

# The audit trail: every entry on the Kreis' domain, a municipality's own on its subdomain.
audit_patterns = [
    path("protokoll/", audit_views.audit_list, name="audit_list"),
    path("protokoll/export.csv", audit_views.audit_csv, name="audit_csv"),
]
