"""Demo data of cost sharing: the Main-Kinzig-Kreis' centre in 2025 and 2026 (idempotent).

Invented but plausible figures: a small team, licences and hosting, Hessen's IKZ grant of
100,000 EUR (more than three partners), half of which the Kreis keeps. Every member
municipality takes part from 2024; one, Wächtersbach, joins on 1 July 2025 (pro rata). Modules
are chosen in each municipality's schema and projected into the Kreis' read model like any
other save. 2025 is the finished year (the decision papers' demo freezes it once every council
decided), 2026 the year in progress.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from django.db import transaction

from costsharing import services
from costsharing.models import BudgetYear, Grant, Module, UsageRecord
from costsharing.municipal.models import Cooperation
from costsharing.seed_scenario import SEED_SCENARIO
from izd.schemas import tenant_schema
from tenants.models import Municipality

DEMO_YEAR = 2026
DEMO_YEARS = (2025, 2026)
# 2025 cost a little less: the team grew in 2026.
COST_FACTOR = {2025: Decimal("0.94"), 2026: Decimal("1")}
D = Decimal
MODULES = {
    "ozg": ("OZG-Onlinedienste", D("120000")),
    "isms": ("Informationssicherheit", D("85000")),
    "geo": ("Geodaten", D("45000")),
}


def _pick(municipality: Municipality, salt: str, modulo: int) -> int:
    digest = hashlib.sha256(f"{municipality.ags}:{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % modulo


@transaction.atomic
def costsharing_demo_load() -> str:
    members = list(Municipality.objects.members().order_by("ags"))
    if not members:
        return "Keine Kommunen vorhanden: zuerst `manage.py load_demo_data` ausführen."
    if services.selectors.issuer() is None:
        issuer_demo_load()
    issuer_legal_note_demo_ensure()
    for index, municipality in enumerate(members):
        joined = date(2025, 7, 1) if index == len(members) - 1 else date(2024, 1, 1)
        with tenant_schema(municipality):
            services.cooperation_save(
                municipality=municipality,
                joined_on=joined,
                budget_line="1.11.05.01 / 543100",
                contact_name="Kämmerei",
                contact_email=f"kaemmerei@{municipality.slug}.example",
            )
    loaded = []
    for year in DEMO_YEARS:
        budget_year = BudgetYear.objects.filter(year=year).first()
        if budget_year is not None and budget_year.status != BudgetYear.Status.DRAFT:
            continue  # frozen (or being corrected by the centre treasurer): part of the record
        if budget_year is None:
            budget_year = _budget(year)
        _participation(year, budget_year, members)
        loaded.append(str(year))
    if not loaded:
        return "Kostenverteilung: alle Demojahre sind festgeschrieben; nichts geändert."
    return f"Kostenverteilung {' und '.join(loaded)} für {len(members)} Kommunen geladen."


def issuer_demo_load() -> None:
    """The Kreis as the issuer of the notices (the tests use it too)."""
    services.issuer_save(
        name="Main-Kinzig-Kreis – Interkommunales Zentrum für IT und Digitalisierung",
        street="Barbarossastraße 16",
        postal_code="63571",
        city="Gelnhausen",
        contact_name="Kurt Kasse",
        contact_phone="+49 6051 85-0",
        contact_email="kaemmerei-izd@mkk.example",
        iban="DE02500105170137075030",
        bic="INGDDEFFXXX",
        account_holder="Main-Kinzig-Kreis",
        seller_id="06435000-IZD-94",
        payment_days=30,
    )


# The legal note a demo centre's notices carry: a worked example of what the Kreis writes
# there (the shipped default only marks the places to fill in, which looks broken in a demo).
# Written for a cost share set by notice under a public-law agreement (KGG); marked as a demo.
DEMO_LEGAL_NOTE = (
    "Grundlage: § 6 (Kostenverteilung) der öffentlich-rechtlichen Vereinbarung über die "
    "interkommunale Zusammenarbeit nach §§ 24 ff. des Hessischen Gesetzes über kommunale "
    "Gemeinschaftsarbeit (KGG) mit dem dort vereinbarten Kostenverteilungsschlüssel.\n\n"
    "Rechtsbehelfsbelehrung: Gegen diesen Bescheid kann innerhalb eines Monats nach "
    "Bekanntgabe Widerspruch erhoben werden, schriftlich oder zur Niederschrift bei: {name}, "
    "{street}, {postal_code} {city}. Der Widerspruch hat keine aufschiebende Wirkung (§ 80 "
    "Absatz 2 Satz 1 Nummer 1 der Verwaltungsgerichtsordnung).\n\n"
    "Demo-Text: Der Kreis ersetzt ihn unter „Rechnungsangaben des Zentrums“ durch seinen "
    "geprüften Wortlaut."
)


def issuer_legal_note_demo_ensure() -> None:
    """Give the demo centre's notices the demo legal note, unless the centre wrote its own."""
    profile = services.selectors.issuer()
    if profile is None or profile.legal_note.strip():
        return
    services.issuer_save(
        legal_note=DEMO_LEGAL_NOTE.format(
            name=profile.name, street=profile.street, postal_code=profile.postal_code,
            city=profile.city,
        )
    )  # fmt: skip


