"""One municipality's data: export, offboarding, import.

The round trip builds a municipality with data in every app, remembers every page its officer
sees, lets it leave the portal (archive written, schema dropped), imports the archive again and
compares every page.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_exists

from costsharing.models import AllocationLine
from izd.models import Document
from izd.schemas import activate_public, tenant_schema
from maturity.municipal.models import Answer
from roadmap.municipal.models import ServiceRequest
from roadmap.papers.models import Consultation, Paper
from tenants import archive
from tenants.checks import orphan_schema_check
from tenants.models import Domain, Membership, Municipality, User
from tests.conftest import BACKEND, PASSWORD, Portal
from tests.tenants.archive_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive_dir(settings, tmp_path: Path) -> Path:
    settings.ARCHIVE_DIR = tmp_path / "archive"
    return Path(settings.ARCHIVE_DIR)


# --- walking the pages ------------------------------------------------------------------------

SKIPPED = ("/abmelden/", "/healthz", "/anmelden/", "/passwort/", "/einladung/")
CSRF = re.compile(r'(csrfmiddlewaretoken" value=|csrf[-_]?token["\']?\s*[:=]\s*)"[^"]*"', re.I)
NONCE = re.compile(r'nonce="[^"]*"')


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, route)
        else:
            routes.append("/" + route.lstrip("^").rstrip("$"))
    return routes


def _paths(world: World) -> list[str]:
    """Every GET path of the municipality's URLs, parameters filled with its real objects."""
    with tenant_schema(world.town):
        answer_ids = [str(pk) for pk in Answer.objects.values_list("pk", flat=True)[:2]]
    pool = {
        "int": sorted(
            {
                str(v)
                for v in (
                    world.campaign.pk,
                    world.year.year,
                    world.year.pk,
                    world.paper.pk,
                    world.document.pk,
                    world.version.pk,
                    *Consultation.objects.filter(paper=world.paper).values_list("pk", flat=True),
                )
            }
        ),
        "uuid": [str(world.request.pk), *answer_ids],
        "slug": [world.town.slug],
        "str": ["csv", "xlsx", "xml"],
        "path": ["x"],
    }
    paths = set()
    for route in _routes(get_resolver(settings.ROOT_URLCONF).url_patterns):
        if route.startswith(SKIPPED):
            continue
        converters = re.findall(r"<(?:(\w+):)?\w+>", route)
        choices = [pool.get(c or "str", ["x"]) for c in converters]
        for values in itertools.product(*choices):
            parts = re.split(r"<(?:\w+:)?\w+>", route)
            paths.add("".join(p + v for p, v in zip(parts, [*values, ""], strict=True)))
    return sorted(paths)


def _normalised(body: bytes) -> str:
    text = body.decode(errors="replace")
    return NONCE.sub('nonce=""', CSRF.sub(r'\1""', text))


def _snapshot(world: World, paths: list[str]) -> dict[str, tuple[int, str]]:
    """What the officer (and, for the cost pages, the treasurer) gets for every path."""
    pages = {}
    for person in (world.officer, world.treasurer):
        client = Client(HTTP_HOST=f"{world.town.slug}.{settings.BASE_DOMAIN}")
        client.force_login(person, backend=BACKEND)
        for path in paths:
            response = client.get(path)
            kind = response.get("Content-Type", "")
            textual = kind.startswith(("text/html", "application/json", "text/csv"))
            body = response.getvalue() if hasattr(response, "getvalue") else b""
            key = path if person == world.officer else f"treasurer:{path}"
            pages[key] = (response.status_code, _normalised(body) if textual else kind)
    activate_public()
    return pages


def _differences(paths: list[str], before: dict, after: dict) -> str:
    import difflib

    return "\n".join(
        f"{path}: {before[path][0]} → {after[path][0]}\n"
        + "\n".join(
            list(
                difflib.unified_diff(
                    before[path][1].splitlines(), after[path][1].splitlines(), lineterm="", n=1
                )
            )[:40]
        )
        for path in paths
    )


