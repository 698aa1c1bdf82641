"""Every write service records an audit entry in its own transaction.

The services are found by introspection: every public function of every `services` module (or
module of a `services` package) of the portal's apps. Each must either have a scenario here,
which calls it for real and checks the entry, or stand in EXEMPT with the reason it writes
nothing the trail is about. A new service without either fails
`test_every_service_is_walked_or_exempt`, so none can be forgotten.

Each scenario runs the service inside a savepoint: the entry must exist in that transaction,
and when the savepoint is rolled back, the entry must be gone with the change (an entry written
on another connection or committed on its own would survive the rollback).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from izd.audit.models import AuditEntry
from izd.schemas import tenant_schema
from tests.conftest import PASSWORD, Portal

pytestmark = pytest.mark.django_db

APP_PACKAGES = ("izd", "tenants", "maturity", "costsharing", "roadmap")

# Public functions of services modules that write nothing a person changed, with the reason.
EXEMPT: dict[str, str] = {
    "izd.health.heartbeat_record": "a worker's own sign of life every few seconds (operations, "
    "not portal data); recording it would flood the trail",
    "izd.health.heartbeat_remove": "removes that sign of life when the worker stops",
    "izd.audit.retention_cutoff": "computes a date, writes nothing",
    "tenants.tenant_template_ensure": "creates and migrates the template schema (DDL at start "
    "and in tests), no portal data",
    "tenants.people_may_manage": "read: whether a person may manage a role",
    "costsharing.freeze_check_register": "registers a Python check at start-up, no data",
    "costsharing.freeze_blockers": "read: why a year cannot be frozen yet",
    "roadmap.usage_reference": "pure: the reference text of a request's usage",
    "roadmap.dependency_cycle": "pure: a graph check",
    "roadmap.papers.format_money": "pure: formatting",
    "roadmap.papers.format_date": "pure: formatting",
    "roadmap.papers.check_committees": "pure: validation",
    "roadmap.papers.committee_name": "pure: normalises a name",
    "roadmap.papers.validate_overrides": "pure: validation",
    "roadmap.papers.placeholder_values": "pure: a paper's placeholder values",
    "roadmap.papers.share_composition": "pure: the sentence on what a member's share is made of",
    "roadmap.papers.paper_context": "read: builds the PDF's context",
    "roadmap.papers.paper_title": "pure",
    "roadmap.papers.paper_filename": "pure",
    "roadmap.papers.batch_state": "read: the year's figures for a batch",
    "roadmap.papers.batch_problem": "read: why a paper cannot be rendered",
    "roadmap.papers.paper_fingerprint": "pure: a hash of a paper's inputs",
    "roadmap.practices.latest_version": "read: a practice's latest version",
    "maturity.mail_reopened": "queues an e-mail after commit; assessment_reopen records the "
    "reopening it announces",
    "maturity.project": "writes the public read model derived from the answers, inside the "
    "answer services' transactions, which record the change itself",
    "maturity.project_answers": "the same projection for the autosave",
    "maturity.quote": "pure: SQL quoting",
    "maturity.column": "pure: a column name",
    "maturity.select_one": "read: one row by raw SQL",
    "maturity.select_sql": "read: builds the SELECT of one row (raw SQL), runs nothing",
    "maturity.instance": "read: turns a row already read into a model instance",
    "maturity.commits_on_exit": "read: whether the running atomic block commits when it ends",
}

# Services whose entries are written by the services they call (named in the entries' action).
NESTED: dict[str, str] = {
    "tenants.municipality_import": "municipality_create / municipality_update per row",
    "tenants.municipality_create_many": "municipality_create per municipality",
    "tenants.invitation_accept_signed_in": "invitation_accept and membership_grant",
    "roadmap.usage_record_for_request": "costsharing's usage_record",
    "roadmap.papers.papers_generate": "paper_create per municipality",
    "maturity.model_version_upload": "model_version_load",
    "maturity.model_version_load_shipped": "model_version_load",
}


def _service_modules() -> list[ModuleType]:
    modules = []
    for root in APP_PACKAGES:
        package = importlib.import_module(root)
        names = [root] + [
            info.name
            for info in pkgutil.walk_packages(package.__path__, prefix=f"{root}.")
            if "migrations" not in info.name and "management" not in info.name
        ]
        for name in names:
            parts = name.split(".")
            if "services" in parts:
                modules.append(importlib.import_module(name))
    return modules


def _key(function: Callable[..., Any]) -> str:
    """`app.function`, independent of how an app splits its services into modules."""
    parts = function.__module__.split(".")
    return ".".join([*parts[: parts.index("services")], function.__name__])


def discovered_services() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for module in _service_modules():
        for name, member in vars(module).items():
            if (
                inspect.isfunction(member)
                and not name.startswith("_")
                and member.__module__ == module.__name__
            ):
                found[_key(member)] = member
    return found


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    portal: Portal

    def unique(self, prefix: str = "x") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    def new_user(self):
        from tenants.services import user_create

        return user_create(email=f"{self.unique('p')}@test.example", password=PASSWORD)


Scenario = Callable[[World], Callable[[], object]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(key: str) -> Callable[[Scenario], Scenario]:
    def register(function: Scenario) -> Scenario:
        SCENARIOS[key] = function
        return function

    return register


def creates(key: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Registers a maker of test data as the scenario of the service it calls: making it is
    the service call. Other scenarios call the maker for the thing they act on."""

    def register(maker: Callable[..., Any]) -> Callable[..., Any]:
        SCENARIOS[key] = lambda w: lambda: maker(w)
        return maker

    return register


