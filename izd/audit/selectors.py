"""Reading the trail: the filtered list, its CSV rows and one object's history.

Every read takes a `scope`: None on the Kreis' side (all entries), a municipality's id on its
subdomain (only the entries about that municipality's data, never another's).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from izd.audit.models import AuditEntry

PAGE_SIZE = 50
# The municipality filter's value for the Kreis' own entries (no municipality).
KREIS_ONLY = 0
HISTORY_SIZE = 20


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    # The internal identifier behind the field's label (a question's key, a usage's
    # reference), for the label's title: the text shows what a person understands.
    key: str = ""


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    actor: str  # as recorded: "Name <address>", the address alone, or "System"
    municipality: str
    kind: str
    kind_label: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    summary: str
    changes: tuple[Change, ...]

    @property
    def actor_name(self) -> str:
        """The person's name where the label has one (the page shows it, with the address
        as its title), else the whole label."""
        name, _, address = self.actor.partition(" <")
        return name if address.endswith(">") else self.actor

    @property
    def actor_address(self) -> str:
        name, _, address = self.actor.partition(" <")
        return address.removesuffix(">") if name and address.endswith(">") else ""


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; empty values narrow nothing."""

    person: str = ""
    municipality_id: int | None = None
    kind: str = ""
    since: date | None = None
    until: date | None = None
    object_type: str = ""
    object_id: str = ""


@dataclass(frozen=True)
class EntryPage:
    entries: tuple[Entry, ...]
    number: int
    num_pages: int
    count: int
    has_previous: bool
    has_next: bool


def _entry(row: AuditEntry) -> Entry:
    return Entry(
        id=row.pk,
        at=row.at,
        actor=row.actor_label,
        municipality=row.municipality_label,
        kind=row.kind,
        kind_label=str(AuditEntry.Kind(row.kind).label)
        if row.kind in AuditEntry.Kind.values
        else row.kind,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        object_label=row.object_label,
        summary=row.summary,
        changes=tuple(
            Change(field=str(c.get("field", "")), before=str(c.get("before", "")),
                   after=str(c.get("after", "")), key=str(c.get("key", "")))
            for c in (row.changes or [])
            if isinstance(c, dict)
        ),
    )  # fmt: skip


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(scope: int | None, filters: Filters) -> QuerySet[AuditEntry]:
    rows = AuditEntry.objects.all()
    if scope is not None:
        rows = rows.filter(municipality_id=scope)
    elif filters.municipality_id == KREIS_ONLY:
        rows = rows.filter(municipality__isnull=True)
    elif filters.municipality_id is not None:
        rows = rows.filter(municipality_id=filters.municipality_id)
    if filters.person:
        rows = rows.filter(actor_label__icontains=filters.person)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.since:
        rows = rows.filter(at__gte=_day_start(filters.since))
    if filters.until:
        rows = rows.filter(at__lt=_day_start(filters.until + timedelta(days=1)))
    if filters.object_type:
        rows = rows.filter(object_type=filters.object_type)
        if filters.object_id:
            rows = rows.filter(object_id=filters.object_id)
    return rows.order_by("-at", "-id")


def entries_page(*, scope: int | None, filters: Filters, page: Any) -> EntryPage:
    paginator = Paginator(_filtered(scope, filters), PAGE_SIZE)
    current = paginator.get_page(page)
    return EntryPage(
        entries=tuple(_entry(row) for row in current.object_list),
        number=current.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        has_previous=current.has_previous(),
        has_next=current.has_next(),
    )


def entries_for_export(*, scope: int | None, filters: Filters) -> Iterator[Entry]:
    """All matching entries, read in chunks (a state's trail does not fit in memory at once)."""
    for row in _filtered(scope, filters).iterator(chunk_size=2000):
        yield _entry(row)


def history(
    *,
    scope: int | None,
    targets: list[tuple[str, str]],
    limit: int = HISTORY_SIZE,
) -> tuple[Entry, ...]:
    """The latest entries about these objects ((object_type, object_id) pairs), newest first."""
    if not targets:
        return ()
    about = Q()
    for object_type, object_id in targets:
        about |= Q(object_type=object_type, object_id=object_id)
    rows = AuditEntry.objects.filter(about)
    if scope is not None:
        rows = rows.filter(municipality_id=scope)
    return tuple(_entry(row) for row in rows.order_by("-at", "-id")[:limit])


def kinds() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in AuditEntry.Kind.choices]
