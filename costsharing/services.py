"""Writes of cost sharing: `<entity>_<action>(*, ...)`, atomic, validated before saving.

Errors a person can fix are `CostsharingError` (or the engine's `AllocationError`, or Django's
`ValidationError`) with a German message; views show it with a 4xx status. A frozen year
refuses every change that would touch its figures (`FrozenYearError`).

Long because every write of cost sharing must refuse a frozen year through one guard and keep the
read model in step; the freeze itself (checks, version, lines) is the longest part and is kept
whole because it must be one transaction.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from costsharing import selectors
from costsharing.allocation import AllocationError, KeyComponents, validate_components
from costsharing.computation import MemberRow, YearAllocation, months_in_year
from costsharing.models import (
    AllocationKey,
    AllocationLine,
    AllocationVersion,
    BudgetYear,
    CostLine,
    Grant,
    IssuerProfile,
    MemberProfile,
    Module,
    ModuleMembership,
    PopulationFigure,
    StaffLine,
    UsageRecord,
)
from costsharing.municipal.models import Cooperation, ModuleChoice
from izd import formats
from izd.audit import recording as audit
from izd.exceptions import PortalError
from izd.pdf import templates_fingerprint
from izd.schemas import current_schema
from tenants.models import Municipality, User


class CostsharingError(PortalError):
    """A change that cannot be made; the message is German and meant for the user."""


class FrozenYearError(CostsharingError):
    status = 409


def _ensure_changeable(budget_year: BudgetYear) -> None:
    if budget_year.is_frozen:
        raise FrozenYearError(
            f"Das Jahr {budget_year.year} ist festgeschrieben und kann nicht mehr geändert "
            "werden. Eine Korrektur wird als neue Version festgeschrieben: zuerst „Korrektur "
            "beginnen“ wählen."
        )


def _locked_year(budget_year_id: int) -> BudgetYear:
    """The budget year, locked against a concurrent freeze for the rest of the transaction."""
    return BudgetYear.objects.select_for_update().get(pk=budget_year_id)


def _frozen(year: int) -> BudgetYear | None:
    budget_year = BudgetYear.objects.filter(year=year).first()
    return budget_year if budget_year is not None and budget_year.is_frozen else None


# --------------------------------------------------------------------------- budget


@transaction.atomic
def budget_year_create(*, year: int, kreis_share_percent: Decimal = Decimal(0)) -> BudgetYear:
    if BudgetYear.objects.filter(year=year).exists():
        raise CostsharingError(f"Das Haushaltsjahr {year} ist schon angelegt.")
    budget_year = BudgetYear(year=year, kreis_share_percent=kreis_share_percent)
    return audit.save_recorded(
        budget_year, "budget_year_create", audit.Kind.MONEY, f"Haushaltsjahr {year}",
        fields=("year", "kreis_share_percent"), before={},
    )  # fmt: skip


@transaction.atomic
def budget_year_update(
    *, budget_year: BudgetYear, kreis_share_percent: Decimal, note: str = ""
) -> BudgetYear:
    budget_year = _locked_year(budget_year.pk)
    _ensure_changeable(budget_year)
    before = audit.snapshot(budget_year, *_YEAR_FIELDS)
    budget_year.kreis_share_percent = kreis_share_percent
    budget_year.note = note
    return audit.save_recorded(
        budget_year, "budget_year_update", audit.Kind.MONEY, f"Haushaltsjahr {budget_year.year}",
        fields=_YEAR_FIELDS, before=before,
    )  # fmt: skip


_YEAR_FIELDS = ("kreis_share_percent", "note")


_Item = TypeVar("_Item", StaffLine, CostLine, Grant, Module)


def _item_add(action: str, item: _Item, summary: str, fields: tuple[str, ...]) -> _Item:
    """Budget items are recorded on their year: the year's page shows its whole history."""
    return audit.save_recorded(
        item, action, audit.Kind.MONEY, fields=fields, before={}, summary=summary,
        target=item.budget_year,
    )  # fmt: skip