# --------------------------------------------------------------------------- izd


@scenario("izd.legal_page_update")
def _legal(w: World):
    from izd.services import legal_page_update

    return lambda: legal_page_update(
        kind="impressum", title="Impressum", body=w.unique("Text"), feedback_email="",
        user=w.portal.coordinator,
    )  # fmt: skip


@scenario("izd.audit.audit_entries_prune")
def _prune(w: World):
    from izd.audit.services import audit_entries_prune

    return lambda: audit_entries_prune(before=timezone.now() - timedelta(days=365 * 50))


# --------------------------------------------------------------------------- tenants


def _municipality_data(**fields: Any):
    from tenants.services import MunicipalityData

    values: dict[str, Any] = {
        "name": "Neustadt", "ags": "06435977", "population": 1234,
        "population_date": date(2024, 12, 31),
    }  # fmt: skip
    values.update(fields)
    return MunicipalityData(**values)


@scenario("tenants.municipality_create")
def _municipality_create(w: World):
    from tenants.services import municipality_create

    return lambda: municipality_create(data=_municipality_data(name="Auditdorf"))


@scenario("tenants.municipality_create_many")
def _municipality_create_many(w: World):
    from tenants.services import municipality_create_many

    return lambda: municipality_create_many(
        data=[_municipality_data(name="Auditheim", ags="06435966")]
    )


@scenario("tenants.municipality_update")
def _municipality_update(w: World):
    from tenants.services import municipality_update

    a = w.portal.a
    data = _municipality_data(name=a.name, ags=a.ags, population=a.population + 1)
    return lambda: municipality_update(municipality=a, data=data)


@scenario("tenants.municipality_import")
def _municipality_import(w: World):
    from tenants.services import municipality_import

    a = w.portal.a
    raw = f"AGS;Name;Einwohner;Stichtag\r\n{a.ags};{a.name};{a.population + 7};31.12.2024\r\n"
    return lambda: municipality_import(raw=raw.encode())


@scenario("tenants.kreis_ensure")
def _kreis(w: World):
    from tenants.services import kreis_ensure

    k = w.portal.kreis
    return lambda: kreis_ensure(
        name=k.name, ags=k.ags, population=k.population + 1, population_date=k.population_date
    )


@scenario("tenants.user_create")
def _user_create(w: World):
    return w.new_user


@scenario("tenants.membership_grant")
def _membership_grant(w: World):
    from tenants.models import Membership
    from tenants.services import membership_grant

    user = w.new_user()
    return lambda: membership_grant(user=user, municipality=w.portal.a, role=Membership.Role.READER)


@scenario("tenants.kreis_role_grant")
def _kreis_role(w: World):
    from tenants.models import KreisRole
    from tenants.services import kreis_role_grant

    user = w.new_user()
    return lambda: kreis_role_grant(user=user, role=KreisRole.Role.CENTRE_TREASURER)


@creates("tenants.invitation_create")
def _invitation(w: World, email: str | None = None):
    from tenants.models import Membership
    from tenants.services import invitation_create

    return invitation_create(
        email=email or f"{w.unique('inv')}@test.example",
        municipality=w.portal.a,
        role=Membership.Role.READER,
        invited_by=w.portal.coordinator,
    )


