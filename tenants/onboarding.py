"""Onboarding municipalities: one from the form, or a whole Kreis from a CSV file at once.

A municipality is its record, its schema (a copy of the template, see tenants.cloning), its
domain and an audit entry, written in one transaction and sent as one script: a failure leaves
none of them behind.

What a batch shares is done once for all its rows: the checks for keys, domains and schema names
that are taken (one query each), the template's structure (tenants.cloning), the ids of the new
records (one query). Outside a transaction the municipalities' transactions then run over a few
connections at once (tenants.parallel): PostgreSQL builds one schema while Python prepares the
next. A municipality that fails is named and left out wholly; the others are created.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.sql import InsertQuery
from django.utils.translation import gettext as _

from izd.audit import recording as audit
from izd.errors import validation_message
from tenants import cloning, parallel
from tenants.inputs import MunicipalityData
from tenants.models import Domain, Municipality

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

# A municipality's record besides its keys (AGS and subdomain, which never change): what the
# audit entry of a new municipality shows, and of a change to its record.
MUNICIPALITY_FIELDS = tuple(
    f.name for f in dataclasses.fields(MunicipalityData) if f.name not in {"ags", "slug"}
)


def slug_for(name: str) -> str:
    """The subdomain label of a municipality: `Wächtersbach` → `waechtersbach`."""
    lowered = name.lower().translate(_TRANSLITERATION)
    ascii_only = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:63]


def schema_name_for(ags: str) -> str:
    # The AGS never changes when a town is renamed, so the schema name stays stable.
    return f"gem_{ags}"


@dataclass(frozen=True)
class OnboardingFailure:
    """A municipality that was not created, by its position in the list given, and why."""

    position: int
    data: MunicipalityData
    error: ValidationError

    @property
    def message(self) -> str:
        return validation_message(self.error)


@dataclass(frozen=True)
class _Ready:
    position: int
    data: MunicipalityData
    municipality: Municipality
    domain: Domain


@dataclass
class OnboardingPlan:
    """The municipalities checked and ready to be written, and those refused by the checks."""

    ready: list[_Ready]
    failures: list[OnboardingFailure]


@dataclass
class OnboardingResult:
    created: list[Municipality]
    failures: list[OnboardingFailure]


def _unsaved(data: MunicipalityData) -> tuple[Municipality, Domain]:
    slug = data.slug or slug_for(data.name)
    municipality = Municipality(
        kind=Municipality.Kind.MUNICIPALITY,
        schema_name=schema_name_for(data.ags),
        slug=slug,
        ags=data.ags,
        **{name: getattr(data, name) for name in MUNICIPALITY_FIELDS},
    )
    domain = Domain(domain=f"{slug}.{settings.BASE_DOMAIN}", tenant=municipality, is_primary=True)
    return municipality, domain


def _offboarded(municipality: Municipality) -> ValidationError:
    # Its row stays for the Kreis' records; it comes back from its archive, not anew.
    return ValidationError(
        _(
            "%(name)s (AGS %(ags)s, Subdomain %(slug)s) ist ausgetreten. Bitte ihr Archiv "
            "mit „manage.py import_municipality“ wieder einspielen."
        )
        % {"name": municipality.name, "ags": municipality.ags, "slug": municipality.slug}
    )


class _Taken:
    """What the database already has of the candidates' keys, read in three queries."""

    def __init__(self, candidates: list[_Ready]) -> None:
        template = settings.TENANT_BASE_SCHEMA
        ags = {c.municipality.ags for c in candidates}
        slugs = {c.municipality.slug for c in candidates}
        schemas = {c.municipality.schema_name.lower() for c in candidates}
        rows = (
            Municipality.with_offboarded.annotate(schema_lower=Lower("schema_name"))
            .filter(Q(ags__in=ags) | Q(slug__in=slugs) | Q(schema_lower__in=schemas))
            .only("name", "ags", "slug", "schema_name", "offboarded_at")
            .order_by("pk")
        )
        self.by_ags: dict[str, Municipality] = {}
        self.by_slug: dict[str, Municipality] = {}
        self.by_schema: dict[str, Municipality] = {}
        for row in rows:
            self.by_ags.setdefault(row.ags, row)
            self.by_slug.setdefault(row.slug, row)
            self.by_schema.setdefault(row.schema_name.lower(), row)
        self.domains = set(
            Domain.objects.filter(domain__in=[c.domain.domain for c in candidates]).values_list(
                "domain", flat=True
            )
        )
        # django-tenants treats schema names that differ only in case as one.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nspname FROM pg_catalog.pg_namespace "
                "WHERE nspname = %s OR lower(nspname) = ANY(%s)",
                [template, sorted(schemas)],
            )
            names = {row[0] for row in cursor.fetchall()}
        self.template_present = template in names
        self.schemas = {name.lower() for name in names - {template}}

    def refusal(self, municipality: Municipality, domain: Domain) -> ValidationError | None:
        # A match by AGS names the municipality that left before one by subdomain.
        for gone in (self.by_ags.get(municipality.ags), self.by_slug.get(municipality.slug)):
            if gone is not None and gone.offboarded_at is not None:
                return _offboarded(gone)
        # As full_clean() reports them: every key that is taken, by field.
        errors = {
            name: [municipality.unique_error_message(Municipality, (name,))]
            for name, owner in (
                ("schema_name", self.by_schema.get(municipality.schema_name.lower())),
                ("slug", self.by_slug.get(municipality.slug)),
                ("ags", self.by_ags.get(municipality.ags)),
            )
            if owner is not None
        }
        if errors:
            return ValidationError(errors)
        if domain.domain in self.domains:
            return ValidationError({"domain": [domain.unique_error_message(Domain, ("domain",))]})
        if municipality.schema_name.lower() in self.schemas:
            return ValidationError(
                _("Das Schema %(schema)s gibt es schon.") % {"schema": municipality.schema_name}
            )
        return None