@transaction.atomic
def staff_line_add(
    *, budget_year: BudgetYear, role: str, fte: Decimal, cost_per_fte: Decimal
) -> StaffLine:
    _ensure_changeable(_locked_year(budget_year.pk))
    line = StaffLine(budget_year=budget_year, role=role, fte=fte, cost_per_fte=cost_per_fte)
    summary = f"Personalstelle „{role}“ hinzugefügt"
    return _item_add("staff_line_add", line, summary, ("role", "fte", "cost_per_fte"))


@transaction.atomic
def cost_line_add(*, budget_year: BudgetYear, kind: str, label: str, amount: Decimal) -> CostLine:
    _ensure_changeable(_locked_year(budget_year.pk))
    line = CostLine(budget_year=budget_year, kind=kind, label=label, amount=amount)
    summary = f"Kosten „{label}“ hinzugefügt"
    return _item_add("cost_line_add", line, summary, ("kind", "label", "amount"))


# How a grant is passed on (`grant_add`'s pass_on), for callers outside costsharing, which do
# not import its models.
PassOn = Grant.PassOn


@transaction.atomic
def grant_add(
    *,
    budget_year: BudgetYear,
    source: str,
    amount: Decimal,
    pass_on: str = Grant.PassOn.BY_KEY,
    kreis_percent: Decimal = Decimal(0),
) -> Grant:
    _ensure_changeable(_locked_year(budget_year.pk))
    grant = Grant(
        budget_year=budget_year,
        source=source,
        amount=amount,
        pass_on=pass_on,
        kreis_percent=kreis_percent,
    )
    fields = ("source", "amount", "pass_on", "kreis_percent")
    return _item_add("grant_add", grant, f"Fördermittel „{source}“ hinzugefügt", fields)


BUDGET_ITEMS: dict[str, type[StaffLine] | type[CostLine] | type[Grant] | type[Module]] = {
    "personal": StaffLine,
    "kosten": CostLine,
    "foerdermittel": Grant,
    "modul": Module,
}


@transaction.atomic
def budget_item_delete(*, budget_year: BudgetYear, kind: str, item_id: int) -> None:
    _ensure_changeable(_locked_year(budget_year.pk))
    model = BUDGET_ITEMS.get(kind)
    if model is None:
        raise CostsharingError("Diese Art von Eintrag gibt es nicht.")
    item = model.objects.filter(budget_year=budget_year, pk=item_id).first()
    if item is None:
        raise CostsharingError("Der Eintrag ist nicht (mehr) vorhanden.")
    fields = tuple(
        f.name
        for f in model._meta.concrete_fields
        if f.name not in ("id", "budget_year") and not f.name.endswith("_at")
    )
    audit.record(
        action="budget_item_delete",
        kind=audit.Kind.MONEY,
        summary=f"{model._meta.verbose_name} „{item}“ gelöscht",
        target=budget_year,
        changes=audit.diff(audit.snapshot(item, *fields), {}, model=model),
        municipality=None,
    )
    item.delete()


# --------------------------------------------------------------------------- key and modules


@transaction.atomic
def allocation_key_save(
    *,
    budget_year: BudgetYear,
    name: str,
    base: Decimal,
    population: Decimal,
    usage: Decimal,
    modules: Decimal,
    population_date: date,
    activate: bool = False,
    key: AllocationKey | None = None,
) -> AllocationKey:
    """Create (or change) a key; percents must add up to 100. `activate` makes it the one
    in force for the year (the others stay as scenarios)."""
    budget_year = _locked_year(budget_year.pk)
    _ensure_changeable(budget_year)
    validate_components(KeyComponents(base, population, usage, modules))
    key = key or AllocationKey(budget_year=budget_year)
    if key.budget_year_id != budget_year.pk:
        raise CostsharingError("Der Schlüssel gehört zu einem anderen Jahr.")
    before = audit.snapshot(key, *_KEY_FIELDS) if key.pk else {}
    key.name = name
    key.base_percent, key.population_percent = base, population
    key.usage_percent, key.modules_percent = usage, modules
    key.population_date = population_date
    if AllocationKey.objects.filter(budget_year=budget_year, name=name).exclude(pk=key.pk).exists():
        raise CostsharingError(f"Einen Schlüssel „{name}“ gibt es für {budget_year.year} schon.")
    if activate or not AllocationKey.objects.filter(budget_year=budget_year).exists():
        AllocationKey.objects.filter(budget_year=budget_year, is_active=True).exclude(
            pk=key.pk
        ).update(is_active=False)
        key.is_active = True
    label = f"Verteilungsschlüssel „{name}“ für {budget_year.year}"
    return audit.save_recorded(
        key, "allocation_key_save", audit.Kind.KEY, label, fields=_KEY_FIELDS, before=before
    )