@scenario("tenants.invitation_accept")
def _invitation_accept(w: World):
    from tenants.services import invitation_accept

    invitation = _invitation(w)
    return lambda: invitation_accept(
        token=invitation.token, password=PASSWORD, first_name="Neu", last_name="Person"
    )


@scenario("tenants.invitation_accept_signed_in")
def _invitation_accept_signed_in(w: World):
    from tenants.services import invitation_accept_signed_in

    user = w.new_user()
    invitation = _invitation(w, user.email)
    return lambda: invitation_accept_signed_in(token=invitation.token, user=user)


def _reader(w: World):
    """A new person, a reader of Testhausen."""
    from tenants.models import Membership
    from tenants.services import membership_grant

    return membership_grant(user=w.new_user(), municipality=w.portal.a, role=Membership.Role.READER)


@scenario("tenants.membership_role_change")
def _role_change(w: World):
    from tenants.models import Membership
    from tenants.services import membership_role_change

    membership = _reader(w)
    return lambda: membership_role_change(
        membership=membership, role=Membership.Role.TREASURER, actor=w.portal.coordinator
    )


@scenario("tenants.membership_remove")
def _membership_remove(w: World):
    from tenants.services import membership_remove

    membership = _reader(w)
    return lambda: membership_remove(membership=membership, actor=w.portal.coordinator)


def _coordinator_on_an_invitation(service: str) -> Scenario:
    def make(w: World):
        from tenants import services

        act, invitation = getattr(services, service), _invitation(w)
        return lambda: act(invitation=invitation, actor=w.portal.coordinator)

    return make


for _service_name in ("invitation_resend", "invitation_revoke"):
    scenario(f"tenants.{_service_name}")(_coordinator_on_an_invitation(_service_name))


@scenario("tenants.user_deactivate")
def _user_deactivate(w: World):
    from tenants.services import user_deactivate

    user = w.new_user()
    return lambda: user_deactivate(user=user, actor=w.portal.coordinator)


# --------------------------------------------------------------------------- cost sharing

YEAR = 2061  # far from the years other tests and the seed scenario use


def _year(w: World, year: int = YEAR, **kwargs: Any):
    from tests.costsharing.factories import budget_year

    return budget_year(year, staff=(("Leitung", "1.00", "30000.00"),), **kwargs)


def _members_year(w: World, year: int):
    """A year the portal's two municipalities share, and the next one (papers show both)."""
    from tests.costsharing.factories import budget_year
    from tests.papers.factories import simple_year

    created = simple_year(year, (w.portal.a, w.portal.b))
    budget_year(year + 1, staff=(("Leitung", "1.00", "30000.00"),), key=(100, 0, 0, 0))
    return created


@scenario("costsharing.budget_year_create")
def _budget_year_create(w: World):
    from costsharing.services import budget_year_create

    return lambda: budget_year_create(year=YEAR + 1)


@scenario("costsharing.budget_year_update")
def _budget_year_update(w: World):
    from costsharing.services import budget_year_update

    year = _year(w)
    return lambda: budget_year_update(budget_year=year, kreis_share_percent=Decimal("12.5"))


@scenario("costsharing.staff_line_add")
def _staff(w: World):
    from costsharing.services import staff_line_add

    year = _year(w)
    return lambda: staff_line_add(
        budget_year=year, role="IT", fte=Decimal("0.5"), cost_per_fte=Decimal("60000")
    )


@scenario("costsharing.cost_line_add")
def _cost(w: World):
    from costsharing.models import CostLine
    from costsharing.services import cost_line_add

    year = _year(w)
    return lambda: cost_line_add(
        budget_year=year, kind=CostLine.Kind.MATERIAL, label="Lizenzen", amount=Decimal("999")
    )


@scenario("costsharing.grant_add")
def _grant(w: World):
    from costsharing.services import grant_add

    year = _year(w)
    return lambda: grant_add(budget_year=year, source="IKZ", amount=Decimal("75000"))


@scenario("costsharing.budget_item_delete")
def _item_delete(w: World):
    from costsharing.services import budget_item_delete

    year = _year(w)
    line = year.staff.get()
    return lambda: budget_item_delete(budget_year=year, kind="personal", item_id=line.pk)


@scenario("costsharing.allocation_key_save")
def _key_save(w: World):
    from costsharing.services import allocation_key_save

    year = _year(w)
    return lambda: allocation_key_save(
        budget_year=year, name="Alternative", base=Decimal(50), population=Decimal(50),
        usage=Decimal(0), modules=Decimal(0), population_date=date(YEAR - 1, 12, 31),
    )  # fmt: skip


