"""How write services record their changes: `record(...)` inside their transaction.

Who acted comes from the request (AuditActorMiddleware) or from `acting_as(user)` in commands
and tasks; a service that knows its actor passes `actor=` explicitly. Which municipality: the
schema the connection is in, unless the service names one (a Kreis-side change about one
municipality, e.g. its population figure or a paper for it).

Long because an entry's three parts are read together: how values are shown (display, snapshot,
diff), the entry itself (prepare, record, save_recorded) and its prepared INSERT for hot paths
(insert_statement); apart, each would reach into the others' private helpers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final, ParamSpec, TypeAlias, TypeVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models.expressions import DatabaseDefault
from django.db.models.sql import InsertQuery
from django.utils import timezone

from izd import formats
from izd.audit.models import AuditEntry

_Spec = ParamSpec("_Spec")

ActorSource: TypeAlias = Callable[[], Any]

_actor: ContextVar[ActorSource | None] = ContextVar("izd_audit_actor", default=None)


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
SYSTEM_LABEL = "System"

Kind = AuditEntry.Kind


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Changes in the block are recorded as this person's (None: the system's)."""
    token = _actor.set(lambda: user)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def actor_from(source: ActorSource) -> Iterator[None]:
    """Like acting_as, but the person is looked up only when a change is recorded (a request's
    user is loaded from the session lazily; most requests change nothing)."""
    token = _actor.set(source)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Any:
    source = _actor.get()
    user = source() if source is not None else None
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def display(value: Any) -> str:
    """A value as the trail shows it (German formats, text)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 2
        # Zeros past the cents say nothing: a key's "30.0000" percent reads "30,00".
        while places > 2 and value.is_finite() and value == round(value, places - 1):
            places -= 1
        return formats.number(value, places)
    if isinstance(value, int | float):
        return formats.number(value, 0) if isinstance(value, int) else str(value)
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
            if timezone.is_aware(value)
            else value.strftime("%d.%m.%Y %H:%M")
        )
    if isinstance(value, date):
        return formats.day(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {display(item)}" for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return ", ".join(display(item) for item in items)
    return str(value)


def snapshot(instance: models.Model | None, *fields: str) -> dict[str, Any]:
    """The named fields' values of an instance (its choices' labels where it has choices),
    to compare with a later snapshot; no instance: nothing (a creation or deletion)."""
    if instance is None:
        return {}
    values: dict[str, Any] = {}
    for name in fields:
        getter = getattr(instance, f"get_{name}_display", None)
        value = getter() if callable(getter) else getattr(instance, name)
        values[name] = _as_stored(type(instance), name, value)
    return values


def _as_stored(model: type[models.Model] | None, name: str, value: Any) -> Any:
    """A decimal as its field keeps it: a form hands over Decimal("37") where the database
    returns Decimal("25.00"), and the trail would show "37" beside "25,00" for one field."""
    if model is None or not isinstance(value, Decimal) or not value.is_finite():
        return value
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return value
    if isinstance(field, models.DecimalField) and field.decimal_places is not None:
        return value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def stored_snapshot(instance: models.Model, *fields: str) -> dict[str, Any]:
    """The fields' values as the database still has them, for a service that receives an
    instance its caller (a form) has already changed; nothing for a new instance."""
    if instance.pk is None:
        return {}
    return snapshot(type(instance)._default_manager.filter(pk=instance.pk).first(), *fields)


def diff(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    model: type[models.Model] | None = None,
    keys: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """The fields whose shown value differs, with their label and both values as text.

    The label is what a person reads; `keys` may add, per field, the internal identifier
    behind it (a question's key, a usage's reference), which the trail keeps out of the text
    and offers only on hovering the label.
    """
    rows = []
    for name in dict.fromkeys([*before, *after]):
        old = _short(_shown(name, _as_stored(model, name, before.get(name))))
        new = _short(_shown(name, _as_stored(model, name, after.get(name))))
        if old != new:
            row = {"field": _label(name, labels, model), "before": old, "after": new}
            if keys and keys.get(name):
                row["key"] = keys[name]
            rows.append(row)
    return rows


LONGEST_VALUE = 1000


def _shown(name: str, value: Any) -> str:
    """A field's value as text; a year field's number is a name ("2026"), not "2.026"."""
    is_year = name == "year" or name.endswith("_year")
    if is_year and isinstance(value, int) and not isinstance(value, bool):
        return formats.year(value)
    return display(value)


def _short(text: str) -> str:
    """Long texts (a paper's reasoning, a legal page) are kept in part: the trail says that and
    roughly how they changed, the object keeps the full text."""
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def _label(name: str, labels: Mapping[str, str] | None, model: type[models.Model] | None) -> str:
    if labels and name in labels:
        return labels[name]
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        return str(getattr(field, "verbose_name", name))
    return name


def _current_municipality() -> Any:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "schema_name", None) == settings.PUBLIC_SCHEMA_NAME:
        return None
    return tenant


def _actor_label(user: Any) -> str:
    if user is None:
        return SYSTEM_LABEL
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    email = getattr(user, "email", "") or str(user)
    return f"{name} <{email}>" if name else email


def prepare(
    *,
    action: str,
    kind: str,
    summary: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: object = "",
    object_label: str = "",
    fields: Iterable[str] = (),
    before: Mapping[str, Any] | None = None,
    deleted: bool = False,
    changes: Iterable[Mapping[str, str]] = (),
    municipality: Any = UNSET,
    actor: Any = UNSET,
) -> AuditEntry:
    """The entry `record` writes, checked but not yet saved: a hot path sends its INSERT
    (`insert_statement`) to the database together with the change's own statements."""
    if not connection.in_atomic_block:
        raise RuntimeError("Protokolleinträge entstehen nur in der Transaktion der Änderung.")
    who = current_actor() if actor is UNSET else actor
    where = _current_municipality() if municipality is UNSET else municipality
    rows = [dict(row) for row in changes]
    if target is not None:
        names = tuple(fields)
        if names:
            after = {} if deleted else snapshot(target, *names)
            rows = diff(before or {}, after, model=type(target)) + rows
        object_type = object_type or target._meta.label_lower
        object_id = object_id or target.pk
        object_label = object_label or str(target)
    entry = AuditEntry(
        actor_id=getattr(who, "pk", None),
        actor_label=_actor_label(who)[:300],
        municipality_id=getattr(where, "pk", None),
        municipality_label=(str(where) if where is not None else "")[:120],
        kind=kind,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_label=object_label[:300],
        summary=summary[:500],
        changes=rows,
    )
    entry.full_clean(exclude=["actor", "municipality"])
    return entry


def _saved(make: Callable[_Spec, AuditEntry]) -> Callable[_Spec, AuditEntry]:
    """`make`, then the entry saved: one signature for preparing and for writing an entry."""

    @functools.wraps(make)
    def save(*args: _Spec.args, **kwargs: _Spec.kwargs) -> AuditEntry:
        entry = make(*args, **kwargs)
        entry.save()
        return entry

    return save


record = _saved(prepare)
record.__doc__ = """Write one entry in the transaction of the change it describes.

With `fields`, the target's values of these fields now are compared with `before` (a
`snapshot` taken before the change; none for a creation); `deleted` records a deletion.
`changes` adds rows the service computed itself (e.g. from several objects).

Refuses to run outside a transaction: an entry committed on its own could outlive a change
that was rolled back (or a change could be committed without its entry).
"""


def record_saved(
    action: str,
    kind: str,
    label: str,
    target: models.Model,
    *,
    before: Mapping[str, Any],
    fields: Iterable[str] = (),
    links: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    actor: Any = UNSET,
) -> AuditEntry:
    """A creation or change of one of the Kreis' own objects (no municipality's), summarised as
    "<label> angelegt" when `before` is empty and "<label> geändert" otherwise.

    `fields` are compared with `before` as in `record`; `links` are the target's links after
    the change (e.g. the names of its municipalities), compared with the same keys of `before`
    and shown with `labels`.
    """
    after = {**snapshot(target, *fields), **(links or {})}
    return record(
        action=action,
        kind=kind,
        summary=f"{label} " + ("geändert" if before else "angelegt"),
        target=target,
        changes=diff(before, after, model=type(target), labels=labels),
        municipality=None,
        actor=actor,
    )


Saved = TypeVar("Saved", bound=models.Model)


def save_recorded(
    instance: Saved,
    action: str,
    kind: str,
    label: str = "",
    *,
    fields: Iterable[str] = (),
    before: Mapping[str, Any] | None = None,
    summary: str = "",
    target: models.Model | None = None,
    changes: Iterable[Mapping[str, str]] = (),
    object_label: str = "",
    keys: Mapping[str, str] | None = None,
    municipality: Any = None,
    actor: Any = UNSET,
) -> Saved:
    """Validate and save `instance` and record the change in the same transaction: the one way a
    service writes an object together with its entry.

    `fields` of the instance are compared with `before`, its values before the change (a
    `snapshot`; empty for a creation); without `before` they are read from the database, for an
    instance a form has already changed. The summary is "<label> angelegt" where nothing was
    before and "<label> geändert" otherwise, unless `summary` is given. The entry is about the
    instance, or about `target` (e.g. the year a budget line belongs to); `changes` adds rows
    the service computed itself; `keys` are the internal identifiers behind fields (see
    `diff`). `municipality` is the one the change concerns (None: one of the Kreis' own
    objects).
    """
    names = tuple(fields)
    if before is None:
        before = stored_snapshot(instance, *names) if names else {}
    instance.full_clean()
    instance.save()
    record(
        action=action,
        kind=kind,
        summary=summary or f"{label} " + ("geändert" if before else "angelegt"),
        target=instance if target is None else target,
        object_label=object_label,
        changes=[
            *diff(before, snapshot(instance, *names), model=type(instance), keys=keys),
            *changes,
        ],
        municipality=municipality,
        actor=actor,
    )
    return instance


def insert_statement(entry: AuditEntry) -> tuple[str, list[Any]]:
    """The INSERT of a prepared entry as SQL and parameters, built by Django's own compiler
    (defaults, JSON, the transaction id), for the caller to run in the change's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("Protokolleinträge entstehen nur in der Transaktion der Änderung.")
    sql, fields = _insert_sql()
    values = [field.pre_save(entry, True) for field in fields]
    if not _compiled_alike(entry, values):
        return _compiled(entry)
    # What the compiler does with a plain value (SQLInsertCompiler.prepare_value).
    prepared = zip(fields, values, strict=True)
    return sql, [field.get_db_prep_save(value, connection) for field, value in prepared]


def _compiled(entry: AuditEntry) -> tuple[str, list[Any]]:
    fields = [f for f in AuditEntry._meta.local_concrete_fields if not f.primary_key]
    query = InsertQuery(AuditEntry)
    query.insert_values(fields, [entry])
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


@functools.cache
def _insert_sql() -> tuple[str, tuple[models.Field[Any, Any], ...]]:
    """The compiler's INSERT of an entry, and the fields whose values are its parameters.

    Compiled once (the audit trail is written on hot paths such as the autosave): every entry
    inserts the same columns, and the database fills those with a database default.
    """
    sql, _params = _compiled(AuditEntry())
    fields = AuditEntry._meta.local_concrete_fields
    return sql, tuple(f for f in fields if not f.primary_key and not _database_default(f))


def _database_default(field: models.Field[Any, Any]) -> bool:
    return field.db_default is not models.NOT_PROVIDED


def _compiled_alike(entry: AuditEntry, values: list[Any]) -> bool:
    """Whether the compiler would build the cached SQL for this entry: plain values, and the
    database's own default where the model has one."""
    defaults = [getattr(entry, f.attname) for f in AuditEntry._meta.local_concrete_fields
                if _database_default(f)]  # fmt: skip
    return all(isinstance(v, DatabaseDefault) for v in defaults) and not any(
        hasattr(v, "resolve_expression") for v in values
    )