_KEY_FIELDS = (
    "name",
    "base_percent",
    "population_percent",
    "usage_percent",
    "modules_percent",
    "population_date",
    "is_active",
)


@transaction.atomic
def allocation_key_activate(*, key: AllocationKey) -> AllocationKey:
    budget_year = _locked_year(key.budget_year_id)
    _ensure_changeable(budget_year)
    previous = AllocationKey.objects.filter(budget_year=budget_year, is_active=True).first()
    AllocationKey.objects.filter(budget_year_id=key.budget_year_id, is_active=True).update(
        is_active=False
    )
    key.is_active = True
    key.save(update_fields=["is_active"])
    audit.record(
        action="allocation_key_activate",
        kind=audit.Kind.KEY,
        summary=f"Verteilungsschlüssel „{key.name}“ für {budget_year.year} in Kraft gesetzt",
        target=key,
        changes=[
            {
                "field": "geltender Schlüssel",
                "before": str(previous) if previous else "",
                "after": key.name,
            }
        ],
        municipality=None,
    )
    return key


@transaction.atomic
def module_add(*, budget_year: BudgetYear, key: str, name: str, weight: Decimal) -> Module:
    _ensure_changeable(_locked_year(budget_year.pk))
    if Module.objects.filter(budget_year=budget_year, key=key).exists():
        raise CostsharingError(
            f"Ein Modul mit dem Kürzel „{key}“ gibt es {budget_year.year} schon."
        )
    module = Module(budget_year=budget_year, key=key, name=name, weight=weight)
    return _item_add("module_add", module, f"Modul „{name}“ hinzugefügt", ("key", "name", "weight"))


@transaction.atomic
def population_figure_set(
    *, municipality: Municipality, reference_date: date, population: int
) -> PopulationFigure:
    for key in AllocationKey.objects.filter(
        budget_year__status=BudgetYear.Status.FROZEN, population_date__gte=reference_date
    ).select_related("budget_year"):
        # a figure at or before a frozen key's date could change the frozen year's input
        raise FrozenYearError(
            f"Der Stichtag {formats.day(reference_date)} betrifft das festgeschriebene Jahr "
            f"{key.budget_year.year}."
        )
    figure = PopulationFigure.objects.filter(
        municipality=municipality, reference_date=reference_date
    ).first() or PopulationFigure(municipality=municipality, reference_date=reference_date)
    before = {"population": figure.population} if figure.pk else {}
    figure.population = population
    return audit.save_recorded(
        figure, "population_figure_set", audit.Kind.PARTICIPATION,
        summary=f"Einwohnerzahl zum {formats.day(reference_date)} erfasst", target=municipality,
        changes=audit.diff(before, {"population": population}, labels=_POPULATION_LABEL),
        municipality=municipality,
    )  # fmt: skip


_POPULATION_LABEL = {"population": "Einwohnerzahl"}


# --------------------------------------------------------------------------- usage


def _check_usage_year(year: int) -> None:
    frozen = _frozen(year)
    if frozen is not None:
        _ensure_changeable(frozen)