@scenario("costsharing.allocation_key_activate")
def _key_activate(w: World):
    from costsharing.services import allocation_key_activate, allocation_key_save

    year = _year(w)
    other = allocation_key_save(
        budget_year=year, name="Szenario", base=Decimal(50), population=Decimal(50),
        usage=Decimal(0), modules=Decimal(0), population_date=date(YEAR - 1, 12, 31),
    )  # fmt: skip
    return lambda: allocation_key_activate(key=other)


@scenario("costsharing.module_add")
def _module_add(w: World):
    from costsharing.services import module_add

    year = _year(w)
    return lambda: module_add(budget_year=year, key="dms", name="DMS", weight=Decimal(1))


@scenario("costsharing.population_figure_set")
def _population(w: World):
    from costsharing.services import population_figure_set

    return lambda: population_figure_set(
        municipality=w.portal.a, reference_date=date(YEAR, 6, 30), population=14_321
    )


@scenario("costsharing.usage_record")
def _usage(w: World):
    from costsharing.services import usage_record

    _year(w)
    return lambda: usage_record(
        municipality_id=w.portal.a.pk, year=YEAR, units=Decimal(3), reference=w.unique("ref")
    )


@scenario("costsharing.usage_record_create")
def _usage_create(w: World):
    from costsharing.services import usage_record_create

    _year(w)
    return lambda: usage_record_create(
        municipality=w.portal.a, year=YEAR, units=Decimal(2), note="Hand",
        user=w.portal.centre_treasurer,
    )  # fmt: skip


@scenario("costsharing.usage_record_correct")
def _usage_correct(w: World):
    from costsharing.services import usage_record_correct, usage_record_create

    _year(w)
    record = usage_record_create(
        municipality=w.portal.a, year=YEAR, units=Decimal(2), note="Hand",
        user=w.portal.centre_treasurer,
    )  # fmt: skip
    return lambda: usage_record_correct(record=record, units=Decimal(5), note="korrigiert")


@scenario("costsharing.issuer_save")
def _issuer(w: World):
    from costsharing.services import issuer_save
    from tests.costsharing.factories import issuer

    issuer()
    return lambda: issuer_save(name=w.unique("Zentrum"), city="Gelnhausen-Roth")


def _frozen_year(w: World, year: int):
    from costsharing.services import allocation_freeze

    budget_year = _members_year(w, year)
    allocation_freeze(
        budget_year=budget_year, user=w.portal.centre_treasurer, decisions_waiver="Test"
    )
    return budget_year


@scenario("costsharing.allocation_freeze")
def _freeze(w: World):
    from costsharing.services import allocation_freeze

    year = _members_year(w, YEAR + 2)
    return lambda: allocation_freeze(
        budget_year=year, user=w.portal.centre_treasurer, decisions_waiver="Beschlüsse folgen"
    )


@scenario("costsharing.correction_open")
def _correction(w: World):
    from costsharing.services import correction_open

    year = _frozen_year(w, YEAR + 3)
    return lambda: correction_open(budget_year=year)


@scenario("costsharing.cooperation_save")
def _cooperation(w: World):
    from costsharing.services import cooperation_save

    def call():
        with tenant_schema(w.portal.a):
            return cooperation_save(
                municipality=w.portal.a, joined_on=date(2019, 1, 1), budget_line=w.unique("HH")
            )

    return call


@scenario("costsharing.module_choices_save")
def _module_choices(w: World):
    from costsharing.models import Module
    from costsharing.services import module_choices_save

    _members_year(w, YEAR + 4)
    module = Module.objects.create(
        budget_year=_budget(YEAR + 4), key="dms", name="DMS", weight=Decimal(1)
    )

    def call():
        with tenant_schema(w.portal.a):
            return module_choices_save(
                municipality=w.portal.a, year=YEAR + 4, module_ids=[module.pk]
            )

    return call


def _budget(year: int):
    from costsharing.models import BudgetYear

    return BudgetYear.objects.get(year=year)


@scenario("costsharing.notices_render_batch")
def _notices(w: World):
    from costsharing.services import notices_render_batch

    year = _members_year(w, YEAR + 5)
    return lambda: notices_render_batch(budget_year=year, user=w.portal.centre_treasurer)


# --------------------------------------------------------------------------- roadmap


