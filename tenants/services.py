"""Writes about municipalities, people and their roles."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from tenants.csv_import import ImportRow, RowError
from tenants.csv_import import parse as parse_municipality_csv
from tenants.models import Domain, Invitation, KreisRole, Membership, Municipality, User
from tenants.selectors import portal_url

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug_for(name: str) -> str:
    """The subdomain label of a municipality: `Wächtersbach` → `waechtersbach`."""
    lowered = name.lower().translate(_TRANSLITERATION)
    ascii_only = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:63]


def schema_name_for(ags: str) -> str:
    # The AGS never changes when a town is renamed, so the schema name stays stable.
    return f"gem_{ags}"


def tenant_template_ensure(
    *,
    app_label: str | None = None,
    migration_name: str | None = None,
    verbosity: int = 0,
    **migrate_options: object,
) -> None:
    """Create the template schema that new municipalities are cloned from, and migrate it the
    way the municipality schemas were: to the same target migration when one is given (also
    backwards), else forward to the latest.

    `migrate_options` are the migrate command's own (fake, fake_initial, plan, prune, ...), so
    that the template is treated exactly like every municipality.
    """
    template = settings.TENANT_BASE_SCHEMA
    created = False
    if not schema_exists(template):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{template}"')
        created = True

    def migrate(*args: str) -> None:
        call_command(
            "migrate_schemas",
            *args,
            tenant=True,
            schema_name=template,
            interactive=False,
            verbosity=verbosity,
            **migrate_options,
        )

    if created and app_label:
        # A new template has nothing yet; the municipalities have every other app's tables.
        migrate()
    migrate(*[arg for arg in (app_label, migration_name) if arg])


@dataclass(frozen=True)
class MunicipalityData:
    name: str
    ags: str
    population: int
    population_date: date
    slug: str = ""
    leitweg_id: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""


@transaction.atomic
def municipality_create(*, data: MunicipalityData) -> Municipality:
    """Add a municipality: its record, its schema (cloned from the template) and its domain."""
    slug = data.slug or slug_for(data.name)
    left = Municipality.with_offboarded.filter(offboarded_at__isnull=False)
    gone = left.filter(ags=data.ags).first() or left.filter(slug=slug).first()
    if gone is not None:
        # Its row stays for the Kreis' records; it comes back from its archive, not anew.
        raise ValidationError(
            _(
                "%(name)s (AGS %(ags)s, Subdomain %(slug)s) ist ausgetreten. Bitte ihr Archiv "
                "mit „manage.py import_municipality“ wieder einspielen."
            )
            % {"name": gone.name, "ags": gone.ags, "slug": gone.slug}
        )
    municipality = Municipality(
        kind=Municipality.Kind.MUNICIPALITY,
        schema_name=schema_name_for(data.ags),
        name=data.name,
        slug=slug,
        ags=data.ags,
        population=data.population,
        population_date=data.population_date,
        leitweg_id=data.leitweg_id,
        street=data.street,
        postal_code=data.postal_code,
        city=data.city,
    )
    municipality.full_clean()
    municipality.save(verbosity=0)
    domain = Domain(domain=f"{slug}.{settings.BASE_DOMAIN}", tenant=municipality, is_primary=True)
    domain.full_clean()
    domain.save()
    return municipality


@transaction.atomic
def municipality_update(*, municipality: Municipality, data: MunicipalityData) -> Municipality:
    """Change a municipality's record; its schema and subdomain stay as they are."""
    for field in ("name", "population", "population_date", "leitweg_id", "street"):
        setattr(municipality, field, getattr(data, field))
    municipality.postal_code = data.postal_code
    municipality.city = data.city
    municipality.full_clean()
    municipality.save()
    return municipality


@transaction.atomic
def kreis_ensure(*, name: str, ags: str, population: int, population_date: date) -> Municipality:
    """The public tenant that stands for the Kreis and its domain."""
    kreis, _created = Municipality.objects.update_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={
            "kind": Municipality.Kind.KREIS,
            "name": name,
            "slug": "kreis",
            "ags": ags,
            "population": population,
            "population_date": population_date,
        },
    )
    Domain.objects.update_or_create(
        domain=settings.BASE_DOMAIN, defaults={"tenant": kreis, "is_primary": True}
    )
    return kreis


@transaction.atomic
def user_create(
    *, email: str, password: str | None, first_name: str = "", last_name: str = ""
) -> User:
    user = User(
        email=User.objects.normalize_email(email), first_name=first_name, last_name=last_name
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def membership_grant(*, user: User, municipality: Municipality, role: str) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        user=user, municipality=municipality, role=role
    )
    return membership


@transaction.atomic
def kreis_role_grant(*, user: User, role: str) -> KreisRole:
    kreis_role, _created = KreisRole.objects.get_or_create(user=user, role=role)
    return kreis_role