@transaction.atomic
def usage_record(
    *,
    municipality_id: int,
    year: int,
    units: Decimal,
    source: str = UsageRecord.Source.SERVICE_REQUEST,
    reference: str,
    note: str = "",
) -> UsageRecord:
    """Record service units for a municipality; the same `reference` is recorded only once.

    Other apps call this (e.g. when a service request is completed) with a reference that
    names the event, such as ``"roadmap.request:42"``. Calling again with the same reference
    returns the first record and changes nothing. A frozen year refuses new usage
    (FrozenYearError): record it in the next open year instead.
    """
    if not reference:
        raise CostsharingError(
            "Eine Nutzung aus einem anderen Teil des Portals braucht eine Referenz."
        )
    existing = UsageRecord.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    _check_usage_year(year)
    record = UsageRecord(
        municipality_id=municipality_id,
        year=year,
        units=units,
        source=source,
        reference=reference,
        note=note,
    )
    try:
        with transaction.atomic():
            return _usage_save("usage_record", record, {}, "Nutzung erfasst")
    except IntegrityError:  # recorded concurrently by another worker: still only once
        return UsageRecord.objects.get(reference=reference)


# The reference ("roadmap-request:<uuid>") is an internal key: the trail shows the source and
# the note, which say in words where the usage comes from, and keeps the reference as the
# source's key.
_USAGE_FIELDS = ("year", "units", "source", "note")


def _usage_save(
    action: str, record: UsageRecord, before: dict[str, Any], summary: str
) -> UsageRecord:
    municipality = Municipality.with_offboarded.get(pk=record.municipality_id)
    where = f"{municipality.name} {record.year}"
    described = f"{where} – {record.note}" if record.note else where
    return audit.save_recorded(
        record, action, audit.Kind.MONEY, fields=_USAGE_FIELDS, before=before,
        summary=f"{summary}: {described}", object_label=f"Nutzung {where}",
        keys={"source": record.reference or ""}, municipality=municipality,
    )  # fmt: skip


@transaction.atomic
def usage_record_create(
    *, municipality: Municipality, year: int, units: Decimal, note: str, user: User
) -> UsageRecord:
    """The centre treasurer enters usage by hand."""
    _check_usage_year(year)
    record = UsageRecord(
        municipality=municipality,
        year=year,
        units=units,
        source=UsageRecord.Source.MANUAL,
        note=note,
        created_by=user,
    )
    return _usage_save("usage_record_create", record, {}, "Nutzung von Hand erfasst")


@transaction.atomic
def usage_record_correct(*, record: UsageRecord, units: Decimal, note: str) -> UsageRecord:
    record = UsageRecord.objects.select_for_update().get(pk=record.pk)
    _check_usage_year(record.year)
    before = audit.snapshot(record, *_USAGE_FIELDS)
    record.units = units
    record.note = note
    return _usage_save("usage_record_correct", record, before, "Nutzung korrigiert")


# --------------------------------------------------------------------------- issuer


@transaction.atomic
def issuer_save(**fields: object) -> IssuerProfile:
    profile = IssuerProfile.objects.select_for_update().first() or IssuerProfile()
    names = tuple(fields)
    before = audit.snapshot(profile, *names) if profile.pk else {}
    for name, value in fields.items():
        setattr(profile, name, value)
    return audit.save_recorded(
        profile, "issuer_save", audit.Kind.SETTINGS, fields=names, before=before,
        summary="Angaben des Rechnungsstellers geändert",
    )  # fmt: skip


# --------------------------------------------------------------------------- freeze

# Checks a higher app registers (cost sharing may not import it): each returns why the year may
# not be frozen yet, in German, or None. The decision papers register "every council decided".
FreezeCheck = Callable[[int], str | None]
_freeze_checks: list[FreezeCheck] = []


def freeze_check_register(check: FreezeCheck) -> None:
    if check not in _freeze_checks:
        _freeze_checks.append(check)


def freeze_blockers(year: int) -> list[str]:
    return [reason for check in _freeze_checks if (reason := check(year))]


