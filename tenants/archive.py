"""One municipality's data as one archive: export, import and offboarding.

The archive is a gzipped tar file with a manifest (format version, AGS, schema name, time of
creation, SHA-256 of every member) and, serialised with Django's JSON serializer, one member per
model:

- ``tenant/<model>.json``: every table of the municipality's schema (the tenant-only apps);
- ``public/<model>.json``: its rows in the public schema. Which models these are is found from the
  app registry, never from a list: every public model with a foreign key to the municipality,
  every model with a ``schema_name`` field (documents), and, repeatedly, every model whose rows are
  deleted with such a row (``on_delete=CASCADE``, e.g. the Beratungsfolge of a paper, the
  roadmap's link rows). The tenants app must not import the apps above it, so it finds them here;
- ``public/tenants.user.json``: the people those rows name, with their password hashes, so that
  they can sign in again after a restore into a fresh portal (the archive is therefore kept like
  a backup: mode 0600 in the archive folder, downloadable by the coordinator only);
- ``files/<model>/<pk>/<field>``: the stored bytes of every file field (the papers' PDFs).

Rows the Kreis owns that these rows point to (campaigns, modules, services, paper templates,
frozen versions) are not part of the archive: they are named in the manifest and must exist in
the portal the archive is imported into, with the same ids (the same portal, or a fresh portal
whose Kreis was restored from its own backup). Plain ids inside the municipality's schema
(campaign, question, module, service) follow the same rule. People are matched by e-mail address;
ids that differ are rewritten in the public rows and in the schema's ``*_by_id`` / ``author_id``
columns.

Offboarding writes the archive, deletes the municipality's public rows and drops its schema. Rows
that point to the municipality with ``on_delete=PROTECT`` are the Kreis' records (frozen shares,
decision papers), so they stay, with their Beratungsfolge and their documents; so does the
municipality's row, marked as offboarded, which they need. Importing the archive into the same
portal then re-uses that row and those records.

Long because export, import and offboarding share one archive format (manifest, members, checksums,
the order of the models) and must stay in step: a change to the format is made in this one file.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from izd.errors import validation_message
from izd.exceptions import PortalError
from izd.schemas import activate_public, tenant_schema
from tenants.models import Domain, Municipality, User

FORMAT = "izd-kommunenarchiv"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MUNICIPALITY_MEMBER = "public/tenants.municipality.json"
USERS_MEMBER = "public/tenants.user.json"
ARCHIVE_NAME = re.compile(r"^[0-9]{8}_[a-z0-9-]{1,63}_[0-9]{8}-[0-9]{6}\.tar\.gz$")
# Columns of the municipality's schema that hold a person's id (no foreign key can cross schemas).
USER_ID_COLUMN = re.compile(r"(?:_by|^author)_id$")
USER_FIELDS = [
    "password",
    "last_login",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "date_joined",
]
MAX_MEMBER_SIZE = 512 * 1024 * 1024


class ArchiveError(PortalError):
    """The archive cannot be written or restored; the message is German and says why."""


@dataclass(frozen=True)
class OwnedModel:
    """A public model whose rows belong to one municipality, and how to find them."""

    model: type[models.Model]
    path: str  # lookup from a row to the municipality's pk (or schema name)
    by_schema: bool = False
    kept: bool = False  # stays in the Kreis' records when the municipality leaves

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def rows(self, municipality: Municipality) -> models.QuerySet[Any]:
        value: object = municipality.schema_name if self.by_schema else municipality.pk
        return self.model._base_manager.filter(**{self.path: value})


def _tenant_app_names() -> set[str]:
    return set(settings.TENANT_APPS) - set(settings.SHARED_APPS)


def tenant_models() -> list[type[models.Model]]:
    """Every model whose table lives in the municipality schemas."""
    names = _tenant_app_names()
    return _in_dependency_order(
        [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_config is not None and model._meta.app_config.name in names
        ]
    )


def _public_models() -> list[type[models.Model]]:
    names = _tenant_app_names()
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config is not None
        and model._meta.app_config.name not in names
        and model not in (Municipality, User)
    ]


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _is_protect(fk: models.ForeignKey[Any, Any]) -> bool:
    return fk.remote_field.on_delete is models.PROTECT


def _is_cascade(fk: models.ForeignKey[Any, Any]) -> bool:
    return fk.remote_field.on_delete is models.CASCADE


def outlives_municipality(fk: models.ForeignKey[Any, Any]) -> bool:
    """A link without a database constraint that does nothing on delete marks a record that must
    outlive the municipality (the audit trail keeps its id and name): it is neither exported
    with the municipality nor deleted when the municipality leaves."""
    return fk.remote_field.on_delete is models.DO_NOTHING and not getattr(fk, "db_constraint", True)


def owned_models() -> list[OwnedModel]:
    """The public models holding a municipality's rows, parents before children."""
    found: dict[type[models.Model], OwnedModel] = {}
    candidates = [
        model
        for model in _public_models()
        if not any(
            fk.related_model is Municipality and outlives_municipality(fk)
            for fk in _foreign_keys(model)
        )
    ]
    for model in candidates:
        for fk in _foreign_keys(model):
            if fk.related_model is Municipality:
                found[model] = OwnedModel(model, fk.name, kept=_is_protect(fk))
                break
        else:
            names = {f.name for f in model._meta.concrete_fields}
            if "schema_name" in names:
                found[model] = OwnedModel(model, "schema_name", by_schema=True)
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in found:
                continue
            for fk in _foreign_keys(model):
                parent = found.get(fk.related_model)
                if parent is not None and _is_cascade(fk):
                    found[model] = OwnedModel(
                        model, f"{fk.name}__{parent.path}", parent.by_schema, parent.kept
                    )
                    changed = True
                    break
    ordered = _in_dependency_order(list(found))
    return [found[model] for model in ordered]