@creates("roadmap.service_save")
def _service(w: World):
    from tests.roadmap.factories import make_service

    return make_service()


def _request(w: World):
    from tests.roadmap.factories import file_request

    return file_request(w.portal.a, w.portal.officer_a, _service(w))


@scenario("roadmap.service_request_create")
def _request_create(w: World):
    service = _service(w)

    def call():
        from tests.roadmap.factories import file_request

        return file_request(w.portal.a, w.portal.officer_a, service)

    return call


@scenario("roadmap.service_request_transition")
def _request_transition(w: World):
    from roadmap.models import RequestStatus
    from roadmap.services import service_request_transition

    request = _request(w)
    return lambda: service_request_transition(
        municipality=w.portal.a, request_id=request.pk, to_status=RequestStatus.IN_REVIEW,
        user=w.portal.coordinator, by_kreis=True,
    )  # fmt: skip


@scenario("roadmap.comment_add")
def _comment(w: World):
    from roadmap.services import comment_add

    request = _request(w)
    return lambda: comment_add(
        municipality=w.portal.a, request_id=request.pk, user=w.portal.officer_a,
        text="Eine Frage", by_kreis=False,
    )  # fmt: skip


@scenario("roadmap.usage_record_for_request")
def _usage_for_request(w: World):
    from roadmap.services import usage_record_for_request

    _year(w, YEAR + 6)
    return lambda: usage_record_for_request(
        municipality_id=w.portal.a.pk, year=YEAR + 6, units=Decimal(4), reference=w.unique("r")
    )


@scenario("roadmap.measure_save")
def _measure_save(w: World):
    from tests.roadmap.factories import make_measure

    return lambda: make_measure(municipalities=(w.portal.a.pk,))


@scenario("roadmap.measure_delete")
def _measure_delete(w: World):
    from roadmap.services import measure_delete
    from tests.roadmap.factories import make_measure

    measure = make_measure()
    return lambda: measure_delete(measure=measure)


@scenario("roadmap.target_levels_set")
def _targets(w: World):
    from roadmap.services import target_levels_set

    return lambda: target_levels_set(levels={("a", YEAR): 3})


# --------------------------------------------------------------------------- papers


@creates("roadmap.papers.template_save")
def _template(w: World):
    from tests.papers.factories import paper_template

    return paper_template(w.unique("Muster"))


def _paper(w: World, year: int, town=None):
    from tests.papers.factories import paper_for

    return paper_for(town or w.portal.a, year, _template(w))


@scenario("roadmap.papers.scheme_for")
def _scheme_for(w: World):
    from roadmap.papers.models import NumberingScheme
    from roadmap.papers.services import scheme_for

    NumberingScheme.objects.filter(municipality=w.portal.b).delete()
    return lambda: scheme_for(w.portal.b)


@scenario("roadmap.papers.scheme_save")
def _scheme_save(w: World):
    from roadmap.papers.services import scheme_save

    return lambda: scheme_save(municipality=w.portal.a, prefix="DS", next_number=4711)


@scenario("roadmap.papers.reference_next")
def _reference_next(w: World):
    from roadmap.papers.services import reference_next

    return lambda: reference_next(w.portal.a, YEAR)


@scenario("roadmap.papers.committee_for")
def _committee_for(w: World):
    from roadmap.papers.services import committee_for

    return lambda: committee_for(w.portal.a, w.unique("Ausschuss"))


@scenario("roadmap.papers.paper_create")
def _paper_create(w: World):
    template = _template(w)

    def call():
        from tests.papers.factories import paper_for

        return paper_for(w.portal.a, YEAR + 7, template)

    return call


@scenario("roadmap.papers.papers_generate")
def _papers_generate(w: World):
    from roadmap.papers.services import papers_generate
    from tests.papers.factories import committees

    _members_year(w, YEAR + 8)
    template = _template(w)
    return lambda: papers_generate(
        template=template, year=YEAR + 8, paper_date=date(YEAR + 7, 11, 1),
        committees=committees(YEAR + 8),
    )  # fmt: skip


@scenario("roadmap.papers.consultations_replace")
def _consultations_replace(w: World):
    from roadmap.papers.services import CommitteeSpec, consultations_replace
    from tests.papers.factories import DECIDING

    paper = _paper(w, YEAR + 9)
    return lambda: consultations_replace(
        paper=paper,
        committees=[CommitteeSpec("Gemeindevertretung", DECIDING, date(YEAR + 8, 12, 1))],
    )