@transaction.atomic
def allocation_freeze(
    *,
    budget_year: BudgetYear,
    user: User,
    settle_in_year: int | None = None,
    reason: str = "",
    decisions_waiver: str = "",
) -> AllocationVersion:
    """Freeze the year's allocation as the next numbered version; nothing earlier changes.

    Every member's council must have decided; otherwise the centre treasurer states why the
    year is frozen anyway (`decisions_waiver`), and that reason is kept with the version."""
    budget_year = _locked_year(budget_year.pk)
    _ensure_changeable(budget_year)
    waiver = ""
    if blockers := freeze_blockers(budget_year.year):
        if not decisions_waiver.strip():
            raise CostsharingError(
                " ".join(blockers)
                + " Ohne diese Beschlüsse lässt sich das Jahr nur mit einer Begründung "
                "festschreiben."
            )
        waiver = f"{decisions_waiver.strip()} (Stand beim Festschreiben: {' '.join(blockers)})"
    allocation = selectors.allocation_live(budget_year)
    key = selectors.active_key(budget_year)
    assert key is not None  # allocation_live raises without one
    previous = selectors.latest_version(budget_year)
    number = previous.number + 1 if previous else 1
    if previous is not None and not reason.strip():
        raise CostsharingError("Bitte den Anlass der Korrektur angeben.")
    settle = settle_in_year or (budget_year.year if previous is None else budget_year.year + 1)
    if settle < budget_year.year:
        raise CostsharingError(
            f"Die Verteilung für {budget_year.year} kann nicht mit dem Bescheid eines früheren "
            f"Jahres ({settle}) abgerechnet werden."
        )
    budget = allocation.budget
    _check_rows(allocation)
    version = AllocationVersion(
        budget_year=budget_year,
        number=number,
        frozen_at=timezone.now(),
        frozen_by=user,
        settle_in_year=settle,
        reason=reason.strip(),
        decisions_waiver=waiver,
        key_name=key.name,
        base_percent=key.base_percent,
        population_percent=key.population_percent,
        usage_percent=key.usage_percent,
        modules_percent=key.modules_percent,
        population_date=key.population_date,
        gross_cost=budget.gross_cost,
        kreis_share=budget.kreis_share,
        grants_total=budget.grants_total,
        grants_kreis=budget.grants_kreis,
        grants_by_key=budget.grants_by_key,
        grants_fixed=budget.grants_fixed,
        net_cost=budget.net_cost,
        modules=[
            {"key": m.key, "name": m.name, "weight": str(m.weight), "pot": str(m.pot)}
            for m in allocation.modules
        ],
    )
    version.full_clean()
    version.save()
    _write_lines(version, allocation)
    status_change = _status_set(budget_year, BudgetYear.Status.FROZEN)
    audit.record(
        action="allocation_freeze",
        kind=audit.Kind.FREEZE,
        summary=f"Jahr {budget_year.year} als Version {number} festgeschrieben",
        target=budget_year,
        changes=[
            status_change,
            {
                "field": "Version",
                "before": str(previous.number) if previous else "",
                "after": str(number),
            },
            {"field": "Nettokosten", "before": "", "after": audit.display(budget.net_cost)},
            {"field": "Schlüssel", "before": "", "after": key.name},
            *(
                [{"field": "Anlass", "before": "", "after": version.reason}]
                if version.reason
                else []
            ),
            *(
                [{"field": "Ohne alle Beschlüsse, weil", "before": "", "after": waiver}]
                if waiver
                else []
            ),
        ],
        actor=user,
        municipality=None,
    )
    return version


_MONEY_LIMIT = Decimal(10) ** (
    AllocationLine._meta.get_field("total").max_digits
    - AllocationLine._meta.get_field("total").decimal_places
)


