"""Paths every host serves: health, sign-in and the legally required pages."""

from django.urls import path

from izd import views
from tenants.urls import auth_patterns, people_patterns

common_patterns = [
    path("healthz", views.healthz, name="healthz"),
    path("impressum/", views.legal_page, {"kind": "impressum"}, name="imprint"),
    path("datenschutz/", views.legal_page, {"kind": "datenschutz"}, name="privacy"),
    path(
        "barrierefreiheit/",
        views.legal_page,
        {"kind": "barrierefreiheit"},
        name="accessibility",
    ),
    *auth_patterns,
    *people_patterns,
]

handler400 = "izd.errors.error_400"
handler403 = "izd.errors.error_403"
handler404 = "izd.errors.error_404"
handler500 = "izd.errors.error_500"