# --- the round trip ---------------------------------------------------------------------------


def test_round_trip_export_offboard_import_shows_every_page_as_before(
    portal: Portal, archive_dir: Path, client_for
):
    world = build_world(portal)
    paths = _paths(world)
    first = _snapshot(world, paths)
    before = _snapshot(world, paths)
    # Pages that change from one visit to the next by themselves (clock, fresh jobs) prove
    # nothing about the archive; everything else must come back exactly.
    stable = {p for p in before if first[p] == before[p]}
    shown = {p for p in stable if before[p][0] == 200}
    assert len(shown) >= 30, sorted(shown)
    for must in ("/", "/reifegrad/", "/roadmap/anfragen/", "/beschlussvorlagen/"):
        assert must in shown
    assert "treasurer:/kosten/" in shown
    assert f"treasurer:/kosten/{world.year.year}/" in shown
    assert f"/roadmap/anfragen/{world.request.pk}/" in shown
    assert f"/beschlussvorlagen/{world.paper.pk}/" in shown
    assert f"/reifegrad/{world.campaign.pk}/" in shown

    schema = world.town.schema_name
    path = archive.municipality_offboard(municipality=world.town)

    # Gone from the portal: schema, domain, memberships, read models.
    assert path.parent == archive_dir and path.exists()
    assert not schema_exists(schema)
    assert schema not in archive.orphan_schemas()
    assert not Domain.objects.filter(tenant_id=world.town.pk).exists()
    assert not Membership.objects.filter(municipality_id=world.town.pk).exists()
    assert not Municipality.objects.filter(pk=world.town.pk).exists()
    assert not Municipality.objects.members().filter(pk=world.town.pk).exists()
    gone = Municipality.with_offboarded.get(pk=world.town.pk)
    assert gone.offboarded_at is not None
    response = client_for(world.officer, gone).get("/")
    assert response.status_code == 404
    # The Kreis' records stay: frozen shares and the decided paper with its PDF.
    assert AllocationLine.objects.filter(municipality_id=world.town.pk).count() == 1
    kept = Paper.objects.get(pk=world.paper.pk)
    assert kept.is_decided and kept.document_id == world.document.pk
    assert Consultation.objects.filter(paper=kept).count() == 3
    assert Document.objects.get(pk=world.document.pk).file.read().startswith(b"%PDF")
    for kreis_path in (
        "/beschlussvorlagen/",
        f"/beschlussvorlagen/{world.paper.pk}/",
        "/kosten/",
        "/kommunen/",
        "/kommunen/archive/",
        "/reifegrad/",
        "/roadmap/",
        "/roadmap/anfragen/",
    ):
        assert client_for(portal.coordinator).get(kreis_path).status_code < 500, kreis_path
    coordinator = client_for(portal.coordinator)
    paper_page = coordinator.get(f"/beschlussvorlagen/{world.paper.pk}/")
    assert paper_page.status_code == 200 and world.town.name in paper_page.content.decode()
    pdf = coordinator.get(f"/beschlussvorlagen/{world.paper.pk}/pdf/herunterladen/")
    assert pdf.status_code == 200
    frozen = client_for(portal.centre_treasurer).get(
        f"/kosten/{world.year.year}/versionen/{world.version.number}/"
    )
    assert frozen.status_code == 200 and world.town.name in frozen.content.decode()

    restored = archive.municipality_import(path=path)
    assert restored.pk == world.town.pk and restored.offboarded_at is None
    assert schema_exists(schema)
    after = _snapshot(world, paths)
    changed = sorted(p for p in stable if after[p] != before[p])
    assert not changed, _differences(changed, before, after)
    assert Municipality.objects.members().filter(pk=world.town.pk).exists()