def _check_rows(allocation: YearAllocation) -> None:
    """Validate the lines of a freeze once, as a set, instead of `full_clean()` per line.

    The engine guarantees all of this; checking it costs a few milliseconds for 11,000 lines
    and keeps a wrong figure from ever being frozen.
    """
    rows = allocation.rows
    if len({row.municipality_id for row in rows}) != len(rows):
        raise CostsharingError("Eine Kommune kommt in der Verteilung mehrfach vor.")
    if sum((row.total for row in rows), Decimal(0)) != allocation.budget.net_cost:
        raise CostsharingError(
            "Die Anteile ergeben nicht genau die Nettokosten; die Verteilung wird nicht "
            "festgeschrieben."
        )
    money = [
        amount
        for row in rows
        for amount in (row.base, row.population_amount, row.usage, row.modules, row.total,
                       row.grant_credit, row.payable)
    ]  # fmt: skip
    if min(money) < 0 or max(money) >= _MONEY_LIMIT:
        raise CostsharingError(
            "Ein Anteil ist negativ oder zu groß; die Verteilung wird nicht festgeschrieben."
        )
    for row in rows:
        if row.payable != row.total - row.grant_credit or row.total != (
            row.base + row.population_amount + row.usage + row.modules
        ):
            raise CostsharingError(
                f"Die Bestandteile des Anteils von {row.name} ergeben nicht seine Summe; die "
                "Verteilung wird nicht festgeschrieben."
            )


# A line's columns are the row's fields (selectors._row reads them back) after its version;
# COPY writes them in this order, the id comes from its sequence.
_LINE_COLUMNS = ("version_id", *MemberRow._fields)
assert {"id", *_LINE_COLUMNS} == {f.attname for f in AllocationLine._meta.concrete_fields}, (
    "AllocationLine and MemberRow differ: a frozen line must hold exactly a row's fields"
)
_KEYS_AT, _PARTS_AT = (_LINE_COLUMNS.index(name) for name in ("module_keys", "module_parts"))
_COLUMN_OF = {f.attname: str(f.column) for f in AllocationLine._meta.concrete_fields}
_COPY_LINES = "COPY {table} ({columns}) FROM STDIN".format(
    table=connection.ops.quote_name(AllocationLine._meta.db_table),
    columns=", ".join(connection.ops.quote_name(_COLUMN_OF[name]) for name in _LINE_COLUMNS),
)


def _write_lines(version: AllocationVersion, allocation: YearAllocation) -> None:
    """The version's lines in one COPY: 11,000 lines in a fraction of a second, where a bulk
    insert spends seconds quoting every value into arrays. The values are exactly the row's
    (`_check_rows` has checked them as a set); the JSON columns get their JSON text."""
    # Few members differ in their modules and parts: each JSON text is made once.
    keys_json: dict[tuple[str, ...], str] = {}
    parts_json: dict[tuple[tuple[str, Decimal], ...], str] = {}
    with connection.cursor() as cursor, cursor.copy(_COPY_LINES) as copy:
        for row in allocation.rows:
            values: list[object] = [version.pk, *row]
            keys = keys_json.get(row.module_keys)
            if keys is None:
                keys = keys_json[row.module_keys] = json.dumps(list(row.module_keys))
            items = tuple(row.module_parts.items())
            parts = parts_json.get(items)
            if parts is None:
                parts = parts_json[items] = json.dumps({k: str(v) for k, v in items})
            values[_KEYS_AT], values[_PARTS_AT] = keys, parts
            copy.write_row(values)


def _status_set(budget_year: BudgetYear, status: BudgetYear.Status) -> dict[str, str]:
    """Set the year's status; returns the change for the audit trail."""
    before = budget_year.get_status_display()
    budget_year.status = status
    budget_year.save(update_fields=["status", "updated_at"])
    return {"field": "Status", "before": before, "after": budget_year.get_status_display()}


@transaction.atomic
def correction_open(*, budget_year: BudgetYear) -> BudgetYear:
    """Allow changes to a frozen year again; its versions stay as they are."""
    budget_year = _locked_year(budget_year.pk)
    if not budget_year.is_frozen:
        raise CostsharingError(f"Das Jahr {budget_year.year} ist nicht festgeschrieben.")
    status_change = _status_set(budget_year, BudgetYear.Status.CORRECTION)
    audit.record(
        action="correction_open",
        kind=audit.Kind.FREEZE,
        summary=f"Korrektur des Jahres {budget_year.year} begonnen",
        target=budget_year,
        changes=[status_change],
        municipality=None,
    )
    return budget_year


# --------------------------------------------------------------------------- participation