def prepare(items: Sequence[MunicipalityData]) -> OnboardingPlan:
    """Check every municipality before anything is written: its fields, and its keys against
    the database and against the rows before it. Writes nothing."""
    plan = OnboardingPlan(ready=[], failures=[])
    candidates: list[_Ready] = []
    for position, data in enumerate(items):
        municipality, domain = _unsaved(data)
        try:
            # Uniqueness for all rows at once below (the field-by-field check is a query each).
            municipality.full_clean(validate_unique=False)
            domain.full_clean(exclude=["tenant"], validate_unique=False)
        except ValidationError as error:
            plan.failures.append(OnboardingFailure(position, data, error))
            continue
        candidates.append(_Ready(position, data, municipality, domain))
    if not candidates:
        return plan
    taken = _Taken(candidates)
    if not taken.template_present:
        raise ValidationError(
            _("Das Vorlagen-Schema %(template)s fehlt; bitte zuerst `manage.py migrate` ausführen.")
            % {"template": settings.TENANT_BASE_SCHEMA}
        )
    earlier: dict[str, int] = {}
    for candidate in candidates:
        municipality = candidate.municipality
        refusal = taken.refusal(municipality, candidate.domain)
        keys = (municipality.ags, municipality.slug, municipality.schema_name.lower())
        repeated = next((earlier[key] for key in keys if key in earlier), None)
        if refusal is None and repeated is not None:
            refusal = ValidationError(
                _("AGS oder Subdomain von %(name)s stehen schon in Eintrag %(first)d.")
                % {"name": municipality.name, "first": repeated + 1}
            )
        if refusal is not None:
            plan.failures.append(OnboardingFailure(candidate.position, candidate.data, refusal))
            continue
        earlier.update(dict.fromkeys(keys, candidate.position))
        plan.ready.append(candidate)
    return plan


def _insert_sql(instance: Any, *, with_pk: bool) -> str:
    """The INSERT Django's compiler makes for the instance (field defaults, auto_now), with
    its values quoted by the driver, to be sent inside a script."""
    fields = [f for f in type(instance)._meta.local_concrete_fields if with_pk or not f.primary_key]
    query = InsertQuery(type(instance))
    query.insert_values(fields, [instance])
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return _composed(sql, params)