def test_archive_holds_every_model_that_belongs_to_a_municipality(
    portal: Portal, archive_dir: Path
):
    world = build_world(portal, ags="06435978", year=2088)
    path = archive.municipality_export(municipality=world.town)
    with tarfile.open(path, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        names = set(tar.getnames())
    assert manifest["format"] == archive.FORMAT
    assert manifest["format_version"] == archive.FORMAT_VERSION
    assert manifest["municipality"]["ags"] == "06435978"
    assert manifest["municipality"]["schema_name"] == world.town.schema_name
    assert manifest["created_at"]
    assert names == {"manifest.json", *manifest["members"]}
    empty = [
        label
        for label in [o.label for o in archive.owned_models()]
        + [m._meta.label_lower for m in archive.tenant_models()]
        if manifest["counts"].get(label, 0) == 0
    ]
    assert not empty, f"no rows of {empty}: the test world should fill every model"
    assert f"files/izd.document/{world.document.pk}/file" in names
    users = json.loads(tar_member(path, archive.USERS_MEMBER))
    emails = {u["fields"]["email"] for u in users}
    assert {world.officer.email, world.treasurer.email} <= emails
    officer = next(u for u in users if u["fields"]["email"] == world.officer.email)
    assert officer["fields"]["password"].startswith("argon2")
    assert "is_superuser" not in officer["fields"]
    assert (path.stat().st_mode & 0o077) == 0


def tar_member(path: Path, name: str) -> bytes:
    with tarfile.open(path, "r:gz") as tar:
        handle = tar.extractfile(name)
        assert handle is not None
        return handle.read()


def _rows_of_a_municipality(model: type[models.Model]) -> set[str]:
    """Labels of the tables whose rows name a municipality: by a foreign key or one-to-one
    field, by a many-to-many field (its link table) or by a schema name."""
    labels = set()
    for field in model._meta.get_fields():
        if not field.is_relation or field.related_model is not Municipality:
            continue
        if field.many_to_many and field.concrete:
            labels.add(field.remote_field.through._meta.label_lower)  # type: ignore[union-attr]
        elif (field.many_to_one or field.one_to_one) and field.concrete:
            labels.add(model._meta.label_lower)
    if any(f.name == "schema_name" for f in model._meta.concrete_fields):
        labels.add(model._meta.label_lower)
    return labels


def test_every_public_model_referencing_a_municipality_is_in_the_archive():
    """A new model that points to a municipality must be exported (found by the registry) and
    someone must decide whether it stays in the Kreis' records when a municipality leaves."""
    tenant_apps = set(settings.TENANT_APPS) - set(settings.SHARED_APPS)
    public = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config.name not in tenant_apps and m not in (Municipality,)
    ]
    referencing = set().union(*(_rows_of_a_municipality(m) for m in public))
    owned = {o.label: o for o in archive.owned_models()}
    # Records that outlive the municipality by design (no constraint, nothing done on delete):
    # only the audit trail, which must survive the municipality it speaks about.
    outliving = {
        m._meta.label_lower
        for m in public
        for f in m._meta.concrete_fields
        if isinstance(f, models.ForeignKey)
        and f.related_model is Municipality
        and archive.outlives_municipality(f)
    }
    assert outliving == {"audit.auditentry"}
    assert referencing - outliving <= set(owned), sorted(referencing - outliving - set(owned))
    # Kept at offboarding: the frozen shares and the papers (PROTECT), with their Beratungsfolge.
    # A new model here needs a decision: PROTECT keeps its rows, CASCADE deletes them.
    assert {label for label, o in owned.items() if o.kept} == {
        "costsharing.allocationline",
        "roadmap_papers.paper",
        "roadmap_papers.consultation",
    }
    assert set(owned) == {
        "costsharing.allocationline",
        "costsharing.memberprofile",
        "costsharing.modulemembership",
        "costsharing.populationfigure",
        "costsharing.usagerecord",
        "izd.document",
        "maturity.participation",
        "roadmap.measure_municipalities",
        "roadmap.measure_requests",
        "roadmap.requestsummary",
        "roadmap_papers.committee",
        "roadmap_papers.consultation",
        "roadmap_papers.meeting",
        "roadmap_papers.numberingscheme",
        "roadmap_papers.paper",
        "roadmap_practices.adoption",
        "roadmap_practices.attachment",
        "roadmap_practices.eventregistration",
        "roadmap_practices.exchangeevent_practices",
        "roadmap_practices.exchangeevent_presenters",
        "roadmap_practices.practice",
        "roadmap_practices.practiceversion",
        "roadmap_practices.practiceversion_products",
        "roadmap_practices.question",
        "tenants.domain",
        "tenants.invitation",
        "tenants.membership",
    }, "a new public model belongs to a municipality: check export, import and offboarding"