@scenario("roadmap.papers.calendar_import")
def _calendar(w: World):
    from roadmap.papers.services import calendar_import

    year = YEAR + 10
    _paper(w, year)
    raw = f"Kommune;Gremium;Datum\n{w.portal.a.ags};Gemeindevertretung;03.12.{year - 1}\n"
    return lambda: calendar_import(raw=raw.encode(), year=year, overwrite=True)


@scenario("roadmap.papers.consultations_copy")
def _consultations_copy(w: World):
    from roadmap.papers.services import CommitteeSpec, consultations_copy, consultations_replace
    from tests.papers.factories import DECIDING

    year = YEAR + 11
    source = _paper(w, year, w.portal.a)
    _paper(w, year, w.portal.b)
    consultations_replace(
        paper=source, committees=[CommitteeSpec("Rat", DECIDING, date(year - 1, 12, 1))]
    )
    return lambda: consultations_copy(source=source, year=year)


@scenario("roadmap.papers.paper_save")
def _paper_save(w: World):
    from roadmap.papers.services import paper_save

    paper = _paper(w, YEAR + 12)
    paper.office = "Büro des Bürgermeisters"
    return lambda: paper_save(paper)


@scenario("roadmap.papers.decision_record")
def _decision(w: World):
    from roadmap.papers.models import Paper
    from roadmap.papers.services import decision_record
    from tests.papers.factories import finished_document

    year = timezone.localdate().year + 40
    paper = _paper(w, year)
    Paper.objects.filter(pk=paper.pk).update(date=timezone.localdate() - timedelta(days=3))
    paper.refresh_from_db()
    finished_document(paper)
    return lambda: decision_record(
        paper=paper, decided_on=timezone.localdate(), result=Paper.Result.ACCEPTED, note="",
        user=w.portal.coordinator,
    )  # fmt: skip


@scenario("roadmap.papers.paper_render")
def _paper_render(w: World):
    from roadmap.papers.services import paper_render

    year = YEAR + 13
    _members_year(w, year)
    paper = _paper(w, year)
    return lambda: paper_render(paper=paper, user=w.portal.coordinator)


@scenario("roadmap.papers.papers_render_batch")
def _papers_batch(w: World):
    from roadmap.papers.services import papers_render_batch

    year = YEAR + 14
    _members_year(w, year)
    _paper(w, year, w.portal.a)
    _paper(w, year, w.portal.b)
    return lambda: papers_render_batch(year=year, user=w.portal.coordinator)


# --------------------------------------------------------------------------- practices

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def _practice(w: World, state: str = "veroeffentlicht"):
    from tests.practices.factories import make_practice

    return make_practice(
        author=w.portal.officer_a, municipality=w.portal.a, reviewer=w.portal.coordinator,
        state=state,
    )  # fmt: skip


@scenario("roadmap.practices.practice_create")
def _practice_create(w: World):
    return lambda: _practice(w, "entwurf")


@scenario("roadmap.practices.practice_update")
def _practice_update(w: World):
    from roadmap.practices.services import practice_update
    from tests.practices.factories import practice_input

    practice = _practice(w, "entwurf")
    return lambda: practice_update(
        practice=practice, data=practice_input(title="Neuer Titel"), user=w.portal.officer_a
    )


@scenario("roadmap.practices.practice_submit")
def _practice_submit(w: World):
    from roadmap.practices.services import practice_submit

    practice = _practice(w, "entwurf")
    return lambda: practice_submit(practice=practice, user=w.portal.officer_a)


@scenario("roadmap.practices.practice_review")
def _practice_review(w: World):
    from roadmap.practices.services import practice_review

    practice = _practice(w, "eingereicht")
    return lambda: practice_review(practice=practice, user=w.portal.coordinator, approve=True)


@scenario("roadmap.practices.attachment_add")
def _attachment(w: World):
    from roadmap.practices.services import attachment_add

    practice = _practice(w)
    return lambda: attachment_add(
        practice=practice, name="konzept.pdf", data=PDF, title="Konzept", kind="konzept",
        user=w.portal.officer_a,
    )  # fmt: skip


@creates("roadmap.practices.interest_declare")
def _adoption(w: World):
    from roadmap.practices.services import interest_declare

    return interest_declare(practice=_practice(w), municipality=w.portal.b, user=w.portal.officer_b)


