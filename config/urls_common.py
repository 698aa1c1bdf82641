"""Paths every host serves: the start page, health, sign-in and the legally required pages; and
where each app's pages stand on both kinds of host."""

from django.urls import URLResolver, include, path

from costsharing import urls as costsharing_urls
from izd import views
from maturity import urls as maturity_urls
from roadmap import urls as roadmap_urls
from roadmap.papers import urls as papers_urls
from roadmap.practices import urls as practices_urls
from tenants import views as tenant_views
from tenants.urls import audit_patterns, auth_patterns, people_patterns

common_patterns = [
    path("", tenant_views.start, name="start"),
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
    *audit_patterns,
]

handler400 = "izd.errors.error_400"
handler403 = "izd.errors.error_403"
handler404 = "izd.errors.error_404"
handler500 = "izd.errors.error_500"

# Each app's prefix and namespace: the same on the Kreis' domain and on a municipality's
# subdomain, which serve the app's pages for their own audience.
_APPS = (
    ("reifegrad/", "maturity", maturity_urls),
    ("kosten/", "costsharing", costsharing_urls),
    ("roadmap/", "roadmap", roadmap_urls),
    ("beschlussvorlagen/", "papers", papers_urls),
    ("praxis/", "practices", practices_urls),
)


def app_patterns(*, kreis: bool) -> list[URLResolver]:
    """The apps' pages for the Kreis' staff (`kreis`) or for a municipality."""
    return [
        path(
            prefix,
            include(
                (module.kreis_urlpatterns if kreis else module.municipality_urlpatterns, namespace)
            ),
        )
        for prefix, namespace, module in _APPS
    ]