# --- a fresh portal -----------------------------------------------------------------------------


def _forget_everything(world: World) -> None:
    """As if the archive were taken to a portal that never knew the municipality."""
    town = Municipality.with_offboarded.get(pk=world.town.pk)
    AllocationLine.objects.filter(municipality=town).delete()
    Paper.objects.filter(municipality=town).delete()
    Document.objects.filter(schema_name=town.schema_name).delete()
    Domain.objects.filter(tenant=town).delete()
    Municipality.with_offboarded.filter(pk=town.pk).delete()
    User.objects.filter(pk__in=[world.officer.pk, world.treasurer.pk]).delete()


def test_import_into_a_portal_that_never_knew_the_municipality(portal: Portal, archive_dir: Path):
    world = build_world(portal, ags="06435979", year=2089)
    path = archive.municipality_offboard(municipality=world.town)
    _forget_everything(world)
    # Another person now has the officer's old id: the import must give the officer a new one.
    User.objects.create(pk=world.officer.pk, email="someone-else@test.example")

    def from_another_portal(manifest, members):
        # The archive was written by a portal on another base domain.
        manifest["portal"] = "alt.example"
        name = "public/tenants.domain.json"
        members[name] = members[name].replace(settings.BASE_DOMAIN.encode(), b"alt.example")
        manifest["members"][name] = archive._sha256(members[name])

    moved = _rewrite(path, path.with_name("moved.tar.gz"), from_another_portal)
    call_command("import_municipality", str(moved), stdout=io.StringIO())

    town = Municipality.objects.get(ags="06435979")
    assert Domain.objects.get(tenant=town).domain == f"{town.slug}.{settings.BASE_DOMAIN}"
    officer = User.objects.get(email=world.officer.email)
    assert officer.pk != world.officer.pk
    assert officer.check_password(PASSWORD), "members sign in again with their password"
    assert not officer.is_superuser
    assert Membership.objects.filter(user=officer, municipality=town).exists()
    paper = Paper.objects.get(municipality=town)
    assert paper.decision_recorded_by_id == portal.coordinator.pk
    assert paper.document is not None and paper.document.file.read().startswith(b"%PDF")
    with tenant_schema(town):
        request = ServiceRequest.objects.get(pk=world.request.pk)
        assert request.requested_by_id == officer.pk
    activate_public()
    # The sequences follow the restored ids: new rows get fresh ones.
    from roadmap import services as roadmap_services

    roadmap_services.comment_add(
        municipality=town, request_id=world.request.pk, user=officer, text="Neu.", by_kreis=False
    )
    membership = Membership.objects.create(
        user=portal.stranger, municipality=town, role=Membership.Role.READER
    )
    assert membership.pk
    client = Client(HTTP_HOST=f"{town.slug}.{settings.BASE_DOMAIN}")
    signed_in = client.post("/anmelden/", {"username": world.officer.email, "password": PASSWORD})
    assert signed_in.status_code == 302, "members sign in again with their password"
    page = client.get(f"/roadmap/anfragen/{world.request.pk}/")
    assert page.status_code == 200
    assert "Bitte bald." in page.content.decode()
    activate_public()


# --- refusals -----------------------------------------------------------------------------------


def _rewrite(path: Path, target: Path, change) -> Path:
    """Copy an archive, letting `change(manifest, members)` alter it."""
    with tarfile.open(path, "r:gz") as tar:
        members = {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
        }
    manifest = json.loads(members.pop("manifest.json"))
    change(manifest, members)
    archive._write_tar(target, manifest, members)
    return target