@scenario("roadmap.practices.adoption_update")
def _adoption_update(w: World):
    from roadmap.practices.models import Adoption
    from roadmap.practices.services import adoption_update

    adoption = _adoption(w)
    return lambda: adoption_update(
        adoption=adoption, status=Adoption.Status.PLANNED, note="Start im Herbst"
    )


@scenario("roadmap.practices.adoption_to_measure")
def _adoption_measure(w: World):
    from roadmap.practices.services import adoption_to_measure

    adoption = _adoption(w)
    return lambda: adoption_to_measure(adoption=adoption, user=w.portal.coordinator)


@scenario("roadmap.practices.adoption_to_request")
def _adoption_request(w: World):
    from roadmap.practices.services import adoption_to_request
    from tenants.models import Membership

    adoption = _adoption(w)
    service = _service(w)
    return lambda: adoption_to_request(
        adoption=adoption, user=w.portal.officer_b, service_id=service.pk,
        wished_date=timezone.localdate() + timedelta(days=30),
        roles=[Membership.Role.DIGITAL_OFFICER],
    )  # fmt: skip


@scenario("roadmap.practices.question_ask")
def _question_ask(w: World):
    from roadmap.practices.services import question_ask

    practice = _practice(w)
    return lambda: question_ask(
        practice=practice, user=w.portal.officer_b, municipality=w.portal.b, text="Wie teuer?"
    )


@scenario("roadmap.practices.question_answer")
def _question_answer(w: World):
    from roadmap.practices.services import question_answer, question_ask

    question = question_ask(
        practice=_practice(w), user=w.portal.officer_b, municipality=w.portal.b, text="Wie?"
    )
    return lambda: question_answer(question=question, user=w.portal.officer_a, text="So.")


@creates("roadmap.practices.event_save")
def _event(w: World, starts_in: timedelta = timedelta(days=7)):
    from roadmap.practices.services import EventInput, event_save

    return event_save(
        event=None,
        data=EventInput(topic=w.unique("Austausch"), starts_at=timezone.now() + starts_in),
        user=w.portal.coordinator,
    )


@scenario("roadmap.practices.event_register")
def _event_register(w: World):
    from roadmap.practices.services import event_register

    event = _event(w)
    return lambda: event_register(event=event, user=w.portal.officer_b, municipality=w.portal.b)


@scenario("roadmap.practices.event_unregister")
def _event_unregister(w: World):
    from roadmap.practices.services import event_register, event_unregister

    event = _event(w)
    event_register(event=event, user=w.portal.officer_b, municipality=w.portal.b)
    return lambda: event_unregister(event=event, user=w.portal.officer_b)


@scenario("roadmap.practices.reminders_send")
def _reminders(w: World):
    from roadmap.practices.services import event_register, reminders_send

    event = _event(w, timedelta(hours=3))
    event_register(event=event, user=w.portal.officer_b, municipality=w.portal.b)
    return reminders_send


# --------------------------------------------------------------------------- maturity


@creates("maturity.campaign_create")
def _campaign(w: World):
    from tests.maturity.factories import load_small_model, make_campaign

    version = load_small_model(key=w.unique("modell"))
    start = timezone.localdate() - timedelta(days=1)
    return make_campaign(version, [w.portal.a, w.portal.b], start=start)


@scenario("maturity.model_version_load")
def _model_load(w: World):
    from maturity.services import model_version_load
    from tests.maturity.factories import small_model_def

    definition = small_model_def(key=w.unique("modell"))
    return lambda: model_version_load(definition=definition)


@scenario("maturity.model_version_upload")
def _model_upload(w: World):
    import yaml

    from maturity.services import model_version_upload
    from tests.maturity.factories import small_model_data

    content = yaml.safe_dump(small_model_data(key=w.unique("modell")), allow_unicode=True)
    return lambda: model_version_upload(content=content.encode())


@scenario("maturity.model_version_load_shipped")
def _model_load_shipped(w: World):
    from maturity.loader import DEFAULT_MODEL_FILE, read_model_file
    from maturity.models import ModelVersion
    from maturity.services import model_version_load_shipped

    shipped = read_model_file(DEFAULT_MODEL_FILE)

    def load() -> object:
        # Loaded once, then unchanged: only a database without the version records a load.
        ModelVersion.objects.filter(key=shipped.key, version=shipped.version).delete()
        return model_version_load_shipped()

    return load