def _invitation_mail(invitation: Invitation, *, invited_by: User | None) -> None:
    link = portal_url(invitation.municipality, f"/einladung/{invitation.token}/")
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    step = (
        _("melden Sie sich mit Ihrem bestehenden Konto an und nehmen die Einladung an")
        if has_account
        else _("legen Sie Ihr Passwort fest")
    )
    message = _(
        "Guten Tag,\n\n%(inviter)s lädt Sie in das IZD-Portal ein, für %(municipality)s "
        "in der Rolle „%(role)s“.\n\nÜber diesen Link, der einmal gilt und 14 Tage gültig ist, "
        "%(step)s:\n%(link)s\n\nMit freundlichen Grüßen\nIhr IZD-Portal"
    ) % {
        "inviter": invited_by or _("Das IZD-Portal"),
        "municipality": invitation.municipality.name,
        "role": invitation.get_role_display(),
        "step": step,
        "link": link,
    }
    recipient = invitation.email
    transaction.on_commit(
        lambda: send_mail(_("Einladung in das IZD-Portal"), message, None, [recipient])
    )


@transaction.atomic
def invitation_create(
    *, email: str, municipality: Municipality, role: str, invited_by: User
) -> Invitation:
    """Invite a person to a municipality and e-mail the one-time link."""
    invitation = Invitation(
        email=User.objects.normalize_email(email),
        municipality=municipality,
        role=role,
        invited_by=invited_by,
    )
    invitation.full_clean()
    invitation.save()
    _invitation_mail(invitation, invited_by=invited_by)
    return invitation


class InvitationError(ValidationError):
    pass


def _usable_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("municipality")
        .filter(token=token)
        .first()
    )
    if invitation is None or not invitation.is_usable:
        raise InvitationError(_("Diese Einladung ist ungültig, abgelaufen oder schon benutzt."))
    return invitation


def _invitation_use(invitation: Invitation, user: User) -> None:
    membership_grant(user=user, municipality=invitation.municipality, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])


@transaction.atomic
def invitation_accept(*, token: str, password: str, first_name: str, last_name: str) -> User:
    """Use an invitation once for a new person: create the account and grant the membership.

    A person who already has an account signs in and uses `invitation_accept_signed_in`; a
    name and password typed here for an existing account would otherwise be silently ignored.
    """
    invitation = _usable_invitation(token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(
            _("Für %(email)s gibt es schon ein Konto. Bitte melden Sie sich damit an.")
            % {"email": invitation.email}
        )
    user = user_create(
        email=invitation.email, password=password, first_name=first_name, last_name=last_name
    )
    _invitation_use(invitation, user)
    return user


@transaction.atomic
def invitation_accept_signed_in(*, token: str, user: User) -> Membership:
    """Use an invitation once for the signed-in person it was sent to."""
    invitation = _usable_invitation(token)
    if User.objects.normalize_email(user.email) != invitation.email.lower():
        raise InvitationError(
            _(
                "Diese Einladung gilt für %(invited)s, Sie sind aber als %(current)s angemeldet. "
                "Bitte melden Sie sich ab und mit der eingeladenen Adresse wieder an."
            )
            % {"invited": invitation.email, "current": user.email}
        )
    _invitation_use(invitation, user)
    return Membership.objects.get(
        user=user, municipality=invitation.municipality, role=invitation.role
    )


@dataclass
class ImportReport:
    created: list[Municipality]
    updated: list[Municipality]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _row_data(row: ImportRow) -> MunicipalityData:
    return MunicipalityData(
        name=row.name,
        ags=row.ags,
        population=row.population,
        population_date=row.population_date,
        slug=row.slug,
        leitweg_id=row.leitweg_id,
        street=row.street,
        postal_code=row.postal_code,
        city=row.city,
    )


def _conflicts(rows: list[ImportRow], existing: dict[str, Municipality]) -> list[RowError]:
    """Rows whose subdomain would clash with another municipality or another row."""
    errors: list[RowError] = []
    taken = {m.slug: m.ags for m in Municipality.objects.only("slug", "ags")}
    claimed: dict[str, int] = {}
    for row in rows:
        if row.ags in existing:
            continue
        slug = row.slug or slug_for(row.name)
        owner = taken.get(slug)
        if owner is not None and owner != row.ags:
            errors.append(
                RowError(
                    row.line,
                    _("Die Subdomain „%(slug)s“ gehört schon zur Kommune mit AGS %(ags)s.")
                    % {"slug": slug, "ags": owner},
                )
            )
        elif slug in claimed:
            errors.append(
                RowError(
                    row.line,
                    _("Die Subdomain „%(slug)s“ ergibt sich schon aus Zeile %(line)d.")
                    % {"slug": slug, "line": claimed[slug]},
                )
            )
        claimed[slug] = row.line
    return errors


def municipality_import(*, raw: bytes) -> ImportReport:
    """Create or update municipalities from a CSV file: all rows or none."""
    parsed = parse_municipality_csv(raw)
    existing = {m.ags: m for m in Municipality.objects.members()}
    errors = parsed.errors or _conflicts(parsed.rows, existing)
    report = ImportReport(created=[], updated=[], errors=list(errors))
    if errors:
        return report
    try:
        with transaction.atomic():
            for row in parsed.rows:
                _import_row(row, existing, report)
    except ValidationError as error:
        report.created.clear()
        report.updated.clear()
        report.errors.append(RowError(getattr(error, "line", 0), " ".join(error.messages)))
    return report


def _import_row(row: ImportRow, existing: dict[str, Municipality], report: ImportReport) -> None:
    try:
        if row.ags in existing:
            report.updated.append(
                municipality_update(municipality=existing[row.ags], data=_row_data(row))
            )
        else:
            report.created.append(municipality_create(data=_row_data(row)))
    except ValidationError as error:
        error.line = row.line  # type: ignore[attr-defined]
        raise