def test_import_refuses_an_existing_municipality_in_german(portal: Portal, archive_dir: Path):
    world = build_world(portal, ags="06435980", year=2090)
    path = archive.municipality_export(municipality=world.town)
    with pytest.raises(CommandError, match="gibt es im Portal schon"):
        call_command("import_municipality", str(path))
    assert schema_exists(world.town.schema_name)


def test_import_refuses_a_damaged_or_foreign_archive(portal: Portal, archive_dir: Path, tmp_path):
    world = build_world(portal, ags="06435981", year=2091)
    path = archive.municipality_offboard(municipality=world.town)

    def flip(manifest, members):
        name = next(n for n in members if n.startswith("tenant/"))
        members[name] = members[name].replace(b"1", b"2", 1)

    with pytest.raises(archive.ArchiveError, match="Prüfsumme"):
        archive.municipality_import(path=_rewrite(path, tmp_path / "a.tar.gz", flip))

    def newer(manifest, members):
        manifest["format_version"] = 99

    with pytest.raises(archive.ArchiveError, match="Formatversion 99"):
        archive.municipality_import(path=_rewrite(path, tmp_path / "b.tar.gz", newer))

    not_an_archive = tmp_path / "c.tar.gz"
    not_an_archive.write_bytes(b"PK\x03\x04 nope")
    with pytest.raises(archive.ArchiveError, match=r"kein tar\.gz"):
        archive.municipality_import(path=not_an_archive)
    assert not schema_exists(world.town.schema_name)
    assert Municipality.with_offboarded.get(pk=world.town.pk).offboarded_at is not None


def test_a_failing_import_leaves_nothing_behind(portal: Portal, archive_dir: Path, tmp_path):
    world = build_world(portal, ags="06435982", year=2092)
    path = archive.municipality_offboard(municipality=world.town)

    def unknown_column(manifest, members):
        # Valid checksums, but the last tenant table has a column this portal does not know.
        name = sorted(n for n in members if n.startswith("tenant/roadmap"))[-1]
        rows = json.loads(members[name])
        rows[-1]["fields"]["no_such_column"] = 1
        members[name] = json.dumps(rows).encode()
        manifest["members"][name] = archive._sha256(members[name])

    broken = _rewrite(path, tmp_path / "broken.tar.gz", unknown_column)
    files_before = Document.objects.count()
    with pytest.raises(archive.ArchiveError, match="nichts wurde übernommen"):
        archive.municipality_import(path=broken)
    assert not schema_exists(world.town.schema_name)
    assert Municipality.with_offboarded.get(pk=world.town.pk).offboarded_at is not None
    assert not Membership.objects.filter(municipality_id=world.town.pk).exists()
    assert Document.objects.count() == files_before
    # The intact archive still restores.
    archive.municipality_import(path=path)
    assert schema_exists(world.town.schema_name)


def test_a_new_municipality_with_the_ags_of_one_that_left_is_refused(
    portal: Portal, archive_dir: Path
):
    from django.core.exceptions import ValidationError

    from tenants.services import MunicipalityData, municipality_create

    world = build_world(portal, ags="06435983", year=2093)
    archive.municipality_offboard(municipality=world.town)
    with pytest.raises(ValidationError, match="ist ausgetreten"):
        municipality_create(
            data=MunicipalityData(
                name="Neu", ags="06435983", population=5, population_date=world.town.population_date
            )
        )


def test_orphan_schemas_are_listed_and_reported_by_the_database_check(portal: Portal):
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "gem_09999999"')
    assert "gem_09999999" in archive.orphan_schemas()
    warnings = orphan_schema_check()
    assert [w.id for w in warnings if w.obj == "gem_09999999"] == ["tenants.W001"]
    assert portal.a.schema_name not in archive.orphan_schemas()


def test_the_test_database_has_no_orphan_schema(portal: Portal):
    assert archive.orphan_schemas() == []


# --- commands and pages -------------------------------------------------------------------------