@scenario("maturity.campaign_close")
def _campaign_close(w: World):
    from maturity.services import campaign_close

    campaign = _campaign(w)
    return lambda: campaign_close(campaign=campaign)


@scenario("maturity.campaign_remind")
def _campaign_remind(w: World):
    from maturity.services import campaign_remind

    campaign = _campaign(w)
    return lambda: campaign_remind(campaign=campaign)


@scenario("maturity.answer_save")
def _answer_save(w: World):
    from maturity.services import AnswerInput, answer_save
    from tests.maturity.factories import qid

    campaign = _campaign(w)
    question = qid(campaign, "a1")
    return lambda: answer_save(
        campaign_id=campaign.pk, municipality=w.portal.a, user=w.portal.officer_a,
        data=AnswerInput(question, 2, 3), version=0,
    )  # fmt: skip


@scenario("maturity.answers_import")
def _answers_import(w: World):
    from tests.maturity.factories import answer_all

    campaign = _campaign(w)
    return lambda: answer_all(campaign, w.portal.a, 2, user=w.portal.officer_a)


@scenario("maturity.assessment_submit")
def _assessment_submit(w: World):
    from maturity.services import assessment_submit
    from tests.maturity.factories import answer_all

    campaign = _campaign(w)
    answer_all(campaign, w.portal.a, 2, user=w.portal.officer_a)
    return lambda: assessment_submit(
        campaign_id=campaign.pk, municipality=w.portal.a, user=w.portal.officer_a
    )


@scenario("maturity.assessment_reopen")
def _assessment_reopen(w: World):
    from maturity.services import assessment_reopen
    from tests.maturity.factories import answer_all

    campaign = _campaign(w)
    answer_all(campaign, w.portal.a, 2, submit=True, user=w.portal.officer_a)
    return lambda: assessment_reopen(campaign=campaign, municipality=w.portal.a)


# --------------------------------------------------------------------------- the walk


class _RollBack(Exception):
    pass


def test_every_service_is_walked_or_exempt():
    found = set(discovered_services())
    assert found, "no services found"
    forgotten = sorted(found - set(SCENARIOS) - set(EXEMPT))
    assert not forgotten, f"write services without a scenario or exemption: {forgotten}"
    stale = sorted((set(SCENARIOS) | set(EXEMPT) | set(NESTED)) - found)
    assert not stale, f"scenarios or exemptions for services that no longer exist: {stale}"
    assert not set(SCENARIOS) & set(EXEMPT)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_service_records_an_entry_in_its_own_transaction(name: str, portal: Portal):
    world = World(portal)
    call = SCENARIOS[name](world)
    last = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    written: list[AuditEntry] = []
    with pytest.raises(_RollBack), transaction.atomic():
        call()
        written = list(AuditEntry.objects.filter(id__gt=last))
        raise _RollBack
    assert written, f"{name} wrote no audit entry"
    actions = {entry.action for entry in written}
    if name not in NESTED:
        assert name.rsplit(".", 1)[-1] in actions, (name, actions)
    for entry in written:
        assert entry.summary and entry.kind and entry.actor_label and entry.object_label, entry
    # Rolled back with the change: nothing of it is left.
    assert not AuditEntry.objects.filter(id__in=[e.id for e in written]).exists()


def test_a_refused_change_leaves_no_entry(portal: Portal):
    from costsharing.services import FrozenYearError, budget_year_update

    world = World(portal)
    year = _frozen_year(world, YEAR + 15)
    before = AuditEntry.objects.filter(action="budget_year_update").count()
    with pytest.raises(FrozenYearError):
        budget_year_update(budget_year=year, kreis_share_percent=Decimal(5))
    assert AuditEntry.objects.filter(action="budget_year_update").count() == before


def test_an_entry_names_the_person_the_values_and_the_municipality(portal: Portal):
    from costsharing.services import population_figure_set

    population_figure_set(
        municipality=portal.a, reference_date=date(YEAR, 12, 31), population=14_000
    )
    with transaction.atomic():
        from izd.audit.recording import acting_as

        with acting_as(portal.centre_treasurer):
            population_figure_set(
                municipality=portal.a, reference_date=date(YEAR, 12, 31), population=14_250
            )
    entry = AuditEntry.objects.filter(action="population_figure_set").latest("id")
    assert entry.actor_id == portal.centre_treasurer.pk
    assert entry.municipality_id == portal.a.pk
    assert entry.changes == [{"field": "Einwohnerzahl", "before": "14.000", "after": "14.250"}]