def _in_dependency_order(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models whose foreign keys point only to models listed before them."""
    remaining = sorted(models_, key=lambda m: m._meta.label_lower)
    ordered: list[type[models.Model]] = []
    while remaining:
        for model in remaining:
            parents = {fk.related_model for fk in _foreign_keys(model)} - {model}
            if not parents & (set(remaining) - {model}):
                ordered.append(model)
                remaining.remove(model)
                break
        else:
            # A cycle (a practice points to its published version, the version to its practice):
            # order the rest by their required links only; the optional ones are set after all
            # rows are in (`_Deferred`).
            ordered.extend(_in_required_order(remaining))
            break
    return ordered


def _in_required_order(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    remaining = list(models_)
    ordered: list[type[models.Model]] = []
    while remaining:
        for model in remaining:
            parents = {fk.related_model for fk in _foreign_keys(model) if not fk.null} - {model}
            if not parents & (set(remaining) - {model}):
                ordered.append(model)
                remaining.remove(model)
                break
        else:  # required links in a circle cannot be restored row by row; name order
            ordered.extend(remaining)
            break
    return ordered


# --- export ----------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _serialize(rows: Iterable[models.Model], fields: list[str] | None = None) -> bytes:
    text = serializers.serialize("json", rows, fields=fields, indent=1)
    return text.encode()


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _user_id_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.IntegerField)
        and not f.is_relation
        and USER_ID_COLUMN.search(f.name)
    ]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tenant_migrations(schema: str) -> list[str]:
    labels = [
        config.label for config in apps.get_app_configs() if config.name in _tenant_app_names()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            # The schema name is ours (gem_<AGS> or the template), quoted as an identifier.
            f"SELECT app, name FROM {_quote(schema)}.django_migrations WHERE app = ANY(%s) "  # noqa: S608
            "ORDER BY app, name",
            [labels],
        )
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


@dataclass
class _Collected:
    members: dict[str, bytes] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    user_ids: set[int] = field(default_factory=set)
    kreis_refs: dict[str, set[Any]] = field(default_factory=dict)
    missing_files: list[str] = field(default_factory=list)


def _collect_public(municipality: Municipality, collected: _Collected) -> None:
    owned = owned_models()
    owned_set = {o.model for o in owned}
    collected.members[MUNICIPALITY_MEMBER] = _serialize([municipality])
    for item in owned:
        rows = list(item.rows(municipality).order_by("pk"))
        collected.members[f"public/{item.label}.json"] = _serialize(rows)
        collected.counts[item.label] = len(rows)
        for fk in _foreign_keys(item.model):
            target = fk.related_model
            if target is Municipality or target in owned_set:
                continue
            values = {getattr(row, fk.attname) for row in rows} - {None}
            if target is User:
                collected.user_ids |= values
            elif values and not item.model._meta.auto_created:
                # A link row (e.g. a measure naming the municipality) whose Kreis row is gone
                # by the time of the import is left out then; every other reference must exist.
                label = target._meta.label_lower
                collected.kreis_refs.setdefault(label, set()).update(values)
        for file_field in _file_fields(item.model):
            for row in rows:
                stored: FieldFile = getattr(row, file_field.attname)
                if not stored.name:
                    continue
                member = f"files/{item.label}/{row.pk}/{file_field.name}"
                try:
                    with default_storage.open(stored.name, "rb") as handle:
                        collected.members[member] = handle.read()
                except FileNotFoundError:
                    collected.missing_files.append(stored.name)


def _collect_tenant(municipality: Municipality, collected: _Collected) -> list[str]:
    with tenant_schema(municipality):
        for model in tenant_models():
            rows = list(model._base_manager.order_by("pk"))
            label = model._meta.label_lower
            collected.members[f"tenant/{label}.json"] = _serialize(rows)
            collected.counts[label] = len(rows)
            for user_field in _user_id_fields(model):
                collected.user_ids |= {getattr(r, user_field.attname) for r in rows} - {None}
    return _tenant_migrations(municipality.schema_name)


def _kreis_references(refs: dict[str, set[Any]]) -> list[dict[str, Any]]:
    listed = []
    for label in sorted(refs):
        model = apps.get_model(label)
        names = {row.pk: str(row) for row in model._base_manager.filter(pk__in=refs[label])}
        listed += [
            {"model": label, "pk": pk, "label": names.get(pk, "")} for pk in sorted(refs[label])
        ]
    return listed


def archive_dir() -> Path:
    directory = Path(settings.ARCHIVE_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def municipality_export(*, municipality: Municipality, directory: Path | None = None) -> Path:
    """Write the municipality's archive into the archive folder and return its path."""
    if municipality.is_kreis or municipality.offboarded_at is not None:
        raise ArchiveError(_("Nur eine aktive Kommune kann exportiert werden."))
    if not schema_exists(municipality.schema_name):
        raise ArchiveError(
            _("Das Schema %(schema)s der Kommune fehlt.") % {"schema": municipality.schema_name}
        )
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            # One snapshot of the public and the tenant rows, even while people keep working.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _export(municipality, directory)


def _export(municipality: Municipality, directory: Path | None) -> Path:
    collected = _Collected()
    _collect_public(municipality, collected)
    migrations = _collect_tenant(municipality, collected)
    activate_public()
    users = User.objects.filter(pk__in=collected.user_ids).order_by("pk")
    collected.members[USERS_MEMBER] = _serialize(users, USER_FIELDS)
    references = _kreis_references(collected.kreis_refs)
    created = timezone.now()
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created.isoformat(),
        "portal": settings.BASE_DOMAIN,
        "municipality": {
            "ags": municipality.ags,
            "name": municipality.name,
            "slug": municipality.slug,
            "schema_name": municipality.schema_name,
            "pk": municipality.pk,
        },
        "tenant_migrations": migrations,
        "kreis_references": references,
        "counts": collected.counts,
        "missing_files": collected.missing_files,
        "members": {name: _sha256(data) for name, data in sorted(collected.members.items())},
    }
    target_dir = directory or archive_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(created).strftime("%Y%m%d-%H%M%S")
    target = target_dir / f"{municipality.ags}_{municipality.slug}_{stamp}.tar.gz"
    _write_tar(target, manifest, collected.members)
    return target


