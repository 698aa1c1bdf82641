"""External object lists of OParl 1.1: filters, pagination and the list page.

Pages are numbered (`page`), sorted by the database key (stable, as the spec demands), and
carry `data`, `pagination` and `links`; `links.next` is there on every page but the last. The
filters `created_since`, `created_until`, `modified_since` and `modified_until` and the page
size `elementsPerPage` stay in every link.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from izd.exceptions import PortalError

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
FILTERS = {
    "created_since": ("created", "gte"),
    "created_until": ("created", "lte"),
    "modified_since": ("modified", "gte"),
    "modified_until": ("modified", "lte"),
}


class ListError(PortalError):
    """A list parameter a client sent is not usable; the message is German."""


class PageMissing(PortalError):
    """The page number lies beyond the last page."""

    status = 404


@dataclass(frozen=True)
class Query:
    filters: dict[str, datetime]
    per_page: int
    page: int
    kept: dict[str, str]  # the parameters every link repeats (filters and page size)


def _moment(name: str, raw: str) -> datetime:
    value = parse_datetime(raw.strip().replace(" ", "+"))
    if value is None:
        raise ListError(
            f"„{name}“ braucht Datum und Uhrzeit nach ISO 8601, z. B. 2026-01-01T00:00:00+01:00."
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _positive(name: str, raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ListError(f"„{name}“ muss eine ganze Zahl ab 1 sein.")
    return int(raw)


def _param(params: QueryDict, name: str) -> str:
    value = params.get(name)
    return value if isinstance(value, str) else ""


def parse(params: QueryDict) -> Query:
    given = {name: _param(params, name) for name in (*FILTERS, "elementsPerPage", "page")}
    filters = {name: _moment(name, given[name]) for name in FILTERS if given[name]}
    kept = {name: given[name] for name in FILTERS if given[name]}
    per_page = DEFAULT_PER_PAGE
    if given["elementsPerPage"]:
        # A client may ask for fewer; the server keeps its upper bound (the spec allows it).
        per_page = min(_positive("elementsPerPage", given["elementsPerPage"]), MAX_PER_PAGE)
        kept["elementsPerPage"] = str(per_page)
    page = _positive("page", given["page"]) if given["page"] else 1
    return Query(filters=filters, per_page=per_page, page=page, kept=kept)


def page_object(
    queryset: QuerySet[Any],
    query: Query,
    base_url: str,
    build: Callable[[Sequence[Model]], list[dict[str, Any]]],
    fields: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One list page. `fields` names the model fields behind `created` and `modified`
    (default: created_at and updated_at); `build` turns the page's rows into objects."""
    fields = fields or {"created": "created_at", "modified": "updated_at"}
    for name, value in query.filters.items():
        attribute, lookup = FILTERS[name]
        queryset = queryset.filter(**{f"{fields[attribute]}__{lookup}": value})
    total = queryset.count()
    pages = max(1, math.ceil(total / query.per_page))
    if query.page > pages:
        raise PageMissing("Diese Listenseite gibt es nicht.")
    offset = (query.page - 1) * query.per_page
    rows = list(queryset[offset : offset + query.per_page])

    def link(number: int) -> str:
        params = dict(query.kept)
        if number > 1:
            params["page"] = str(number)
        return base_url + (f"?{urlencode(params)}" if params else "")

    links = {"first": link(1), "self": link(query.page), "last": link(pages)}
    if query.page > 1:
        links["prev"] = link(query.page - 1)
    if query.page < pages:
        links["next"] = link(query.page + 1)
    return {
        "data": build(rows),
        "pagination": {
            "totalElements": total,
            "elementsPerPage": query.per_page,
            "currentPage": query.page,
            "totalPages": pages,
        },
        "links": links,
    }
