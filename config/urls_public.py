"""The Kreis' domain: the centre's coordination and treasury."""

from django.urls import include, path

from config.urls_common import common_patterns, handler400, handler403, handler404, handler500
from costsharing import urls as costsharing_urls
from maturity import urls as maturity_urls
from roadmap import urls as roadmap_urls
from roadmap.papers import urls as papers_urls
from roadmap.papers.oparl import urls as oparl_urls
from roadmap.practices import urls as practices_urls
from tenants import views as tenant_views
from tenants.urls import kreis_patterns

urlpatterns = [
    path("", tenant_views.start, name="start"),
    *common_patterns,
    path("reifegrad/", include((maturity_urls.kreis_urlpatterns, "maturity"))),
    path("kosten/", include((costsharing_urls.kreis_urlpatterns, "costsharing"))),
    path("roadmap/", include((roadmap_urls.kreis_urlpatterns, "roadmap"))),
    path("beschlussvorlagen/", include((papers_urls.kreis_urlpatterns, "papers"))),
    path("praxis/", include((practices_urls.kreis_urlpatterns, "practices"))),
    path("oparl/v1/", include((oparl_urls.urlpatterns, "oparl"))),
    *kreis_patterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
