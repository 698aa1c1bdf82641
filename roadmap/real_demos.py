"""The real cases as alternative demos (`start --demo kkd`, `start --demo egov6`).

Each is its own centre in its own data folder; `tenants.demo.DEMO_SETS` brings the
municipalities and accounts, this module the rest. Idempotent like every demo loader.

* kkd (seed 003): the Kompetenzcenter Kommunal Digital of a Landkreis with 19 municipalities.
  Cost sharing reproduces the paper VL-100/2023 of the member town (Talbrücken): the seed
  scenario (costsharing.seed_scenario) moved to the paper's years: six towns found the centre
  in 2022, Talbrücken joins on 1 July 2022, so its 2023 budget carries 8.869,25 EUR for 2022
  (periodenfremd) plus 12.826,30 EUR for 2023, and 15.555,30 EUR a year from 2024. The other
  13 municipalities of the Landkreis join on 1 January 2025, after the paper's years, so they
  do not change its figures. 2022 is frozen (its councils decided before the portal) and
  settled with the 2023 notice; the coordinator generates the 2023 papers in the browser.
* egov6 (seed 001): six towns of about 14,000 inhabitants share process designers (Civento)
  and the Ehrenamts-Cloud. The state grants 90 % of the project cost in 2025 and 2026 (almost
  1.7 million EUR); in 2027 the towns carry the continued service alone, which shows what the
  grant takes off each share.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date
from decimal import Decimal

from django.db import transaction

from costsharing import selectors as costsharing_selectors
from costsharing import services as costsharing_services
from costsharing.demo import issuer_legal_note_demo_ensure, seed_scenario_load
from costsharing.notices import Issuer
from costsharing.seed_scenario import FOCUS_MEMBER, SEED_MEMBER_KEYS
from izd.schemas import tenant_schema
from maturity import services as maturity_services
from roadmap import demo as roadmap_demo
from roadmap.papers import services as paper_services
from roadmap.papers.demo import PaperSpec, template_ensure
from roadmap.papers.models import Consultation, NumberingScheme
from roadmap.papers.services import CommitteeSpec
from tenants.models import KreisRole, Municipality, User

D = Decimal
PRE, DECIDING = Consultation.Role.PRELIMINARY, Consultation.Role.DECIDING


def _issuer(
    name: str, street: str, postal_code: str, city: str, phone: str, email: str, holder: str,
    seller_id: str,
) -> Issuer:  # fmt: skip
    """Who sends a demo centre's notices, with the demo's treasurer, bank account and terms."""
    return Issuer(
        name=name, street=street, postal_code=postal_code, city=city, contact_name="Kurt Kasse",
        contact_phone=phone, contact_email=email, iban="DE02500105170137075030",
        bic="INGDDEFFXXX", account_holder=holder, seller_id=seller_id, payment_days=30,
    )  # fmt: skip


# ----------------------------------------------------------------------------------- kkd

KKD_YEAR_SHIFT = -1  # the scenario's 2023..2025 are the paper's 2022..2024
KKD_PAPER_YEAR = 2023
KKD_PAPER_DATE = date(2023, 7, 17)
KKD_BUDGET_LINE = "010102 „Zentrale Dienste“"
KKD_COMMITTEES = [
    CommitteeSpec("Magistrat", PRE, date(2023, 7, 31)),
    CommitteeSpec("Haupt- und Finanzausschuss", PRE, date(2023, 9, 26)),
    CommitteeSpec("Stadtverordnetenversammlung", DECIDING, date(2023, 9, 28)),
]
KKD_PAPER = PaperSpec(
    name="Kompetenzcenter Kommunal Digital (KKD): Teilnahme",
    subject=(
        "Interkommunale Zusammenarbeit im Bereich Digitalisierung – hier: Teilnahme an der "
        "interkommunalen Zusammenarbeit „Kompetenzcenter Kommunal Digital (KKD)“"
    ),
    facts=(
        "Der [[kreis]] und die teilnehmenden Kommunen bündeln ihre gemeinsamen Aktivitäten in "
        "den Bereichen Geodateninfrastruktur, Cybersicherheit und Onlinezugangsgesetz im "
        "Kompetenzcenter Kommunal Digital und erweitern sie um die allgemeine "
        "Verwaltungsdigitalisierung, Beratung und Kompetenzaufbau.\n\n"
        "Die Finanzierung der Zusammenarbeit erfolgt über die Beteiligung der teilnehmenden "
        "Kommunen mit einer jährlichen Kostenpauschale, die nach Eingliederung der bestehenden "
        "Zusammenarbeiten gestaffelt wird. Fördermittel des Landes (IKZ-Förderung) mindern die "
        "Gesamtkosten.\n\n"
        "FINANZIELLE AUSWIRKUNGEN: Die Aufwendungen für die IKZ belasten den laufenden Haushalt "
        "im Budget [[haushaltsstelle]] in [[jahr]] mit [[anteil_jahr]] "
        "([[nachbelastung_vorjahr]] für [[vorjahr]] periodenfremd, [[anteil_laufend]] für "
        "[[jahr]]) und ab dem Haushalt [[folgejahr]] jährlich mit [[anteil_folgejahre]]."
    ),
    resolution=(
        "Die Teilnahme an der interkommunalen Zusammenarbeit „Kompetenzcenter Kommunal "
        "Digital“ wird beschlossen.\n"
        "Zur Umsetzung wird der Magistrat ermächtigt, mit dem [[kreis]] sowie den teilnehmenden "
        "Kommunen eine entsprechende öffentlich-rechtliche Vereinbarung auf der Grundlage des "
        "als Anlage beigefügten Entwurfes zu schließen."
    ),
    attachments=(
        # the second, the Kostenbeteiligung of all members, the portal adds itself
        "Öffentlich-rechtliche Vereinbarung"
    ),
    office="Fachbereich I/3",
    file_reference="022.31",
)
KKD_LATER_MEMBERS_JOIN = date(2025, 1, 1)
KKD_ISSUER = _issuer(
    "Landkreis Marburg-Biedenkopf – Kompetenzcenter Kommunal Digital", "Im Lichtenholz 60",
    "35043", "Marburg", "+49 6421 405-0", "kkd@landkreis.example",
    "Landkreis Marburg-Biedenkopf", "06534000-KKD-21",
)  # fmt: skip


def _person(role: str) -> User | None:
    return User.objects.filter(kreis_roles__role=role).order_by("pk").first()


def _centre_ensure(issuer: Issuer) -> None:
    """What every demo centre has: the maturity model, the service catalogue, and the issuer of
    its notices."""
    maturity_services.model_version_load_shipped()
    roadmap_demo._services()
    if costsharing_selectors.issuer() is None:
        costsharing_services.issuer_save(**asdict(issuer))
    issuer_legal_note_demo_ensure()


def _members_join(
    municipalities: Iterable[Municipality], joined_on: date, budget_line: str
) -> None:
    """Each municipality's cooperation with the centre, where it has none yet (saved in its own
    schema, reached by its treasury)."""
    for municipality in municipalities:
        with tenant_schema(municipality):
            if costsharing_selectors.cooperation() is None:
                costsharing_services.cooperation_save(
                    municipality=municipality, joined_on=joined_on, budget_line=budget_line,
                    contact_name="Kämmerei", contact_email=f"kaemmerei@{municipality.slug}.example",
                )  # fmt: skip


@transaction.atomic
def kkd_demo_load() -> str:
    members = {m.ags: m for m in Municipality.objects.members()}
    if FOCUS_MEMBER not in members:
        return "Keine KKD-Kommunen vorhanden: zuerst `load_demo_data --demo kkd` ausführen."
    _centre_ensure(KKD_ISSUER)
    years = seed_scenario_load(
        members, shift=KKD_YEAR_SHIFT, budget_lines={FOCUS_MEMBER: KKD_BUDGET_LINE}
    )
    later = [town for ags, town in sorted(members.items()) if ags not in SEED_MEMBER_KEYS]
    _members_join(later, KKD_LATER_MEMBERS_JOIN, "1.11.01 Digitalisierung")
    first = years[min(years)]
    treasurer = _person(KreisRole.Role.CENTRE_TREASURER)
    if first.is_draft and treasurer is not None:
        costsharing_services.allocation_freeze(
            budget_year=first, user=treasurer, settle_in_year=KKD_PAPER_YEAR,
            decisions_waiver=(
                "Die Gründungskommunen haben 2022 vor Einführung des Portals beschlossen."
            ),
        )  # fmt: skip
    template_ensure(KKD_PAPER)
    focus = members[FOCUS_MEMBER]
    if not NumberingScheme.objects.filter(municipality=focus).exists():
        paper_services.scheme_save(municipality=focus, prefix="VL", next_number=100)
    return (
        f"KKD-Demo: {len(members)} Kommunen, Kostenverteilung {min(years)}–{max(years)} "
        f"(Stadt Talbrücken wie Drucksache VL-100/2023), Vorlage „{KKD_PAPER.name}“."
    )


def kkd_paper_generate() -> list:
    """What the coordinator does in the browser: the 2023 papers with the seed's
    Beratungsfolge (Talbrücken's is VL-100/2023)."""
    template = template_ensure(KKD_PAPER)
    return paper_services.papers_generate(
        template=template, year=KKD_PAPER_YEAR, paper_date=KKD_PAPER_DATE,
        committees=KKD_COMMITTEES, office=KKD_PAPER.office,
        file_reference=KKD_PAPER.file_reference,
    )  # fmt: skip


# --------------------------------------------------------------------------------- egov6

EGOV6_GRANT = "Starke Heimat Hessen – Förderung smarter Kommunen (Förderquote 90 %)"
EGOV6_ISSUER = _issuer(
    "Stadt Wächtersbach – eGov6 & EhrenamtsCloud (federführende Kommune)", "Schloss 1",
    "63607", "Wächtersbach", "+49 6053 802-0", "egov6@waechtersbach.example",
    "Stadt Wächtersbach", "06435029-EGOV6-31",
)  # fmt: skip
EGOV6_YEARS = (2025, 2026, 2027)
# The budget as the towns' spreadsheet has it: a line per item, a column per year.
EGOV6_STAFF = {  # role: {year: (FTE, cost per FTE)}
    "Prozessmanager/innen und -designer/innen": {
        2025: ("6.0", "74000.00"), 2026: ("6.0", "76000.00"), 2027: ("3.0", "78000.00")},
    "Projektleitung eGov6": {2025: ("1.0", "86000.00"), 2026: ("1.0", "88000.00")},
}  # fmt: skip
EGOV6_COSTS = {  # (kind, label): {year: amount}
    ("material", "Ehrenamts-Cloud: Lizenzen und Speicher"): {
        2025: "142000.00", 2026: "150000.00", 2027: "150000.00"},
    ("service", "Schnittstellen OZG–Fachverfahren (Hersteller)"): {
        2025: "228000.00", 2026: "190000.00"},
    ("overhead", "Arbeitsplätze und Schulungen"): {2025: "40000.00", 2026: "40000.00"},
}  # fmt: skip
# 90 % of the funded project cost; in 2027 the towns carry the continued service alone.
EGOV6_GRANTS = {2025: D("845100.00"), 2026: D("838800.00")}
EGOV6_MODULES = {"prozesse": ("eGov-Prozesse auf Civento", D("60")),
                 "cloud": ("Ehrenamts-Cloud", D("40"))}  # fmt: skip


@transaction.atomic
def egov6_demo_load() -> str:
    members = list(Municipality.objects.members().order_by("name"))
    if not members:
        return "Keine Kommunen vorhanden: zuerst `load_demo_data --demo egov6` ausführen."
    _centre_ensure(EGOV6_ISSUER)
    _members_join(members, date(2025, 1, 1), "1.11.05.01 / 543100")
    for year in EGOV6_YEARS:
        if costsharing_selectors.year_get(year) is not None:
            continue
        budget_year = costsharing_services.budget_year_create(year=year)
        for role, staffed in EGOV6_STAFF.items():
            if year in staffed:
                fte, cost = staffed[year]
                costsharing_services.staff_line_add(
                    budget_year=budget_year, role=role, fte=D(fte), cost_per_fte=D(cost)
                )
        for (kind, label), amounts in EGOV6_COSTS.items():
            if year in amounts:
                costsharing_services.cost_line_add(
                    budget_year=budget_year, kind=kind, label=label, amount=D(amounts[year])
                )
        if year in EGOV6_GRANTS:
            costsharing_services.grant_add(
                budget_year=budget_year, source=EGOV6_GRANT, amount=EGOV6_GRANTS[year],
                pass_on=costsharing_services.PassOn.FIXED_SPLIT,
            )  # fmt: skip
        # Mostly equal shares: the grant is passed on in equal parts, so no town's credit may
        # exceed its share (the six are of similar size; Birstein is the smallest).
        costsharing_services.allocation_key_save(
            budget_year=budget_year, name="eGov6-Vereinbarung", base=D(60), population=D(20),
            usage=D(0), modules=D(20), population_date=date(2022, 12, 31), activate=True,
        )  # fmt: skip
        ids = [
            costsharing_services.module_add(
                budget_year=budget_year, key=key, name=name, weight=weight
            ).pk
            for key, (name, weight) in EGOV6_MODULES.items()
        ]
        for municipality in members:
            with tenant_schema(municipality):
                costsharing_services.module_choices_save(
                    municipality=municipality, year=year, module_ids=ids
                )
    return (
        f"eGov6-Demo: {len(members)} Kommunen, Kostenverteilung 2025–2027 "
        "(2025 und 2026 mit 90 % Landesförderung, 2027 ohne)."
    )


REAL_DEMOS = {"kkd": kkd_demo_load, "egov6": egov6_demo_load}
