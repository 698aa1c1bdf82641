"""URLs of the decision papers: `kreis_urlpatterns` on the Kreis domain,
`municipality_urlpatterns` on a municipality's subdomain."""

from django.urls import URLPattern, URLResolver

kreis_urlpatterns: list[URLPattern | URLResolver] = []
municipality_urlpatterns: list[URLPattern | URLResolver] = []
