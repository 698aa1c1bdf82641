"""One way to show a list that can grow: search, filters and pagination in the query string.

A list is declared once as a `ListSpec` (which search, which filters, which order) and read
from the request with `listing()`. The page works as a plain GET form without JavaScript; htmx
only swaps the results, see `render_list()`. Templates include the frame `izd/_list.html` (the
search and filter form `izd/_list_form.html`, the count, the rows, the page links
`izd/_pagination.html`) with `listing=...`.

Every link keeps the whole query string, so a filter survives paging and a page survives
nothing but a changed filter (the form starts again at page 1). A bad page number falls back
to the nearest page, an unknown filter value to "alle" with a German note: never a 500.
Paging a QuerySet costs a COUNT and one SELECT of a page, whatever the number of rows.

In a view::

    ENTRIES = ListSpec(
        key="eintraege",
        search=Search(label="Kommune oder AGS", fields=("municipality__name",),
                      prefix_fields=("municipality__ags",)),
        filters=(Filter("art", "Art", Entry.Kind.choices, lookup="kind"),),
        ordering=("-created_at", "-pk"),
    )
    return render_list(request, "app/entries.html",
                       {"entries": listing(request, Entry.objects.all(), ENTRIES)})

and in its template, the list whole (form, count, rows, page links) and its rows::

    {% load partials %}
    {% include "izd/_list.html" with listing=entries %}
    {% partialdef ergebnisse %}
      <table>… {% for entry in entries %} … {% endfor %} …</table>
    {% endpartialdef %}

`izd/_list.html` is the one frame of every list: it takes the list's `label` and `noun` from its
spec and the rows from the page's partial named `spec.partial`; htmx gets the frame's results
(`izd/_list.html#ergebnisse`) with the targeted list. A list without a `label` has a layout of
its own (the county matrix sorts by its headers, the practices search has its own form): its
page keeps the whole results in the partial `spec.partial`, which htmx gets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from izd.numbers import ascii_int

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
else:
    StrOrPromise = str

T = TypeVar("T")

SEARCH_PARAM = "q"
PAGE_PARAM = "seite"
PER_PAGE = 25
# Longer search texts are cut: nobody types more, and a huge LIKE pattern costs the database.
SEARCH_MAX_LENGTH = 200
# The page links shown on each side of the current page.
PAGE_WINDOW = 2
# The template of a whole list: form, count, rows and page links.
FRAME = "izd/_list.html"

Rows = QuerySet[Any] | Sequence[Any]
Options = Sequence[tuple[str, "StrOrPromise"]]


@dataclass(frozen=True)
class Search:
    """A free-text search: `fields` match anywhere (case-insensitive), `prefix_fields` at the
    start (an AGS prefix such as 0643 finds the Kreis' towns). `apply` replaces both, for a list
    that is not a QuerySet or a search of its own (full text)."""

    label: StrOrPromise
    fields: tuple[str, ...] = ()
    prefix_fields: tuple[str, ...] = ()
    apply: Callable[[Any, str], Any] | None = None

    def run(self, rows: Rows, text: str) -> Rows:
        if self.apply is not None:
            return self.apply(rows, text)
        assert isinstance(rows, QuerySet), "A search over a plain list needs `apply`."
        condition = Q()
        for name in self.fields:
            condition |= Q(**{f"{name}__icontains": text})
        for name in self.prefix_fields:
            condition |= Q(**{f"{name}__startswith": text})
        return rows.filter(condition)


@dataclass(frozen=True)
class Filter:
    """One choice in the query string (`name`), offered as a select with `options`
    (value, label). A QuerySet is filtered with `lookup=value` unless `apply` is given.

    `default` is the value when the parameter is missing (for example "offen" for requests);
    the empty value ("Alle") then has to be chosen explicitly."""

    name: str
    label: StrOrPromise
    options: Options | Callable[[], Options]
    lookup: str = ""
    apply: Callable[[Any, str], Any] | None = None
    all_label: StrOrPromise = "Alle"
    default: str = ""

    def resolved_options(self) -> Options:
        """The options; a callable (options from the database) is asked once per request."""
        return self.options() if callable(self.options) else self.options

    def run(self, rows: Rows, value: str) -> Rows:
        if self.apply is not None:
            return self.apply(rows, value)
        assert isinstance(rows, QuerySet), f"Filter {self.name} over a plain list needs `apply`."
        return rows.filter(**{self.lookup or self.name: value})


@dataclass(frozen=True)
class ListSpec:
    """How one list is searched, filtered, ordered and paged.

    `key` names the list in HTML ids (`<key>-ergebnisse`), so that two lists can share a page.
    `label` names it for its form and page links ("Beschlussvorlagen"), `noun` counts its rows
    ("Beschlussvorlage,Beschlussvorlagen"); with a label it is shown by `izd/_list.html`.
    `ordering` must make the order total (the primary key is appended when it does not end in
    a unique field), else rows would move between pages.
    """

    key: str
    label: str = ""
    noun: str = ""
    search: Search | None = None
    filters: tuple[Filter, ...] = ()
    ordering: tuple[str, ...] = ()
    per_page: int = PER_PAGE
    page_param: str = PAGE_PARAM
    search_param: str = SEARCH_PARAM
    partial: str = "ergebnisse"
    unique_ordering: tuple[str, ...] = ("pk", "-pk", "id", "-id")

    @property
    def target_id(self) -> str:
        return f"{self.key}-ergebnisse"

    @property
    def own_params(self) -> set[str]:
        return {self.page_param, self.search_param, *(f.name for f in self.filters)}

    def order(self, rows: Rows) -> Rows:
        if not isinstance(rows, QuerySet):
            return rows
        ordering: tuple[Any, ...] = self.ordering or tuple(rows.query.order_by) or ("pk",)
        if ordering[-1] not in self.unique_ordering:
            ordering = (*ordering, "pk")
        return rows.order_by(*ordering)


@dataclass(frozen=True)
class BoundFilter:
    """A filter with the value the request chose, ready for the template's select."""

    name: str
    label: StrOrPromise
    all_label: StrOrPromise
    options: Options
    value: str
    default: str = ""

    @property
    def is_narrowed(self) -> bool:
        """Chosen by the person, not the list's default."""
        return self.value != self.default

    @property
    def id(self) -> str:
        return f"filter-{self.name}"


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One page of a list and everything its template needs."""

    spec: ListSpec
    page: Page[T]
    path: str
    query: str
    filters: tuple[BoundFilter, ...]
    params: QueryDict
    notices: tuple[str, ...] = ()
    rows: list[T] = field(default_factory=list)

    def __iter__(self) -> Iterator[T]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def is_filtered(self) -> bool:
        return bool(self.query) or any(f.is_narrowed for f in self.filters)

    @property
    def target_id(self) -> str:
        return self.spec.target_id

    @property
    def kept_params(self) -> list[tuple[str, str]]:
        """Query parameters that are not this list's own: hidden inputs of the form, so that a
        search keeps, for example, the year the page shows."""
        own = self.spec.own_params
        return [(k, v) for k, values in self.params.lists() if k not in own for v in values]

    def url_for_page(self, number: int) -> str:
        query = self.params.copy()
        if number == 1:
            query.pop(self.spec.page_param, None)
        else:
            query[self.spec.page_param] = str(number)
        return self._url(query)

    def _url(self, query: QueryDict) -> str:
        encoded = query.urlencode()
        return f"{self.path}?{encoded}" if encoded else self.path

    @property
    def reset_url(self) -> str:
        """The list without its search and filters, keeping the other parameters."""
        query = self.params.copy()
        for name in self.spec.own_params:
            query.pop(name, None)
        return self._url(query)

    @property
    def previous_url(self) -> str:
        return self.url_for_page(self.page.number - 1) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.url_for_page(self.page.number + 1) if self.page.has_next() else ""

    @property
    def page_links(self) -> list[PageLink]:
        """First, last and a window around the current page; gaps as ellipses."""
        last = self.page.paginator.num_pages
        current = self.page.number
        wanted = {1, last, *range(current - PAGE_WINDOW, current + PAGE_WINDOW + 1)}
        links: list[PageLink] = []
        previous = 0
        for number in sorted(n for n in wanted if 1 <= n <= last):
            if number - previous > 1:
                links.append(PageLink(None))
            links.append(PageLink(number, self.url_for_page(number), number == current))
            previous = number
        return links


def search_text(request: HttpRequest, param: str = SEARCH_PARAM) -> str:
    """The search text from the query string: trimmed, without NUL (PostgreSQL refuses it in
    a text) and cut to a sane length."""
    return request.GET.get(param, "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def listing(request: HttpRequest, rows: Rows, spec: ListSpec) -> Listing[Any]:
    """Search, filter, order and page `rows` as the request's query string asks."""
    query = search_text(request, spec.search_param) if spec.search else ""
    if query and spec.search is not None:
        rows = spec.search.run(rows, query)
    bound: list[BoundFilter] = []
    notices: list[str] = []
    for spec_filter in spec.filters:
        options = spec_filter.resolved_options()
        value = request.GET.get(spec_filter.name, spec_filter.default)
        if value and value not in {v for v, _label in options}:
            notices.append(
                _("Für „%(filter)s“ gibt es „%(value)s“ nicht; es werden alle gezeigt.")
                % {"filter": spec_filter.label, "value": value[:50]}
                if not spec_filter.default
                else _("Für „%(filter)s“ gibt es „%(value)s“ nicht; gezeigt wird die Vorauswahl.")
                % {"filter": spec_filter.label, "value": value[:50]}
            )
            value = spec_filter.default
        if value:
            rows = spec_filter.run(rows, value)
        bound.append(
            BoundFilter(
                spec_filter.name,
                spec_filter.label,
                spec_filter.all_label,
                options,
                value,
                spec_filter.default,
            )
        )
    rows = spec.order(rows)
    # Paginator.get_page would take any Unicode digit (int("٣") is 3); only 0-9 count here.
    number = ascii_int(request.GET.get(spec.page_param, "")) or 1
    page = Paginator(rows, spec.per_page).get_page(number)
    return Listing(
        spec=spec,
        page=page,
        path=request.path,
        query=query,
        filters=tuple(bound),
        params=request.GET.copy(),
        notices=tuple(notices),
        rows=list(page.object_list),
    )


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request for the results only; a history restore needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def render_list(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str = "ergebnisse",
    lists: Sequence[Listing[Any]] = (),
    status: int = 200,
) -> HttpResponse:
    """The whole page, or only the results when htmx asks for them.

    A page with several lists passes them as `lists`: htmx gets the results of the list it
    targets, any other request the whole page. The results of a list with a label come from
    the frame `izd/_list.html`, which takes the rows from the page (`list_page`)."""
    context = {**context, "list_page": template}
    use_partial = wants_partial(request)
    shown = list(lists) or [value for value in context.values() if isinstance(value, Listing)]
    if lists:
        target = getattr(getattr(request, "htmx", None), "target", None)
        shown = [one for one in lists if one.target_id == target]
        use_partial = use_partial and bool(shown)
        partial = shown[0].spec.partial if shown else partial
    name = f"{template}#{partial}" if use_partial else template
    if use_partial and len(shown) == 1 and shown[0].spec.label:
        name, context = f"{FRAME}#ergebnisse", {**context, "listing": shown[0]}
    response = render(request, name, context, status=status)
    # A cache must not hand the partial to a plain request of the same address or vice versa.
    patch_vary_headers(response, ("HX-Request",))
    return response


def choices_of(rows: QuerySet[Any], value: str, label: str) -> list[tuple[str, str]]:
    """Filter options from a QuerySet in one query: (str(value), label) pairs."""
    return [(str(v), str(text)) for v, text in rows.values_list(value, label)]


def model_choices(model: type[Model], label: str = "name") -> list[tuple[str, str]]:
    return choices_of(model._default_manager.order_by(label, "pk"), "pk", label)


__all__ = [
    "PAGE_PARAM",
    "PER_PAGE",
    "SEARCH_PARAM",
    "BoundFilter",
    "Filter",
    "ListSpec",
    "Listing",
    "PageLink",
    "Search",
    "choices_of",
    "listing",
    "model_choices",
    "render_list",
    "search_text",
    "wants_partial",
]