def _write_tar(target: Path, manifest: dict[str, Any], members: dict[str, bytes]) -> None:
    partial = target.with_name(target.name + ".part")
    with tarfile.open(partial, "w:gz") as tar:
        for name, data in [(MANIFEST, json.dumps(manifest, indent=1).encode()), *members.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
    partial.chmod(0o600)
    partial.replace(target)


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Archive:
    manifest: dict[str, Any]
    members: dict[str, bytes]

    @property
    def municipality(self) -> dict[str, Any]:
        return dict(self.manifest["municipality"])


def _bad(detail: str) -> ArchiveError:
    return ArchiveError(
        _("Die Datei ist kein gültiges Archiv einer Kommune: %(detail)s") % {"detail": detail}
    )


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = tar.extractfile(MANIFEST)
    except KeyError:
        raise _bad(_("das Inhaltsverzeichnis (manifest.json) fehlt.")) from None
    if handle is None:
        raise _bad(_("das Inhaltsverzeichnis (manifest.json) fehlt."))
    try:
        manifest = json.loads(handle.read())
    except ValueError:
        raise _bad(_("das Inhaltsverzeichnis ist kein JSON.")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(_("unbekanntes Format."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _bad(
            _("Formatversion %(found)s, dieses Portal liest Version %(expected)s.")
            % {"found": manifest.get("format_version"), "expected": FORMAT_VERSION}
        )
    if not isinstance(manifest.get("members"), dict) or not isinstance(
        manifest.get("municipality"), dict
    ):
        raise _bad(_("das Inhaltsverzeichnis ist unvollständig."))
    return manifest


def archive_read(path: Path) -> Archive:
    """Open an archive and check its format and the checksum of every member."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            manifest = _read_manifest(tar)
            expected: dict[str, str] = manifest["members"]
            members: dict[str, bytes] = {}
            for info in tar.getmembers():
                if info.name == MANIFEST:
                    continue
                if info.name not in expected or not info.isfile():
                    raise _bad(_("unerwarteter Inhalt „%(name)s“.") % {"name": info.name})
                if info.size > MAX_MEMBER_SIZE:
                    raise _bad(_("„%(name)s“ ist zu groß.") % {"name": info.name})
                handle = tar.extractfile(info)
                data = handle.read() if handle is not None else b""
                if _sha256(data) != expected[info.name]:
                    raise _bad(
                        _("die Prüfsumme von „%(name)s“ stimmt nicht.") % {"name": info.name}
                    )
                members[info.name] = data
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as error:
        if isinstance(error, FileNotFoundError):
            raise ArchiveError(_("Die Datei %(path)s gibt es nicht.") % {"path": path}) from None
        raise _bad(_("die Datei ist beschädigt oder kein tar.gz-Archiv.")) from None
    missing = sorted(set(expected) - set(members))
    if missing:
        raise _bad(_("„%(name)s“ fehlt.") % {"name": missing[0]})
    if MUNICIPALITY_MEMBER not in members or USERS_MEMBER not in members:
        raise _bad(_("die Angaben zur Kommune fehlen."))
    return Archive(manifest=manifest, members=members)


def _deserialize(data: bytes) -> Iterator[Any]:
    yield from serializers.deserialize("json", data.decode(), ignorenonexistent=False)


# --- import ----------------------------------------------------------------------------------


@dataclass
class _Restore:
    archive: Archive
    municipality: Municipality
    users: dict[int, int | None] = field(default_factory=dict)
    pks: dict[str, dict[Any, Any]] = field(default_factory=dict)
    explicit_pk_models: set[type[models.Model]] = field(default_factory=set)
    written_files: list[str] = field(default_factory=list)


def _check_importable(archive: Archive) -> Municipality | None:
    info = archive.municipality
    existing = Municipality.with_offboarded.filter(ags=info.get("ags")).first()
    if existing is not None and existing.offboarded_at is None:
        raise ArchiveError(
            _(
                "Die Kommune mit dem AGS %(ags)s gibt es im Portal schon (%(name)s). "
                "Ein Archiv wird nur für eine ausgetretene oder fehlende Kommune eingespielt."
            )
            % {"ags": info.get("ags"), "name": existing.name}
        )
    slug_owner = (
        Municipality.with_offboarded.filter(slug=info.get("slug")).exclude(ags=info.get("ags"))
    ).first()
    if slug_owner is not None:
        raise ArchiveError(
            _("Die Subdomain „%(slug)s“ gehört schon zur Kommune %(name)s.")
            % {"slug": info.get("slug"), "name": slug_owner.name}
        )
    if schema_exists(str(info.get("schema_name")), case_sensitive=False):
        raise ArchiveError(
            _("Das Schema %(schema)s gibt es schon; bitte zuerst prüfen, woher es stammt.")
            % {"schema": info.get("schema_name")}
        )
    known = set(_tenant_migrations(settings.TENANT_BASE_SCHEMA))
    newer = [m for m in archive.manifest.get("tenant_migrations", []) if m not in known]
    if newer:
        raise ArchiveError(
            _(
                "Das Archiv stammt aus einer neueren Version des Portals (Migration %(name)s "
                "fehlt hier). Bitte zuerst das Portal aktualisieren."
            )
            % {"name": newer[0]}
        )
    missing = []
    for ref in archive.manifest.get("kreis_references", []):
        try:
            model = apps.get_model(str(ref["model"]))
        except (LookupError, ValueError, KeyError):
            missing.append(str(ref.get("model")))
            continue
        if not model._base_manager.filter(pk=ref["pk"]).exists():
            missing.append(f"{model._meta.verbose_name} „{ref.get('label', '')}“ (Nr. {ref['pk']})")
    if missing:
        raise ArchiveError(
            _(
                "Im Portal fehlen Daten des Kreises, auf die das Archiv verweist: %(missing)s. "
                "Bitte zuerst die Daten des Kreises wiederherstellen."
            )
            % {"missing": "; ".join(missing[:10])}
        )
    return existing


def _restore_municipality(archive: Archive, existing: Municipality | None) -> Municipality:
    (item,) = list(_deserialize(archive.members[MUNICIPALITY_MEMBER]))
    restored: Municipality = item.object
    if existing is not None:
        restored.pk = existing.pk
        restored.created_at = existing.created_at
    elif Municipality.with_offboarded.filter(pk=restored.pk).exists():
        restored.pk = None
    restored.offboarded_at = None
    restored.kind = Municipality.Kind.MUNICIPALITY
    restored.full_clean(validate_unique=False)
    models.Model.save_base(restored, raw=True)
    restored._state.adding = False
    restored.create_schema(check_if_exists=False, verbosity=0)
    return restored


def _restore_users(state: _Restore) -> None:
    for item in _deserialize(state.archive.members[USERS_MEMBER]):
        user: User = item.object
        old = user.pk
        found = User.objects.filter(email__iexact=user.email).first()
        if found is not None:
            state.users[old] = found.pk
            continue
        if User.objects.filter(pk=old).exists():
            user.pk = None
        else:
            state.explicit_pk_models.add(User)
        user.is_staff = False
        user.is_superuser = False
        user.email = User.objects.normalize_email(user.email)
        models.Model.save_base(user, raw=True)
        state.users[old] = user.pk


@dataclass(frozen=True)
class _Deferred:
    """An optional link to a row restored later: set once every row is in."""

    model: type[models.Model]
    old_pk: Any
    attname: str
    target_label: str
    old_value: Any


def _remap_foreign_keys(
    state: _Restore, row: models.Model, deferred: list[_Deferred] | None = None
) -> None:
    for fk in _foreign_keys(type(row)):
        value = getattr(row, fk.attname)
        if value is None:
            continue
        target = fk.related_model
        if target is Municipality:
            setattr(row, fk.attname, state.municipality.pk)
            continue
        if target is User:
            mapped = state.users.get(value)
        elif target._meta.label_lower in state.pks:
            mapped = state.pks[target._meta.label_lower].get(value)
        else:
            continue  # a row of the Kreis: checked to exist before the import
        if mapped is None and fk.null and deferred is not None:
            deferred.append(
                _Deferred(type(row), row.pk, fk.attname, target._meta.label_lower, value)
            )
        elif mapped is None and not fk.null:
            raise ArchiveError(
                _("Im Archiv fehlt ein Datensatz, auf den %(model)s verweist.")
                % {"model": row._meta.verbose_name}
            )
        setattr(row, fk.attname, mapped)


def _restore_files(state: _Restore, label: str, old_pk: Any, row: models.Model) -> None:
    for file_field in _file_fields(type(row)):
        stored: FieldFile = getattr(row, file_field.attname)
        member = f"files/{label}/{old_pk}/{file_field.name}"
        if not stored.name or member not in state.archive.members:
            continue
        data = state.archive.members[member]
        if default_storage.exists(stored.name):
            with default_storage.open(stored.name, "rb") as handle:
                if handle.read() == data:
                    continue
        name = default_storage.save(stored.name, ContentFile(data))
        state.written_files.append(name)
        setattr(row, file_field.attname, name)


def _restore_public_rows(state: _Restore) -> None:
    state.pks[Municipality._meta.label_lower] = {
        state.archive.municipality.get("pk"): state.municipality.pk
    }
    items = owned_models()
    owned = {o.model for o in items}
    deferred: list[_Deferred] = []
    for item in items:  # known before any row: a link to a later model is deferred, not kept
        state.pks.setdefault(item.label, {})
    for item in items:
        member = f"public/{item.label}.json"
        mapping: dict[Any, Any] = state.pks.setdefault(item.label, {})
        if member not in state.archive.members:
            continue
        still_there = set(item.rows(state.municipality).values_list("pk", flat=True))
        for deserialized in _deserialize(state.archive.members[member]):
            row = deserialized.object
            old = row.pk
            if old in still_there:  # a kept record of the Kreis (same portal)
                mapping[old] = old
                continue
            if item.model._meta.auto_created and not _link_targets_exist(row, owned):
                continue
            _remap_foreign_keys(state, row, deferred)
            if item.by_schema:
                setattr(row, item.path, state.municipality.schema_name)
            if isinstance(row, Domain):
                row.domain = _domain_here(row.domain, state.archive)
            if item.model._base_manager.filter(pk=old).exists():
                row.pk = None
            else:
                state.explicit_pk_models.add(item.model)
            _restore_files(state, item.label, old, row)
            models.Model.save_base(row, raw=True)
            mapping[old] = row.pk
    for link in deferred:
        new_pk = state.pks[link.model._meta.label_lower].get(link.old_pk, link.old_pk)
        link.model._base_manager.filter(pk=new_pk).update(
            **{link.attname: state.pks.get(link.target_label, {}).get(link.old_value)}
        )


def _link_targets_exist(row: models.Model, owned: set[type[models.Model]]) -> bool:
    for fk in _foreign_keys(type(row)):
        target = fk.related_model
        if target in (Municipality, User) or target in owned:
            continue
        if not target._base_manager.filter(pk=getattr(row, fk.attname)).exists():
            return False
    return True


def _restore_tenant_rows(state: _Restore) -> None:
    with tenant_schema(state.municipality):
        restored = []
        for model in tenant_models():
            member = f"tenant/{model._meta.label_lower}.json"
            if member not in state.archive.members:
                continue
            user_fields = _user_id_fields(model)
            for deserialized in _deserialize(state.archive.members[member]):
                row = deserialized.object
                for user_field in user_fields:
                    value = getattr(row, user_field.attname)
                    if value is not None:
                        setattr(row, user_field.attname, state.users.get(value))
                models.Model.save_base(row, raw=True)
            restored.append(model)
        _reset_sequences(restored)


def _reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _domain_here(domain: str, archive: Archive) -> str:
    """A subdomain of the portal the archive came from, moved to this portal's base domain."""
    source = str(archive.manifest.get("portal", ""))
    if source and domain.endswith(f".{source}"):
        return domain.removesuffix(source) + settings.BASE_DOMAIN
    return domain


def _domains_free(archive: Archive) -> None:
    names = [
        _domain_here(d.object.domain, archive)
        for d in _deserialize(archive.members.get("public/tenants.domain.json", b"[]"))
    ]
    taken = Domain.objects.filter(domain__in=names).values_list("domain", flat=True).first()
    if taken:
        raise ArchiveError(
            _("Die Adresse %(domain)s gehört schon zu einer anderen Kommune.") % {"domain": taken}
        )


def municipality_import(*, path: Path) -> Municipality:
    """Restore an archive: all of it or nothing (a failed import leaves no schema behind)."""
    archive = archive_read(path)
    try:
        existing = _check_importable(archive)
        _domains_free(archive)
    except (serializers.base.DeserializationError, ValueError, KeyError, TypeError) as error:
        raise _bad(
            _("ein Inhalt lässt sich nicht lesen (%(error)s).") % {"error": error}
        ) from error
    state: _Restore | None = None
    try:
        with transaction.atomic():
            municipality = _restore_municipality(archive, existing)
            state = _Restore(archive=archive, municipality=municipality)
            _restore_users(state)
            _restore_public_rows(state)
            _restore_tenant_rows(state)
            activate_public()
            _reset_sequences(state.explicit_pk_models | {Municipality})
    except ArchiveError:
        _remove_files(state)
        raise
    except ValidationError as error:
        _remove_files(state)
        raise ArchiveError(
            _("Das Archiv ließ sich nicht einspielen; nichts wurde übernommen. Grund: %(error)s")
            % {"error": validation_message(error)}
        ) from error
    except (DatabaseError, serializers.base.DeserializationError, ValueError, LookupError) as error:
        _remove_files(state)
        raise ArchiveError(
            _("Das Archiv ließ sich nicht einspielen; nichts wurde übernommen. Grund: %(error)s")
            % {"error": str(error).splitlines()[0] if str(error) else type(error).__name__}
        ) from error
    finally:
        activate_public()
    municipality.refresh_from_db()
    return municipality


def _remove_files(state: _Restore | None) -> None:
    if state is not None:
        _delete_files(state.written_files)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


# --- offboarding -----------------------------------------------------------------------------


def _kept_references(municipality: Municipality, owned: list[OwnedModel]) -> dict[str, set[Any]]:
    """Rows of deleted models that kept records point to (the decided papers' PDFs)."""
    by_model = {o.model: o for o in owned}
    kept: dict[str, set[Any]] = {}
    for item in owned:
        if not item.kept:
            continue
        for fk in _foreign_keys(item.model):
            target = by_model.get(fk.related_model)
            if target is None or target.kept:
                continue
            values = set(item.rows(municipality).values_list(fk.attname, flat=True)) - {None}
            kept.setdefault(target.label, set()).update(values)
    return kept


def _drop_schema(schema_name: str) -> None:
    with connection.cursor() as cursor:
        # Deferred foreign key checks still pending in this transaction would block the drop.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP SCHEMA {_quote(schema_name)} CASCADE")


def municipality_offboard(*, municipality: Municipality) -> Path:
    """The municipality leaves the portal: archive written and kept, schema dropped.

    Frozen shares and decision papers (and the rows they need) stay in the Kreis' records.
    """
    if municipality.is_kreis or municipality.offboarded_at is not None:
        raise ArchiveError(_("Nur eine aktive Kommune kann austreten."))
    removed_files: list[str] = []
    path: Path | None = None
    try:
        with transaction.atomic():
            locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
            # Writers in the schema wait until the schema is gone (and then fail): nothing saved
            # after the archive was written is lost without a trace.
            _lock_tenant_tables(locked.schema_name)
            path = _export(locked, None)
            owned = owned_models()
            keep = _kept_references(locked, owned)
            for item in reversed(owned):
                if item.kept:
                    continue
                rows = item.rows(locked).exclude(pk__in=keep.get(item.label, set()))
                for file_field in _file_fields(item.model):
                    removed_files += [
                        n for n in rows.values_list(file_field.attname, flat=True) if n
                    ]
                rows.delete()
            Municipality.with_offboarded.filter(pk=locked.pk).update(offboarded_at=timezone.now())
            _drop_schema(locked.schema_name)
            transaction.on_commit(lambda: _delete_files(removed_files))
    except Exception:
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    return path


def _lock_tenant_tables(schema_name: str) -> None:
    if not schema_exists(schema_name):
        raise ArchiveError(_("Das Schema %(schema)s der Kommune fehlt.") % {"schema": schema_name})
    tables = [f"{_quote(schema_name)}.{_quote(m._meta.db_table)}" for m in tenant_models()]
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE MODE")


# --- the archive folder ----------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveInfo:
    filename: str
    ags: str
    name: str
    created_at: datetime | None
    size: int


def archive_list() -> list[ArchiveInfo]:
    """The archives in the archive folder, newest first."""
    listed = []
    for path in archive_dir().glob("*.tar.gz"):
        if not ARCHIVE_NAME.match(path.name):
            continue
        name, created = "", None
        try:
            with tarfile.open(path, "r:gz") as tar:
                manifest = _read_manifest(tar)
            name = str(manifest["municipality"].get("name", ""))
            created = datetime.fromisoformat(str(manifest.get("created_at")))
        except (ArchiveError, tarfile.TarError, OSError, ValueError, EOFError):
            pass
        listed.append(
            ArchiveInfo(
                filename=path.name,
                ags=path.name[:8],
                name=name,
                created_at=created,
                size=path.stat().st_size,
            )
        )
    # The name ends in the time of writing: newest first.
    return sorted(listed, key=lambda a: (a.filename[-22:-7], a.filename), reverse=True)


def archive_path(filename: str) -> Path | None:
    """The archive of that name in the archive folder, or None (never a path outside it)."""
    if not ARCHIVE_NAME.match(filename):
        return None
    path = archive_dir() / filename
    return path if path.is_file() else None


def orphan_schemas() -> list[str]:
    """Municipality schemas (gem_…) that no municipality owns."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'gem\\_%%' ORDER BY nspname"
        )
        schemas = [row[0] for row in cursor.fetchall()]
    owned = set(
        Municipality.with_offboarded.filter(
            schema_name__in=schemas, offboarded_at__isnull=True
        ).values_list("schema_name", flat=True)
    )
    return [s for s in schemas if s not in owned]