def _participation(year: int, budget_year: BudgetYear, members: list[Municipality]) -> None:
    modules = {m.key: m.pk for m in Module.objects.filter(budget_year=budget_year)}
    for municipality in members:
        # 2026 keeps the picks it always had, so that existing demo databases stay the same.
        salt = "" if year == DEMO_YEAR else str(year)
        chosen = ["ozg"] + [k for k in ("isms", "geo") if _pick(municipality, k + salt, 3)]
        with tenant_schema(municipality):
            cooperation = Cooperation.objects.first()
            if cooperation is None or cooperation.joined_on > date(year, 12, 31):
                continue  # joins later: no modules (and no use) in this year
            services.module_choices_save(
                municipality=municipality,
                year=year,
                module_ids=[modules[k] for k in chosen if k in modules],
            )
        services.usage_record(
            municipality_id=municipality.pk,
            year=year,
            units=D(20 + _pick(municipality, "usage" + salt, 180)),
            source=UsageRecord.Source.IMPORT,
            reference=f"demo:{year}:{municipality.ags}",
            note="Planwert Leistungsstunden" if year == DEMO_YEAR else "Leistungsstunden",
        )


def _budget(year: int) -> BudgetYear:
    budget_year = services.budget_year_create(year=year, kreis_share_percent=D("10"))
    factor = COST_FACTOR[year]
    for role, fte, cost in (
        ("Leitung des Zentrums", "1.0", "98000.00"),
        ("IT-Fachkräfte", "4.0", "78000.00"),
        ("Informationssicherheitsbeauftragte/r", "1.0", "82000.00"),
        ("Verwaltung und Haushalt", "0.5", "62000.00"),
    ):
        services.staff_line_add(
            budget_year=budget_year,
            role=role,
            fte=D(fte),
            cost_per_fte=(D(cost) * factor).quantize(D("0.01")),
        )
    for kind, label, amount in (
        ("material", "Lizenzen und Fachverfahren", "145000.00"),
        ("service", "Rechenzentrum und Hosting", "96000.00"),
        ("overhead", "Raum, Arbeitsplätze, Querschnitt", "54000.00"),
    ):
        services.cost_line_add(
            budget_year=budget_year, kind=kind, label=label,
            amount=(D(amount) * factor).quantize(D("0.01")),
        )  # fmt: skip
    services.grant_add(
        budget_year=budget_year,
        source="IKZ-Förderung des Landes Hessen (mehr als drei Partner)",
        amount=D("100000.00"),
        pass_on=Grant.PassOn.BY_KEY,
        kreis_percent=D("50"),
    )
    for name, parts, active in (
        (f"Beschlussvorlage {year}", (D(30), D(40), D(10), D(20)), True),
        ("Szenario: mehr nach Einwohnern", (D(20), D(60), D(10), D(10)), False),
    ):
        services.allocation_key_save(
            budget_year=budget_year, name=name, base=parts[0], population=parts[1],
            usage=parts[2], modules=parts[3], population_date=date(year - 2, 12, 31),
            activate=active,
        )  # fmt: skip
    for key, (name, weight) in MODULES.items():
        services.module_add(budget_year=budget_year, key=key, name=name, weight=weight)
    return budget_year