def _composed(sql: str, params: Sequence[Any]) -> str:
    """The statement with its values quoted by the driver (PostgreSQL's own operations)."""
    operations: Any = connection.ops
    return str(operations.compose_sql(sql, params))


def _reserve_ids(count: int) -> list[int]:
    """Ids for the new records, in one query: the audit entry and the domain name the record in
    the same script. A municipality that fails leaves a gap, as a rolled back INSERT would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Municipality._meta.db_table, count],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def _why_not_written(item: _Ready, error: Exception) -> ValidationError:
    if isinstance(error, ValidationError):
        return error
    names = {"name": item.municipality.name, "ags": item.municipality.ags}
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None)
    constraint = getattr(getattr(cause, "diag", None), "constraint_name", None)
    # Made by someone else since the checks: refused at once when it was committed before our
    # CREATE SCHEMA (duplicate_schema), or after waiting for the other transaction to commit.
    if state == "42P06" or constraint == "pg_namespace_nspname_index":
        return ValidationError(
            _("Das Schema %(schema)s gibt es schon.") % {"schema": item.municipality.schema_name}
        )
    if isinstance(error, IntegrityError):
        return ValidationError(
            _("%(name)s (AGS %(ags)s): AGS, Subdomain oder Schema sind inzwischen vergeben.")
            % names
        )
    return ValidationError(
        _("%(name)s (AGS %(ags)s) wurde nicht angelegt: %(error)s") % {**names, "error": error}
    )


def _write_one(
    item: _Ready, structure: cloning.TemplateStructure, actor: Any
) -> Municipality | OnboardingFailure:
    """One municipality in a transaction of its own (a savepoint inside an outer one)."""
    municipality = item.municipality
    try:
        with transaction.atomic():
            entry = audit.prepare(
                action="municipality_create",
                kind=audit.Kind.MUNICIPALITY,
                summary=f"Kommune {municipality.name} angelegt",
                target=municipality,
                fields=("slug", "ags", *MUNICIPALITY_FIELDS),
                municipality=municipality,
                actor=actor,
            )
            script = [
                _insert_sql(municipality, with_pk=True),
                *cloning.copy_statements(structure, municipality.schema_name),
                _insert_sql(item.domain, with_pk=False),
                _composed(*audit.insert_statement(entry)),
            ]
            with connection.cursor() as cursor:
                cursor.execute(";\n".join(script))
    except (DatabaseError, ValidationError) as error:
        return OnboardingFailure(item.position, item.data, _why_not_written(item, error))
    municipality._state.adding = False
    municipality._state.db = connection.alias
    return municipality


def write(plan: OnboardingPlan) -> OnboardingResult:
    """Create the municipalities that `prepare` found ready, each in its own transaction; the
    failures of the plan and of the writing, in the order of the list given."""
    failures = list(plan.failures)
    created: list[Municipality] = []
    if plan.ready:
        if getattr(connection, "schema_name", None) != settings.PUBLIC_SCHEMA_NAME:
            raise RuntimeError("Kommunen entstehen nur im öffentlichen Schema.")
        structure = cloning.template_structure()
        for item, pk in zip(plan.ready, _reserve_ids(len(plan.ready)), strict=True):
            item.municipality.pk = pk
            item.domain.tenant = item.municipality
        # The person who acts is known in this thread only (a context variable).
        actor = audit.current_actor()
        wanted = int(settings.TENANT_ONBOARDING_WORKERS)
        workers = parallel.workers_for(wanted, len(plan.ready))
        if workers == 1:
            outcomes = [_write_one(item, structure, actor) for item in plan.ready]
        else:
            outcomes = parallel.on_connections(
                plan.ready,
                lambda _connection, item: _write_one(item, structure, actor),
                workers=workers,
            )
        for outcome in outcomes:
            if isinstance(outcome, OnboardingFailure):
                failures.append(outcome)
            else:
                created.append(outcome)
    failures.sort(key=lambda failure: failure.position)
    return OnboardingResult(created=created, failures=failures)


def onboard(items: Sequence[MunicipalityData]) -> OnboardingResult:
    return write(prepare(items))
