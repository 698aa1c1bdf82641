"""Demo data of the best-practice exchange: six practices of demo municipalities (and the
centre), their adoptions by others, a practice waiting for review, a draft, and two exchange
events. Figures follow the seeds: eGov6's six towns of about 14,000 inhabitants sharing Civento
process designers and an Ehrenamts-Cloud, Initiative K's "Einer für alle".

Needs the municipalities of `load_demo_data`. Idempotent: practices are found by title.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from roadmap.models import Service
from roadmap.practices import services
from roadmap.practices.models import (
    Adoption,
    EventRegistration,
    ExchangeEvent,
    Practice,
    PracticeVersion,
    Product,
)
from roadmap.practices.services import EventInput, PracticeInput
from tenants.demo import DEMO_PASSWORD
from tenants.models import Membership, Municipality, User
from tenants.services import membership_grant, user_create

PRODUCTS = [
    "Civento (Digitalisierungsplattform Hessen)", "Ehrenamts-Cloud", "OZG-Onlinedienst",
    "XRechnung-Eingangsplattform", "Online-Terminvergabe", "BSI WiBA-Checklisten",
    "Nextcloud", "Open-Data-Portal",
]  # fmt: skip


@dataclass(frozen=True)
class DemoPractice:
    slug: str  # "" = the centre
    title: str
    summary: str
    problem: str
    solution: str
    result: str
    lessons: str
    dimensions: tuple[str, ...]
    questions: tuple[str, ...]
    products: tuple[str, ...]
    cost_once: str
    cost_yearly: str
    effort_days: str
    months: int
    status: str
    reuse: str
    visibility: str
    contact: str
    service: str = ""
    licence: str = ""
    links: tuple[str, ...] = ()
    adopters: dict[str, str] = field(default_factory=dict)
    state: str = "veroeffentlicht"


PRACTICES = [
    DemoPractice(
        "waechtersbach",
        "Digitaler Rechnungseingang mit Leitweg-ID",
        "E-Rechnungen im Format XRechnung kommen über die Leitweg-ID direkt in den digitalen "
        "Rechnungseingang und werden elektronisch geprüft, angewiesen und archiviert.",
        "Papierrechnungen wurden gescannt, per Hauspost verteilt und lagen wochenlang in "
        "Umlaufmappen; Skonto ging verloren.",
        "Die Stadt hat eine Leitweg-ID je Rechnungsempfänger vergeben, den Rechnungseingang an "
        "die Eingangsplattform angebunden und einen digitalen Freigabeworkflow mit "
        "Vier-Augen-Prinzip im Finanzverfahren eingerichtet.",
        "Über 80 Prozent der Rechnungen kommen elektronisch; die Durchlaufzeit sank von 21 auf "
        "6 Tage.",
        "Lieferanten früh anschreiben und die Leitweg-ID auf jede Bestellung drucken. Die "
        "Freigabestufen vorher mit der Kämmerei klären.",
        ("organisation",),
        ("organisation-erechnung", "organisation-posteingang"),
        ("XRechnung-Eingangsplattform",),
        "4800",
        "1200",
        "35",
        6,
        "betrieb",
        "vorlagen",
        "oeffentlich",
        "Dana Digital",
        service="Schulungen Digitalisierung",
        links=("https://www.e-rechnung-bund.de/",),
        adopters={"bad-orb": "betrieb", "birstein": "interesse"},
    ),
    DemoPractice(
        "gelnhausen",
        "Online-Terminvereinbarung im Bürgerbüro",
        "Bürgerinnen und Bürger buchen Termine für Ausweis, Meldewesen und Führerschein online; "
        "Wartezeiten im Bürgerbüro entfallen.",
        "Lange Schlangen am Montagmorgen, Beschwerden über Wartezeiten, ungleich verteilte "
        "Arbeitslast am Schalter.",
        "Eine Online-Terminvergabe mit Dienstleistungskatalog, Erinnerung per E-Mail und "
        "Aufrufanlage im Wartebereich; spontane Kunden bekommen freie Zeitfenster.",
        "Drei Viertel der Besuche sind gebucht, die Wartezeit liegt unter zehn Minuten.",
        "Termindauern je Dienstleistung nach vier Wochen nachjustieren; ein Kontingent für "
        "Notfälle freihalten.",
        ("buergerservice",),
        ("buergerservice-terminvereinbarung",),
        ("Online-Terminvergabe",),
        "6500",
        "2400",
        "20",
        4,
        "betrieb",
        "vorlagen",
        "mitglieder",
        "Gerd Gelnhausen",
        adopters={"waechtersbach": "umsetzung", "schluechtern": "geplant"},
    ),
    DemoPractice(
        "bad-soden-salmuenster",
        "Ehrenamts-Cloud für die Vereine",
        "Vereine bekommen Speicher, gemeinsame Kalender und Videokonferenzen in einer "
        "datenschutzkonformen Cloud, die die Kommunen gemeinsam betreiben.",
        "Vereinsdaten lagen auf privaten Rechnern und in US-Clouds; Vorstandswechsel bedeuteten "
        "Datenverlust.",
        "Eine gemeinsame Nextcloud-Instanz der eGov6-Kommunen mit Zugängen je Verein, "
        "Schulungsabenden und einer Sprechstunde im Rathaus.",
        "Über 60 Vereine in sechs Kommunen nutzen die Cloud; das Land förderte das Projekt mit "
        "90 Prozent.",
        "Einfache Anleitung und ein fester Ansprechpartner sind wichtiger als Funktionen.",
        ("buergerservice",),
        ("buergerservice-ehrenamt",),
        ("Ehrenamts-Cloud", "Nextcloud"),
        "12000",
        "3600",
        "40",
        9,
        "betrieb",
        "zentrum",
        "oeffentlich",
        "Sabine Soden",
        service="Ehrenamts-Cloud für Vereine",
        adopters={"sinntal": "betrieb", "steinau-an-der-strasse": "betrieb", "birstein": "geplant"},
    ),
    DemoPractice(
        "sinntal",
        "WiBA-Sicherheitscheck gemeinsam durchgeführt",
        "Drei kleine Gemeinden haben die Weg-in-die-Basis-Absicherung (WiBA) des BSI gemeinsam "
        "durchgearbeitet, mit einem geteilten Maßnahmenplan.",
        "Keine Gemeinde hatte Personal für ein vollständiges IT-Grundschutz-Konzept.",
        "Monatliche Workshops entlang der WiBA-Checklisten, je Gemeinde ein Verantwortlicher, "
        "Ergebnisse in einer gemeinsamen Tabelle.",
        "Alle 19 Checklisten bearbeitet, 42 Maßnahmen priorisiert, Backup-Konzept umgesetzt.",
        "Ehrlich bewerten, nicht schönfärben; die Checkliste Backup zuerst.",
        ("sicherheit",),
        ("sicherheit-basisabsicherung", "sicherheit-backup"),
        ("BSI WiBA-Checklisten",),
        "0",
        "0",
        "18",
        6,
        "betrieb",
        "vorlagen",
        "mitglieder",
        "Simon Sinntal",
        service="Sicherheitscheck nach BSI WiBA",
        adopters={"bad-orb": "interesse"},
    ),
    DemoPractice(
        "steinau-an-der-strasse",
        "Hundesteuer-Anmeldung als Civento-Prozess",
        "Die An- und Abmeldung eines Hundes zur Hundesteuer läuft als Online-Dienst auf Civento, "
        "mit Übergabe an das Steuerverfahren.",
        "Papierformulare, Abtippen im Steuerverfahren, Rückfragen wegen fehlender Angaben.",
        "Ein Prozessdesigner des Verbunds hat den Prozess auf Civento modelliert; die anderen "
        "Kommunen übernehmen ihn mit eigenem Steuersatz.",
        "70 Prozent der Anmeldungen kommen online, ohne Rückfragen.",
        "Prozess einmal bauen, parametrisieren, von allen nachnutzen lassen.",
        ("onlinedienste",),
        ("onlinedienste-plattform", "onlinedienste-ende-zu-ende"),
        ("Civento (Digitalisierungsplattform Hessen)", "OZG-Onlinedienst"),
        "2500",
        "0",
        "12",
        3,
        "betrieb",
        "efa",
        "oeffentlich",
        "Stefan Steinau",
        service="eGovernment-Prozessentwicklung auf Civento",
        adopters={"waechtersbach": "interesse", "birstein": "geplant"},
    ),
    DemoPractice(
        "",
        "Gemeinsamer Informationssicherheitsbeauftragter (ISB)",
        "Ein ISB des Zentrums betreut mehrere Kommunen: Sicherheitsleitlinie, Konzept, Beratung "
        "und Begleitung bei Vorfällen.",
        "Kleine Kommunen können keine eigene ISB-Stelle besetzen.",
        "Das Zentrum stellt einen ISB mit festen Sprechzeiten je Kommune; die Kosten werden nach "
        "dem Schlüssel verteilt.",
        "Jede teilnehmende Kommune hat eine beschlossene Sicherheitsleitlinie.",
        "Die Bestellung durch den Gemeindevorstand früh einplanen.",
        ("sicherheit",),
        ("sicherheit-isb",),
        (),
        "0",
        "4500",
        "10",
        2,
        "betrieb",
        "zentrum",
        "mitglieder",
        "Karla Koordination",
        service="Gemeinsamer Informationssicherheitsbeauftragter (ISB)",
        adopters={
            "bad-orb": "betrieb",
            "birstein": "betrieb",
            "sinntal": "betrieb",
            "waechtersbach": "umsetzung",
        },
    ),
    DemoPractice(
        "maintal",
        "Open-Data-Portal mit Haushaltsdaten",
        "Haushalts- und Geodaten als offene Daten mit Schnittstelle.",
        "Anfragen nach Daten wurden einzeln per E-Mail beantwortet.",
        "",
        "",
        "",
        ("daten",),
        ("daten-open-data",),
        ("Open-Data-Portal",),
        "9000",
        "1500",
        "25",
        5,
        "pilot",
        "open_source",
        "oeffentlich",
        "Maren Maintal",
        licence="dl-de/by-2-0",
        state="eingereicht",
    ),
    DemoPractice(
        "bad-orb",
        "Digitale Sitzungsvorbereitung für die Ortsbeiräte",
        "Tablets und Ratsinformationssystem für die Ortsbeiräte.",
        "",
        "",
        "",
        "",
        ("organisation",),
        ("organisation-gremienarbeit",),
        (),
        "15000",
        "2000",
        "20",
        6,
        "idee",
        "vorlagen",
        "mitglieder",
        "Otto Orb",
        state="entwurf",
    ),
]


def _author(municipality: Municipality | None, contact: str) -> User:
    if municipality is None:
        user = User.objects.filter(kreis_roles__role="coordinator").order_by("pk").first()
        if user is None:
            raise RuntimeError("Keine Koordination vorhanden: bitte `load_demo_data` ausführen.")
        return user
    existing = (
        Membership.objects.filter(
            municipality=municipality, role=Membership.Role.DIGITAL_OFFICER
        ).select_related("user").order_by("pk").first()
    )  # fmt: skip
    if existing is not None:
        return existing.user
    domain = settings.BASE_DOMAIN if "." in settings.BASE_DOMAIN else "izd.example"
    first, last = contact.split(" ", 1)
    user = User.objects.filter(email=f"digital@{municipality.slug}.{domain}").first() or (
        user_create(
            email=f"digital@{municipality.slug}.{domain}", password=DEMO_PASSWORD,
            first_name=first, last_name=last,
        )
    )  # fmt: skip
    membership_grant(user=user, municipality=municipality, role=Membership.Role.DIGITAL_OFFICER)
    return user


def _practice(item: DemoPractice, towns: dict[str, Municipality], reviewer: User) -> Practice:
    municipality = towns[item.slug] if item.slug else None
    author = _author(municipality, item.contact)
    service = Service.objects.filter(name=item.service).first() if item.service else None
    products = Product.objects.filter(name__in=item.products)
    data = PracticeInput(
        title=item.title, summary=item.summary, problem=item.problem, solution=item.solution,
        result=item.result, lessons_learned=item.lessons, dimension_keys=item.dimensions,
        question_keys=item.questions, product_ids=tuple(p.pk for p in products),
        cost_once=Decimal(item.cost_once), cost_yearly=Decimal(item.cost_yearly),
        effort_days=Decimal(item.effort_days), duration_months=item.months,
        project_status=item.status, reuse_terms=item.reuse, visibility=item.visibility,
        contact_name=item.contact, contact_email=author.email, licence=item.licence,
        links=item.links, service_id=service.pk if service else None,
    )  # fmt: skip
    practice = services.practice_create(municipality=municipality, data=data, user=author)
    if item.state != "entwurf":
        services.practice_submit(practice=practice, user=author)
    if item.state == "veroeffentlicht":
        practice = services.practice_review(practice=practice, user=reviewer, approve=True)
    for slug, status in item.adopters.items():
        town = towns.get(slug)
        if town is None:
            continue
        adopter = _author(town, f"Digital {town.name}")
        adoption = services.interest_declare(practice=practice, municipality=town, user=adopter)
        if status != "interesse":
            services.adoption_update(adoption=adoption, status=status, note="")
        if status in (Adoption.Status.PLANNED, Adoption.Status.IN_PROGRESS):
            # On the adopter's roadmap, linked both ways with the practice.
            services.adoption_to_measure(adoption=adoption, user=adopter)
    return practice


def _events(towns: dict[str, Municipality], coordinator: User) -> int:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    titles = {
        p.published_version.title: p
        for p in Practice.objects.select_related("published_version")
        if p.published_version is not None
    }
    plans = [
        ("Austausch: E-Rechnung und digitaler Rechnungseingang", now + timedelta(days=14),
         ["waechtersbach"], ["Digitaler Rechnungseingang mit Leitweg-ID"], ""),
        ("Austausch: Ehrenamts-Cloud in der Praxis", now - timedelta(days=30),
         ["bad-soden-salmuenster"], ["Ehrenamts-Cloud für die Vereine"],
         "https://video.example.de/aufzeichnung/ehrenamts-cloud"),
    ]  # fmt: skip
    created = 0
    for topic, starts, presenters, practices, recording in plans:
        if ExchangeEvent.objects.filter(topic=topic).exists():
            continue
        event = services.event_save(
            event=None,
            data=EventInput(
                topic=topic, starts_at=starts, duration_minutes=90,
                description="Online-Austausch der Kommunen im Zentrum: Vorstellung, Fragen, "
                "Erfahrungen.",
                online_url="https://video.example.de/izd-austausch",
                recording_url=recording,
                presenter_ids=tuple(towns[s].pk for s in presenters if s in towns),
                practice_ids=tuple(titles[t].pk for t in practices if t in titles),
            ),
            user=coordinator,
        )  # fmt: skip
        if starts > timezone.now():
            officer = _author(towns["waechtersbach"], "Dana Digital")
            EventRegistration.objects.get_or_create(
                event=event, user=officer, defaults={"municipality": towns["waechtersbach"]}
            )
        created += 1
    return created


@transaction.atomic
def practices_demo_load() -> str:
    towns = {m.slug: m for m in Municipality.objects.members()}
    if "waechtersbach" not in towns:
        return "Keine Demo-Kommunen vorhanden: bitte zuerst `load_demo_data` ausführen."
    coordinator = User.objects.filter(kreis_roles__role="coordinator").order_by("pk").first()
    if coordinator is None:
        return "Keine Koordination vorhanden: bitte zuerst `load_demo_data` ausführen."
    for name in PRODUCTS:
        Product.objects.get_or_create(name=name)
    existing = set(PracticeVersion.objects.values_list("title", flat=True))
    created = 0
    for item in PRACTICES:
        if item.title in existing or (item.slug and item.slug not in towns):
            continue
        _practice(item, towns, coordinator)
        created += 1
    events = _events(towns, coordinator)
    adoptions = Adoption.objects.count()
    return (
        f"Praxisbeispiel-Demodaten: {created} neue Praxisbeispiele, {adoptions} Nachnutzungen, "
        f"{events} neue Austauschtermine."
    )
