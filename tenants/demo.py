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
class DemoSet:
    """One demo centre: its municipalities (CSV), the town with the demo accounts, the Kreis."""

    csv: Path
    home: str
    kreis_name: str
    kreis_ags: str
    only_slugs: tuple[str, ...] = ()


DEMO_SETS = {
    "mkk": DemoSet(DEMO_CSV, DEMO_MUNICIPALITY_SLUG, "Main-Kinzig-Kreis", "06435000"),
    # Seed 003: the KKD of a Landkreis with 19 municipalities (fictitious names).
    "kkd": DemoSet(
        DEMO_CSV.parent / "kkd_landkreis.csv", "talbruecken", "Landkreis Marburg-Biedenkopf",
        "06534000",
    ),
    # Seed 001: six towns of the Main-Kinzig-Kreis run eGov6 together.
    "egov6": DemoSet(
        DEMO_CSV, DEMO_MUNICIPALITY_SLUG, "Main-Kinzig-Kreis", "06435000",
        only_slugs=("bad-orb", "bad-soden-salmuenster", "birstein", "sinntal",
                    "steinau-an-der-strasse", "waechtersbach"),
    ),
}  # fmt: skip


def demo_home(demo: str = "mkk") -> str:
    return DEMO_SETS.get(demo, DEMO_SETS["mkk"]).home


def _rows(demo_set: DemoSet) -> bytes:
    if not demo_set.only_slugs:
        return demo_set.csv.read_bytes()
    lines = demo_set.csv.read_text(encoding="utf-8").splitlines(keepends=True)
    keep = [line for line in lines[1:] if line.split(",")[2] in demo_set.only_slugs]
    return "".join([lines[0], *keep]).encode()


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role_label: str
    kreis_role: str = ""
    membership_role: str = ""


def demo_accounts(home: str = DEMO_MUNICIPALITY_SLUG) -> list[DemoAccount]:
    domain = settings.BASE_DOMAIN if "." in settings.BASE_DOMAIN else "izd.example"
    town = {"waechtersbach": "Wächtersbach", "talbruecken": "Talbrücken"}.get(home, home)
    return [
        DemoAccount(f"koordination@{domain}", "Karla Koordination",
                    "Koordination des Zentrums", kreis_role=KreisRole.Role.COORDINATOR),
        DemoAccount(f"kaemmerei-zentrum@{domain}", "Kurt Kasse",
                    "Kämmerei des Zentrums", kreis_role=KreisRole.Role.CENTRE_TREASURER),
        DemoAccount(f"digital@{home}.{domain}", "Dana Digital",
                    f"Digitalisierungsbeauftragte {town}",
                    membership_role=Membership.Role.DIGITAL_OFFICER),
        DemoAccount(f"kaemmerei@{home}.{domain}", "Tom Taler",
                    f"Kämmerei {town}", membership_role=Membership.Role.TREASURER),
        DemoAccount(f"lesen@{home}.{domain}", "Lea Leser",
                    f"Lesezugriff {town}", membership_role=Membership.Role.READER),
    ]  # fmt: skip


def demo_data_present() -> bool:
    return Municipality.objects.members().exists() and User.objects.exists()


@transaction.atomic
def demo_data_load(demo: str = "mkk") -> None:
    demo_set = DEMO_SETS[demo]
    report = municipality_import(raw=_rows(demo_set))
    if not report.ok:
        raise RuntimeError(f"Demo data are broken: {report.errors}")
    members = Municipality.objects.members()
    kreis_ensure(
        name=settings.KREIS_NAME,
        ags=demo_set.kreis_ags,
        population=sum(m.population for m in members),
        population_date=date(2022, 12, 31),
    )
    home = members.get(slug=demo_set.home)
    for account in demo_accounts(demo_set.home):
        first, last = account.name.split(" ", 1)
        user = User.objects.filter(email=account.email).first() or user_create(
            email=account.email, password=DEMO_PASSWORD, first_name=first, last_name=last
        )
        if account.kreis_role:
            kreis_role_grant(user=user, role=account.kreis_role)
        if account.membership_role:
            membership_grant(user=user, municipality=home, role=account.membership_role)
