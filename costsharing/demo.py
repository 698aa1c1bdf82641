"""Demo data of cost sharing: the Main-Kinzig-Kreis' centre in 2026 (idempotent).

Invented but plausible figures: a small team, licences and hosting, Hessen's IKZ grant of
100,000 EUR (more than three partners), half of which the Kreis keeps. Every member
municipality takes part from 2024 (one joins on 1 July 2026, pro rata), modules are chosen in
each municipality's schema and projected into the Kreis' read model like any other save.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from django.db import transaction

from costsharing import services
from costsharing.models import BudgetYear, Grant, Module, UsageRecord
from izd.schemas import tenant_schema
from tenants.models import Municipality

DEMO_YEAR = 2026
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
    budget_year = BudgetYear.objects.filter(year=DEMO_YEAR).first()
    if budget_year is not None and budget_year.is_frozen:
        return f"{DEMO_YEAR} ist festgeschrieben; nichts geändert."
    if budget_year is None:
        budget_year = _budget()
    if services.selectors.issuer() is None:
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
    modules = {m.key: m.pk for m in Module.objects.filter(budget_year=budget_year)}
    for index, municipality in enumerate(members):
        joined = date(2026, 7, 1) if index == len(members) - 1 else date(2024, 1, 1)
        with tenant_schema(municipality):
            services.cooperation_save(
                municipality=municipality,
                joined_on=joined,
                budget_line="1.11.05.01 / 543100",
                contact_name="Kämmerei",
                contact_email=f"kaemmerei@{municipality.slug}.example",
            )
            chosen = ["ozg"] + [k for k in ("isms", "geo") if _pick(municipality, k, 3)]
            services.module_choices_save(
                municipality=municipality,
                year=DEMO_YEAR,
                module_ids=[modules[k] for k in chosen if k in modules],
            )
        services.usage_record(
            municipality_id=municipality.pk,
            year=DEMO_YEAR,
            units=D(20 + _pick(municipality, "usage", 180)),
            source=UsageRecord.Source.IMPORT,
            reference=f"demo:{DEMO_YEAR}:{municipality.ags}",
            note="Planwert Leistungsstunden",
        )
    return f"Kostenverteilung {DEMO_YEAR} für {len(members)} Kommunen geladen."


def _budget() -> BudgetYear:
    budget_year = services.budget_year_create(year=DEMO_YEAR, kreis_share_percent=D("10"))
    for role, fte, cost in (
        ("Leitung des Zentrums", "1.0", "98000.00"),
        ("IT-Fachkräfte", "4.0", "78000.00"),
        ("Informationssicherheitsbeauftragte/r", "1.0", "82000.00"),
        ("Verwaltung und Haushalt", "0.5", "62000.00"),
    ):
        services.staff_line_add(
            budget_year=budget_year, role=role, fte=D(fte), cost_per_fte=D(cost)
        )
    for kind, label, amount in (
        ("material", "Lizenzen und Fachverfahren", "145000.00"),
        ("service", "Rechenzentrum und Hosting", "96000.00"),
        ("overhead", "Raum, Arbeitsplätze, Querschnitt", "54000.00"),
    ):
        services.cost_line_add(budget_year=budget_year, kind=kind, label=label, amount=D(amount))
    services.grant_add(
        budget_year=budget_year,
        source="IKZ-Förderung des Landes Hessen (mehr als drei Partner)",
        amount=D("100000.00"),
        pass_on=Grant.PassOn.BY_KEY,
        kreis_percent=D("50"),
    )
    for name, parts, active in (
        ("Beschlussvorlage 2026", (D(30), D(40), D(10), D(20)), True),
        ("Szenario: mehr nach Einwohnern", (D(20), D(60), D(10), D(10)), False),
    ):
        services.allocation_key_save(
            budget_year=budget_year, name=name, base=parts[0], population=parts[1],
            usage=parts[2], modules=parts[3], population_date=date(2024, 12, 31),
            activate=active,
        )  # fmt: skip
    for key, (name, weight) in MODULES.items():
        services.module_add(budget_year=budget_year, key=key, name=name, weight=weight)
    return budget_year
