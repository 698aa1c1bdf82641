"""The Kreis' domain: the centre's coordination and treasury."""

from django.urls import include, path

from config import urls_common
from config.urls_common import handler400, handler403, handler404, handler500
from roadmap.papers.oparl import urls as oparl_urls
from tenants.urls import kreis_patterns

urlpatterns = [
    *urls_common.common_patterns,
    *urls_common.app_patterns(kreis=True),
    path("oparl/v1/", include((oparl_urls.urlpatterns, "oparl"))),
    *kreis_patterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
