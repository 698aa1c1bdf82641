"""Demo data: the Main-Kinzig-Kreis with its 29 municipalities and one account per role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tenants.models import KreisRole, Membership, Municipality, User
from tenants.services import (
    kreis_ensure,
    kreis_role_grant,
    membership_grant,
    municipality_import,
    user_create,
)

DEMO_CSV = Path(__file__).resolve().parent / "demo_data" / "main_kinzig_kreis.csv"
DEMO_PASSWORD = "Demo-Portal-2026"  # noqa: S105 - published demo accounts of a local server
DEMO_MUNICIPALITY_SLUG = "waechtersbach"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role_label: str
    kreis_role: str = ""
    membership_role: str = ""


def demo_accounts() -> list[DemoAccount]:
    domain = settings.BASE_DOMAIN if "." in settings.BASE_DOMAIN else "izd.example"
    return [
        DemoAccount(f"koordination@{domain}", "Karla Koordination",
                    "Koordination des Zentrums", kreis_role=KreisRole.Role.COORDINATOR),
        DemoAccount(f"kaemmerei-zentrum@{domain}", "Kurt Kasse",
                    "Kämmerei des Zentrums", kreis_role=KreisRole.Role.CENTRE_TREASURER),
        DemoAccount(f"digital@{DEMO_MUNICIPALITY_SLUG}.{domain}", "Dana Digital",
                    "Digitalisierungsbeauftragte Wächtersbach",
                    membership_role=Membership.Role.DIGITAL_OFFICER),
        DemoAccount(f"kaemmerei@{DEMO_MUNICIPALITY_SLUG}.{domain}", "Tom Taler",
                    "Kämmerei Wächtersbach", membership_role=Membership.Role.TREASURER),
        DemoAccount(f"lesen@{DEMO_MUNICIPALITY_SLUG}.{domain}", "Lea Leser",
                    "Lesezugriff Wächtersbach", membership_role=Membership.Role.READER),
    ]  # fmt: skip


def demo_data_present() -> bool:
    return Municipality.objects.members().exists() and User.objects.exists()


@transaction.atomic
def demo_data_load() -> None:
    rows = DEMO_CSV.read_bytes()
    report = municipality_import(raw=rows)
    if not report.ok:
        raise RuntimeError(f"Demo data are broken: {report.errors}")
    members = Municipality.objects.members()
    kreis_ensure(
        name=settings.KREIS_NAME,
        ags="06435000",
        population=sum(m.population for m in members),
        population_date=date(2022, 12, 31),
    )
    home = members.get(slug=DEMO_MUNICIPALITY_SLUG)
    for account in demo_accounts():
        first, last = account.name.split(" ", 1)
        user = User.objects.filter(email=account.email).first() or user_create(
            email=account.email, password=DEMO_PASSWORD, first_name=first, last_name=last
        )
        if account.kreis_role:
            kreis_role_grant(user=user, role=account.kreis_role)
        if account.membership_role:
            membership_grant(user=user, municipality=home, role=account.membership_role)
