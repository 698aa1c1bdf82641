"""Demo data for roadmap: the catalogue real centres offer, requests of demo municipalities,
measures on a 2026–2028 timeline, and the target picture.

Needs the municipalities from `load_demo_data` (and, for dimension titles, the maturity demo).
Idempotent: services and measures are found by name, a municipality that already has requests
gets no new ones.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from roadmap import services
from roadmap.models import Measure, Priority, RequestStatus, RequestSummary, Service
from roadmap.municipal.models import ServiceRequest
from roadmap.services import MeasureInput, RequestInput
from tenants.models import Membership, Municipality, User
from tenants.selectors import first_digital_officer

DEMO_HOME_SLUG = "waechtersbach"
C = Service.Category
U = Service.Unit
OFFICER = Membership.Role.DIGITAL_OFFICER.value
TREASURER = Membership.Role.TREASURER.value

SERVICES: list[tuple[str, str, str, str, list[str]]] = [
    ("eGovernment-Prozessentwicklung auf Civento",
     "Das Zentrum modelliert Verwaltungsprozesse auf der Digitalisierungsplattform des Landes "
     "Hessen (Civento) und stellt sie als Online-Dienst bereit.",
     C.EGOVERNMENT, U.HOURS, [OFFICER]),
    ("Anbindung von OZG-Onlineanträgen an Fachverfahren",
     "Online-Anträge (OZG) landen ohne Medienbruch im Fachverfahren des Amts, z. B. Gewerbe, "
     "Melde- oder Bauwesen.", C.EGOVERNMENT, U.PROJECTS, [OFFICER]),
    ("Ehrenamts-Cloud für Vereine",
     "Speicher, gemeinsame Kalender und Videokonferenzen für die Vereine der Kommune, "
     "datenschutzkonform betrieben.", C.COMMUNITY, U.ACCOUNTS, [OFFICER]),
    ("Gemeinsamer Informationssicherheitsbeauftragter (ISB)",
     "Ein ISB für mehrere Kommunen: Sicherheitskonzept, Beratung, Vorfallbegleitung.",
     C.SECURITY, U.HOURS, [OFFICER]),
    ("Sicherheitscheck nach BSI WiBA",
     "Weg in die Basis-Absicherung: Prüfung der Kommune mit den WiBA-Checklisten des BSI und "
     "Maßnahmenplan.", C.SECURITY, U.PROJECTS, [OFFICER]),
    ("Geodateninfrastruktur",
     "Geoportal, Bebauungspläne und Fachkarten der Kommune in der gemeinsamen "
     "Geodateninfrastruktur.", C.DATA, U.LICENCES, [OFFICER]),
    ("Schulungen Digitalisierung",
     "Schulungen für Beschäftigte: Online-Dienste, E-Akte, Informationssicherheit, "
     "E-Rechnung.", C.TRAINING, U.HOURS, [OFFICER, TREASURER]),
    ("Arbeitsplatz- und Videokonferenzausstattung",
     "Beschaffung und Einrichtung von Arbeitsplätzen und Konferenzräumen mit Videotechnik.",
     C.INFRASTRUCTURE, U.LICENCES, [OFFICER]),
    ("Smart-Region-Projekte",
     "Gemeinsame Projekte mit Sensorik und offenen Daten, z. B. Pegelmessung oder "
     "Parkraum.", C.SMART_REGION, U.PROJECTS, [OFFICER]),
]  # fmt: skip

# (service index, need, quantity, priority, days ahead, statuses the Kreis moved it through)
REQUESTS = [
    (0, "Bauantrag und Gewerbeanmeldung als Online-Dienst auf Civento.", "40", Priority.HIGH, 120,
     (RequestStatus.IN_REVIEW, RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS)),
    (2, "Zugänge für 25 Vereine mit Kalender und Speicher.", "25", Priority.MEDIUM, 90,
     (RequestStatus.IN_REVIEW, RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS,
      RequestStatus.DONE)),
    (4, "WiBA-Check des Rathauses und der Außenstellen.", "1", Priority.HIGH, 60,
     (RequestStatus.IN_REVIEW,)),
    (6, "Schulung E-Rechnung für die Kämmerei.", "8", Priority.LOW, 45, ()),
    (3, "Gemeinsamer ISB ab dem zweiten Halbjahr.", "60", Priority.MEDIUM, 75,
     (RequestStatus.IN_REVIEW, RequestStatus.ACCEPTED)),
    (8, "Pegelmessung am Kinzigufer mit offenen Daten.", "1", Priority.LOW, 240,
     (RequestStatus.IN_REVIEW, RequestStatus.REJECTED)),
    (7, "Videokonferenzraum im Sitzungssaal.", "1", Priority.LOW, 30,
     (RequestStatus.WITHDRAWN,)),
]  # fmt: skip
# Why a request was declined or withdrawn (both need a reason).
REASONS = {
    RequestStatus.REJECTED: "Für 2026 ausgeplant; der Pilot startet 2027 (siehe Roadmap).",
    RequestStatus.WITHDRAWN: "Die Kommune beschafft den Raum selbst mit Landesmitteln.",
}
# (service index, need, quantity, priority, days ahead, statuses, who moves it, reason):
# with the home town's requests, every status of the workflow appears in the demo.
OTHER_REQUESTS = [
    (1, "Anbindung der Meldeanträge an das Fachverfahren.", "1", Priority.MEDIUM, 150,
     (RequestStatus.IN_REVIEW, RequestStatus.ACCEPTED), True, ""),
    (4, "Sicherheitscheck nach WiBA für die Verwaltung.", "1", Priority.HIGH, 100,
     (RequestStatus.IN_REVIEW, RequestStatus.REJECTED), True,
     "Der WiBA-Check ist für 2026 ausgebucht; bitte für 2027 erneut anfragen."),
    (2, "Ehrenamts-Cloud für die Sportvereine.", "12", Priority.MEDIUM, 80,
     (RequestStatus.WITHDRAWN,), False,
     "Die Vereine nutzen vorerst das Angebot des Sportkreises."),
    (7, "Videokonferenzraum im Rathaus.", "1", Priority.LOW, 200, (), True, ""),
]  # fmt: skip

# (title, dimension key, start, end, status, depends on titles)
MEASURES = [
    ("Civento-Prozessbaukasten aufbauen", "onlinedienste", "2026-Q1", "2026-Q3",
     Measure.Status.IN_PROGRESS, []),
    ("OZG-Anträge an Fachverfahren anbinden", "onlinedienste", "2026-Q3", "2027-Q4",
     Measure.Status.PLANNED, ["Civento-Prozessbaukasten aufbauen"]),
    ("Gemeinsamen ISB bestellen", "sicherheit", "2026-Q1", "2026-Q2", Measure.Status.DONE, []),
    ("WiBA-Checks in allen Kommunen", "sicherheit", "2026-Q3", "2027-Q2",
     Measure.Status.PLANNED, ["Gemeinsamen ISB bestellen"]),
    ("Ehrenamts-Cloud ausrollen", "buergerservice", "2026-Q2", "2026-Q4",
     Measure.Status.IN_PROGRESS, []),
    ("Digitalstrategie des Kreises fortschreiben", "strategie", "2026-Q4", "2027-Q2",
     Measure.Status.PLANNED, []),
    ("Schulungsprogramm Digitale Verwaltung", "personal", "2027-Q1", "2028-Q2",
     Measure.Status.PLANNED, []),
    ("Geodateninfrastruktur erweitern", "daten", "2027-Q2", "2028-Q1", Measure.Status.PLANNED, []),
    ("Smart-Region-Pilot Pegelmessung", "ikz", "2027-Q3", "2028-Q4", Measure.Status.PLANNED,
     ["Geodateninfrastruktur erweitern"]),
]  # fmt: skip

TARGETS = {
    "strategie": (2, 3, 3), "organisation": (2, 2, 3), "personal": (1, 2, 3),
    "onlinedienste": (2, 3, 4), "buergerservice": (2, 3, 3), "infrastruktur": (2, 3, 3),
    "sicherheit": (2, 3, 4), "daten": (1, 2, 3), "ikz": (2, 3, 3),
}  # fmt: skip


def _services() -> list[Service]:
    result = []
    for name, description, category, unit, roles in SERVICES:
        service = Service.objects.filter(name=name).first()
        if service is None:
            service = services.service_save(
                service=Service(
                    name=name,
                    description=description,
                    category=category,
                    unit=unit,
                    requester_roles=roles,
                )
            )
        result.append(service)
    return result


def _demo_officer(municipality: Municipality) -> User:
    """The town's digital officer, or a demo account for it: so that every run files the same
    requests, whichever other demo created officers in between."""
    from django.conf import settings

    from tenants.demo import DEMO_PASSWORD
    from tenants.services import membership_grant, user_create

    existing = first_digital_officer(municipality)
    if existing is not None:
        return existing
    email = f"digital@{municipality.slug}.{settings.BASE_DOMAIN}"
    user = User.objects.filter(email=email).first() or user_create(
        email=email, password=DEMO_PASSWORD, first_name="Digital", last_name=municipality.name
    )
    membership_grant(user=user, municipality=municipality, role=Membership.Role.DIGITAL_OFFICER)
    return user


def _coordinator() -> User | None:
    return User.objects.filter(kreis_roles__role="coordinator").order_by("pk").first()


def _file(
    municipality: Municipality, service: Service, need: str, quantity: str, priority: str,
    days: int,
) -> ServiceRequest | None:  # fmt: skip
    user = first_digital_officer(municipality)
    if user is None:
        return None
    return services.service_request_create(
        municipality=municipality,
        data=RequestInput(
            service_id=service.pk,
            need=need,
            quantity=Decimal(quantity),
            priority=priority,
            wished_date=timezone.localdate() + timedelta(days=days),
        ),
        user=user,
        roles=[Membership.Role.DIGITAL_OFFICER],
    )


def _requests(catalogue: list[Service], members: list[Municipality]) -> int:
    home = next((m for m in members if m.slug == DEMO_HOME_SLUG), members[0])
    others = [m for m in members if m != home][: len(OTHER_REQUESTS)]
    coordinator = _coordinator()
    officer = first_digital_officer(home)
    filed = 0
    if officer is not None and not RequestSummary.objects.filter(municipality=home).exists():
        for index, need, quantity, priority, days, path in REQUESTS:
            request = _file(home, catalogue[index], need, quantity, priority, days)
            if request is None:
                break
            filed += 1
            if coordinator is None:
                continue
            for status in path:
                by_kreis = status != RequestStatus.WITHDRAWN  # the municipality withdraws
                services.service_request_transition(
                    municipality=home, request_id=request.pk, to_status=status,
                    user=coordinator if by_kreis else officer, by_kreis=by_kreis,
                    reason=REASONS.get(status, ""),
                )  # fmt: skip
    for offset, town in enumerate(others):
        if RequestSummary.objects.filter(municipality=town).exists():
            continue
        _demo_officer(town)
        index, need, quantity, priority, days, path, by_kreis, reason = OTHER_REQUESTS[offset]
        request = _file(town, catalogue[index], need, quantity, priority, days)
        if request is None:
            continue
        filed += 1
        mover = coordinator if by_kreis else first_digital_officer(town)
        if mover is None:
            continue
        for status in path:
            services.service_request_transition(
                municipality=town, request_id=request.pk, to_status=status, user=mover,
                by_kreis=by_kreis, reason=reason if status in REASONS else "",
            )  # fmt: skip
    return filed


def _measures(members: list[Municipality]) -> int:
    created = 0
    by_title = {m.title: m for m in Measure.objects.filter(title__in=[t[0] for t in MEASURES])}
    for title, key, start, end, status, depends in MEASURES:
        if title in by_title:
            continue
        participants: tuple[int, ...] = ()
        if key in ("onlinedienste", "buergerservice"):
            participants = tuple(m.pk for m in members[:6])
        by_title[title] = services.measure_save(
            measure=None,
            data=MeasureInput(
                title=title,
                description=f"{title}: Maßnahme des Zentrums.",
                dimension_key=key,
                start_quarter=start,
                end_quarter=end,
                responsible="Koordination IZD",
                status=status,
                municipality_ids=participants,
                depends_on_ids=tuple(by_title[d].pk for d in depends),
            ),
            user=None,
        )
        created += 1
    return created


@transaction.atomic
def roadmap_demo_load() -> str:
    members = list(Municipality.objects.members().order_by("name"))
    if not members:
        return "Keine Kommunen vorhanden: bitte zuerst `load_demo_data` ausführen."
    catalogue = _services()
    filed = _requests(catalogue, members)
    created = _measures(members)
    services.target_levels_set(
        levels={
            (key, 2026 + i): level
            for key, levels in TARGETS.items()
            for i, level in enumerate(levels)
        }
    )
    return (
        f"Roadmap-Demodaten: {len(catalogue)} Leistungen im Katalog, {filed} neue Anfragen, "
        f"{created} neue Maßnahmen (2026–2028), Zielbild 2026–2028."
    )