def _ensure_in_schema(municipality: Municipality) -> None:
    if municipality.schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise CostsharingError("Der Kreis selbst ist kein Mitglied der Kostenverteilung.")
    if current_schema() != municipality.schema_name:
        raise RuntimeError(
            f"Participation of {municipality.schema_name} must be saved in its schema, "
            f"not in {current_schema()}."
        )


@transaction.atomic
def cooperation_save(
    *,
    municipality: Municipality,
    joined_on: date,
    left_on: date | None = None,
    budget_line: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    user_id: int | None = None,
) -> Cooperation:
    """Save the municipality's membership and billing details and project them (same
    transaction) into the Kreis' read model. Runs in the municipality's schema."""
    _ensure_in_schema(municipality)
    if left_on is not None and left_on < joined_on:
        raise CostsharingError("Der Austritt kann nicht vor dem Beitritt liegen.")
    cooperation = Cooperation.objects.select_for_update().first() or Cooperation(
        joined_on=joined_on
    )
    old = (cooperation.joined_on, cooperation.left_on) if cooperation.pk else None
    recorded = audit.snapshot(cooperation, *_COOPERATION_FIELDS) if cooperation.pk else {}
    for budget_year in BudgetYear.objects.filter(status=BudgetYear.Status.FROZEN):
        before = months_in_year(*old, budget_year.year) if old else 0
        after = months_in_year(joined_on, left_on, budget_year.year)
        if before != after:
            raise FrozenYearError(
                f"Die Änderung betrifft die Mitgliedsmonate im festgeschriebenen Jahr "
                f"{budget_year.year} ({before} statt {after} Monate) und ist deshalb nicht "
                "möglich. Bitte wenden Sie sich an die Kämmerei des Zentrums."
            )
    cooperation.joined_on = joined_on
    cooperation.left_on = left_on
    cooperation.budget_line = budget_line
    cooperation.contact_name = contact_name
    cooperation.contact_email = contact_email
    cooperation.contact_phone = contact_phone
    cooperation.updated_by_id = user_id
    cooperation.full_clean()
    cooperation.save()
    profile = MemberProfile.objects.filter(municipality=municipality).first() or MemberProfile(
        municipality=municipality, joined_on=joined_on
    )
    profile.joined_on, profile.left_on = joined_on, left_on
    profile.budget_line = budget_line
    profile.contact_name, profile.contact_email = contact_name, contact_email
    profile.contact_phone = contact_phone
    profile.full_clean()
    profile.save()
    audit.record(
        action="cooperation_save",
        kind=audit.Kind.PARTICIPATION,
        summary="Mitgliedschaft und Abrechnungsdaten gespeichert",
        target=municipality,
        changes=audit.diff(
            recorded, audit.snapshot(cooperation, *_COOPERATION_FIELDS), model=Cooperation
        ),
        municipality=municipality,
        actor=audit.UNSET if user_id is None else User.objects.filter(pk=user_id).first(),
    )
    return cooperation


_COOPERATION_FIELDS = (
    "joined_on",
    "left_on",
    "budget_line",
    "contact_name",
    "contact_email",
    "contact_phone",
)


