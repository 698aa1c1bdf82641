"""The Atom feed of the public practices (Kreis domain, readable without signing in)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from roadmap.practices import selectors
from roadmap.practices.models import Practice

FEED_SIZE = 30


class PublicPracticesFeed(Feed):
    feed_type = Atom1Feed
    language = "de"

    def title(self) -> str:
        return f"Praxisbeispiele – {settings.KREIS_NAME}"

    def subtitle(self) -> str:
        return "Digitalisierungsprojekte der Kommunen zum Nachnutzen („Einer für alle“)."

    def link(self) -> str:
        return reverse("practices:public_list")

    def items(self) -> QuerySet[Practice]:
        # Only ever what an anonymous visitor may read: public and published.
        return (
            selectors.visible(selectors.ANONYMOUS)
            .select_related("published_version", "municipality")
            .order_by("-published_version__published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item: Practice) -> str:
        assert item.published_version is not None
        return item.published_version.title

    def item_description(self, item: Practice) -> str:
        assert item.published_version is not None
        return item.published_version.summary

    def item_link(self, item: Practice) -> str:
        return reverse("practices:public_detail", args=[item.pk])

    def item_pubdate(self, item: Practice) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Practice) -> datetime | None:
        return item.published_version.published_at if item.published_version else None

    def item_author_name(self, item: Practice) -> str:
        return item.municipality.name if item.municipality else settings.KREIS_NAME