# --------------------------------------------------------------------------- the seed scenario


def _shifted(day: date, shift: int) -> date:
    return day.replace(year=day.year + shift)


def seed_scenario_load(
    by_ags: dict[str, Municipality],
    *,
    years: tuple[int, ...] = (2023, 2024, 2025),
    shift: int = 0,
    budget_lines: dict[str, str] | None = None,
) -> dict[int, BudgetYear]:
    """SEED_SCENARIO (costsharing.seed_scenario) in the portal's models: budget, grants, key,
    modules, population and use, and each town's participation saved in its own schema.

    `shift` moves every year and date: the kkd demo tells the paper in the years it was
    written (shift -1: the town joins on 1 July 2022 and pays from 2023). Years that exist
    already are left as they are (idempotent)."""
    budget_lines = budget_lines or {}
    for member in SEED_SCENARIO["members"]:
        municipality = by_ags[member["key"]]
        with tenant_schema(municipality):
            if Cooperation.objects.exists():
                continue
            services.cooperation_save(
                municipality=municipality,
                joined_on=_shifted(member["joined"], shift),
                budget_line=budget_lines.get(member["key"], ""),
                contact_name="Kämmerei",
                contact_email=f"kaemmerei@{municipality.slug}.example",
            )
    created = {}
    for scenario_year in years:
        year = scenario_year + shift
        existing = BudgetYear.objects.filter(year=year).first()
        if existing is not None:
            created[year] = existing
            continue
        created[year] = _seed_year(by_ags, scenario_year, year, shift)
    return created


def _seed_year(
    by_ags: dict[str, Municipality], scenario_year: int, year: int, shift: int
) -> BudgetYear:
    data = SEED_SCENARIO["years"][scenario_year]
    grants_total = sum((g["amount"] for g in data["grants"]), D(0))
    budget = data["net_cost"] + grants_total
    budget_year = services.budget_year_create(year=year)
    services.staff_line_add(
        budget_year=budget_year, role="Leitung und Koordination", fte=D("1.00"),
        cost_per_fte=D("60000.00"),
    )  # fmt: skip
    services.cost_line_add(
        budget_year=budget_year, kind="material", label="Lizenzen und Betrieb",
        amount=budget - D("60000.00"),
    )  # fmt: skip
    for grant in data["grants"]:
        services.grant_add(
            budget_year=budget_year, source=grant["name"], amount=grant["amount"],
            pass_on=Grant.PassOn.BY_KEY,
        )  # fmt: skip
    key = data["key"]
    reference_date = _shifted(data["reference_date"], shift)
    services.allocation_key_save(
        budget_year=budget_year, name="Schlüssel", base=key["base"],
        population=key["population"], usage=key["usage"], modules=key["modules"],
        population_date=reference_date, activate=True,
    )  # fmt: skip
    names = {m["key"]: m["name"] for m in SEED_SCENARIO["modules"]}
    for module_key, weight in data["module_weights"].items():
        services.module_add(
            budget_year=budget_year, key=module_key, name=names[module_key], weight=D(weight)
        )
    module_ids = {m.key: m.pk for m in Module.objects.filter(budget_year=budget_year)}
    for ags, participation in data["participation"].items():
        town = by_ags[ags]
        services.population_figure_set(
            municipality=town, reference_date=reference_date,
            population=participation["population"],
        )  # fmt: skip
        if participation["usage_units"]:
            services.usage_record(
                municipality_id=town.pk, year=year, units=participation["usage_units"],
                source=UsageRecord.Source.IMPORT, reference=f"seed:{year}:{ags}",
            )  # fmt: skip
        if participation["modules"]:
            with tenant_schema(town):
                services.module_choices_save(
                    municipality=town, year=year,
                    module_ids=[module_ids[k] for k in participation["modules"]],
                )  # fmt: skip
    return budget_year
