"""A municipality's subdomain."""

from config import urls_common
from config.urls_common import handler400, handler403, handler404, handler500

urlpatterns = [*urls_common.common_patterns, *urls_common.app_patterns(kreis=False)]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
