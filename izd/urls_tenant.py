"""A municipality's subdomain."""

from django.urls import path

from izd.urls_common import common_patterns, handler403, handler404, handler500
from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.start, name="start"),
    *common_patterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