@transaction.atomic
def module_choices_save(
    *, municipality: Municipality, year: int, module_ids: Iterable[int]
) -> list[Module]:
    """Set the modules the municipality takes part in for a year, and project them."""
    _ensure_in_schema(municipality)
    budget_year = BudgetYear.objects.select_for_update().filter(year=year).first()
    if budget_year is None:
        raise CostsharingError(f"Für {year} ist noch kein Haushaltsjahr angelegt.")
    _ensure_changeable(budget_year)
    wanted = set(module_ids)
    modules = list(Module.objects.filter(budget_year=budget_year, pk__in=wanted))
    if len(modules) != len(wanted):
        raise CostsharingError(f"Mindestens ein gewähltes Modul gibt es {year} nicht.")
    cooperation = Cooperation.objects.first()
    if modules and (
        cooperation is None or not months_in_year(cooperation.joined_on, cooperation.left_on, year)
    ):
        raise CostsharingError(
            f"Ihre Kommune ist {year} nicht Mitglied des Zentrums; bitte zuerst den Beitritt "
            "erfassen."
        )
    year_module_ids = Module.objects.filter(budget_year=budget_year).values_list("pk", flat=True)
    chosen_before = sorted(
        Module.objects.filter(
            pk__in=ModuleChoice.objects.filter(year=year).values_list("module_id", flat=True)
        ).values_list("name", flat=True)
    )
    ModuleChoice.objects.filter(year=year).exclude(module_id__in=wanted).delete()
    existing = set(ModuleChoice.objects.filter(year=year).values_list("module_id", flat=True))
    ModuleChoice.objects.bulk_create(
        [ModuleChoice(year=year, module_id=pk) for pk in sorted(wanted - existing)]
    )
    ModuleMembership.objects.filter(
        municipality=municipality, module_id__in=list(year_module_ids)
    ).exclude(module_id__in=wanted).delete()
    ModuleMembership.objects.bulk_create(
        [ModuleMembership(municipality=municipality, module=m) for m in modules],
        ignore_conflicts=True,
    )
    audit.record(
        action="module_choices_save",
        kind=audit.Kind.PARTICIPATION,
        summary=f"Module für {year} gewählt",
        target=municipality,
        changes=audit.diff(
            {"modules": chosen_before},
            {"modules": sorted(m.name for m in modules)},
            labels={"modules": f"Module {year}"},
        ),
        municipality=municipality,
    )
    return modules


# --------------------------------------------------------------------------- notices batch


NOTICE_FINGERPRINT_VERSION = "1"  # raise when the notice changes in a way rows do not show
_NOTICE_TEMPLATES = ("costsharing/pdf/notice.html", "izd/pdf_base.html")


def _notice_templates_hash() -> str:
    return templates_fingerprint(NOTICE_FINGERPRINT_VERSION, *_NOTICE_TEMPLATES)


def _row_values(instance: Any) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@transaction.atomic
def notices_render_batch(*, budget_year: BudgetYear, user: User | None) -> uuid.UUID:
    """Record every member's notice of the year as one batch; workers build and render them.

    The request reads the year once and builds no notice: a notice whose inputs (the year's
    allocation and versions, the issuer, the member's rows, the day of issue) are unchanged
    reuses its finished PDF at once. Raises AllocationError where the year cannot be computed.
    """
    from costsharing.documents import NOTICE_KIND, notice_filename, notice_params, notice_title
    from izd.documents import Wanted, documents_request, new_batch

    year = budget_year.year
    with selectors.shared_year_reads(None):
        figures = selectors.year_figures(year)
    if figures.standing is None:
        raise AllocationError(figures.standing_error)
    issuer = selectors.issuer()
    # Everything the year's notices are made of: the figures' own fingerprint covers the
    # allocations, the versions settled and every member's billing data.
    year_hash = repr(
        (
            figures.fingerprint,
            _row_values(issuer) if issuer else None,
            timezone.localdate(),  # the notice is dated the day it is made
            _notice_templates_hash(),
        )
    )
    ids = [row.municipality_id for row in figures.standing.rows]
    municipalities = Municipality.objects.in_bulk(ids)
    schema = current_schema()
    wanted = []
    for row in figures.standing.rows:
        municipality = municipalities[row.municipality_id]
        payload = [year_hash, _row_values(municipality)]
        wanted.append(
            Wanted(
                kind=NOTICE_KIND,
                schema_name=schema,
                params=notice_params(row.municipality_id, year),
                title=notice_title(municipality, year),
                filename=notice_filename(municipality, year),
                fingerprint=hashlib.sha256(repr(payload).encode()).hexdigest(),
            )
        )
    batch = new_batch()
    documents_request(wanted=wanted, created_by_id=user.pk if user else None, batch=batch)
    audit.record(
        action="notices_render_batch",
        kind=audit.Kind.DOCUMENT,
        summary=f"Bescheide {year} für {len(wanted)} Kommunen angefordert",
        target=budget_year,
        actor=user,
        municipality=None,
    )
    return batch