def test_export_command_writes_an_archive_and_refuses_unknown_slugs(
    portal: Portal, archive_dir: Path
):
    out = io.StringIO()
    call_command("export_municipality", portal.a.slug, stdout=out)
    (written,) = archive_dir.glob("*.tar.gz")
    assert written.name in out.getvalue()
    assert archive.archive_read(written).municipality["ags"] == portal.a.ags
    with pytest.raises(CommandError, match="Keine aktive Kommune"):
        call_command("export_municipality", "gibt-es-nicht")


def test_coordinator_offboards_after_typing_the_name_and_downloads_the_archive(
    portal: Portal, archive_dir: Path, client_for
):
    world = build_world(portal, ags="06435984", year=2094)
    client = client_for(portal.coordinator)
    detail = client.get(f"/kommunen/{world.town.slug}/")
    assert "Kommune austreten lassen" in detail.content.decode()
    url = f"/kommunen/{world.town.slug}/austritt/"
    assert client.get(url).status_code == 200

    wrong = client.post(url, {"confirm_name": "Irgendwas"})
    assert wrong.status_code == 400
    assert "stimmt nicht" in wrong.content.decode()
    assert schema_exists(world.town.schema_name)
    assert not list(archive_dir.glob("*.tar.gz"))

    done = client.post(url, {"confirm_name": world.town.name}, follow=True)
    assert done.status_code == 200
    body = done.content.decode()
    assert "ist ausgetreten" in body
    assert not schema_exists(world.town.schema_name)
    (written,) = archive_dir.glob("*.tar.gz")
    assert written.name in body and world.town.name in body

    download = client.get(f"/kommunen/archive/{written.name}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == written.read_bytes()
    assert client.get("/kommunen/archive/..%2F..%2Fsecret_key/").status_code == 404
    assert client.get(f"/kommunen/{world.town.slug}/").status_code == 404


@pytest.mark.parametrize("person", ["centre_treasurer", "officer_a"])
def test_only_the_coordinator_offboards_or_sees_archives(portal: Portal, client_for, person):
    client = client_for(getattr(portal, person))
    assert client.post(
        f"/kommunen/{portal.a.slug}/austritt/", {"confirm_name": portal.a.name}
    ).status_code in (403, 404)
    assert client.get("/kommunen/archive/").status_code in (403, 404)
    assert schema_exists(portal.a.schema_name)


def test_import_needs_the_kreis_rows_but_not_a_measure_deleted_meanwhile(
    portal: Portal, archive_dir: Path
):
    from roadmap.models import Measure, Service

    world = build_world(portal, ags="06435985", year=2095)
    path = archive.municipality_offboard(municipality=world.town)
    service = Service.objects.get(name__startswith="Archivleistung", requests=None)
    service_pk = service.pk
    service.delete()
    with pytest.raises(archive.ArchiveError, match="Im Portal fehlen Daten des Kreises") as refused:
        archive.municipality_import(path=path)
    assert service.name in str(refused.value)
    assert not schema_exists(world.town.schema_name)

    service.pk = service_pk
    service.save()
    measure = Measure.objects.get(title__startswith="Archivmaßnahme")
    measure.delete()
    restored = archive.municipality_import(path=path)
    assert not Measure.objects.filter(municipalities=restored).exists()
    with tenant_schema(restored):
        assert ServiceRequest.objects.filter(pk=world.request.pk).exists()
    activate_public()


def test_offboard_command_wants_the_name_and_leaves_no_schema(portal: Portal, archive_dir: Path):
    world = build_world(portal, ags="06435986", year=2096)
    with pytest.raises(CommandError, match="Namen genau"):
        call_command("offboard_municipality", world.town.slug, confirm="falsch")
    assert schema_exists(world.town.schema_name)
    out = io.StringIO()
    call_command("offboard_municipality", world.town.slug, confirm=world.town.name, stdout=out)
    assert "ist ausgetreten" in out.getvalue()
    assert not schema_exists(world.town.schema_name)
    assert world.town.schema_name not in archive.orphan_schemas()
    assert len(list(archive_dir.glob("*.tar.gz"))) == 1
