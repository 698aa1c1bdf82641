"""Writes about municipalities, people and their roles.

Long because it holds the writes about municipalities (onboarding, CSV import, updates) and about
people (roles, removals, invitations, accounts); the people rules are gathered on purpose, so that
every page and caller applies the same ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import schema_exists

from izd.audit import recording as audit
from izd.errors import validation_message
from izd.exceptions import PortalError
from izd.mail import mail_after_commit
from tenants import onboarding
from tenants.csv_import import ImportRow, RowError
from tenants.csv_import import parse as parse_municipality_csv
from tenants.inputs import MunicipalityData
from tenants.models import Domain, Invitation, KreisRole, Membership, Municipality, User
from tenants.onboarding import MUNICIPALITY_FIELDS, OnboardingResult, slug_for
from tenants.selectors import portal_url


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


@transaction.atomic
def municipality_create(*, data: MunicipalityData) -> Municipality:
    """Add a municipality: its record, its schema (cloned from the template), its domain and
    the audit entry, all or nothing (tenants.onboarding)."""
    result = onboarding.onboard([data])
    if result.failures:
        raise result.failures[0].error
    return result.created[0]


def municipality_create_many(*, data: Sequence[MunicipalityData]) -> OnboardingResult:
    """Add many municipalities at once, each as `municipality_create` would, in a transaction of
    its own and, outside a transaction, several at a time. A municipality that fails is in
    `failures` with the reason, and nothing of it is left; the others are created."""
    return onboarding.onboard(data)


@transaction.atomic
def municipality_update(*, municipality: Municipality, data: MunicipalityData) -> Municipality:
    """Change a municipality's record; its schema and subdomain stay as they are."""
    before = audit.snapshot(municipality, *MUNICIPALITY_FIELDS)
    for field in ("name", "population", "population_date", "leitweg_id", "street"):
        setattr(municipality, field, getattr(data, field))
    municipality.postal_code = data.postal_code
    municipality.city = data.city
    return audit.save_recorded(
        municipality, "municipality_update", audit.Kind.MUNICIPALITY,
        summary=f"Stammdaten von {municipality.name} geändert", fields=MUNICIPALITY_FIELDS,
        before=before, municipality=municipality,
    )  # fmt: skip


@transaction.atomic
def kreis_ensure(*, name: str, ags: str, population: int, population_date: date) -> Municipality:
    """The public tenant that stands for the Kreis and its domain."""
    fields = ("name", "ags", "population", "population_date")
    existing = Municipality.objects.filter(schema_name=settings.PUBLIC_SCHEMA_NAME).first()
    before = audit.snapshot(existing, *fields)
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
    if audit.diff(before, audit.snapshot(kreis, *fields)):
        audit.record(
            action="kreis_ensure",
            kind=audit.Kind.MUNICIPALITY,
            summary=f"Kreis {name} " + ("geändert" if existing else "angelegt"),
            target=kreis,
            fields=fields,
            before=before,
            municipality=None,
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
    return audit.save_recorded(
        user, "user_create", audit.Kind.MEMBERSHIP, f"Konto für {user.email}",
        fields=("email", "first_name", "last_name"), before={},
    )  # fmt: skip


def _record_person(
    action: str,
    target: Membership | Invitation,
    summary: str,
    changes: list[dict[str, str]],
    actor: object = audit.UNSET,
) -> None:
    """A change to a person's membership or invitation, recorded for its municipality as
    "<summary>: <e-mail>, <municipality>"."""
    if isinstance(target, Invitation):
        email, label = target.email, f"Einladung {target.email}"
    else:
        email = label = target.user.email
    name = target.municipality.name
    audit.record(
        action=action,
        kind=audit.Kind.MEMBERSHIP,
        summary=f"{summary}: {email}, {name}",
        target=target,
        object_label=f"{label} – {name}",
        changes=changes,
        municipality=target.municipality,
        actor=actor,
    )


def _record_membership(
    action: str,
    membership: Membership,
    summary: str,
    before: str,
    after: str,
    actor: object = audit.UNSET,
) -> None:
    changes = [{"field": "Rolle", "before": before, "after": after}]
    _record_person(action, membership, summary, changes, actor)


@transaction.atomic
def membership_grant(*, user: User, municipality: Municipality, role: str) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, municipality=municipality, role=role
    )
    if created:
        _record_membership(
            "membership_grant", membership, "Rolle vergeben", "", membership.get_role_display()
        )
    return membership


@transaction.atomic
def kreis_role_grant(*, user: User, role: str) -> KreisRole:
    kreis_role, created = KreisRole.objects.get_or_create(user=user, role=role)
    if created:
        audit.record(
            action="kreis_role_grant",
            kind=audit.Kind.MEMBERSHIP,
            summary=f"Rolle im Kreis vergeben: {user.email}",
            target=kreis_role,
            object_label=f"{user.email} – Kreis",
            changes=[{"field": "Rolle", "before": "", "after": kreis_role.get_role_display()}],
            municipality=None,
        )
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
    mail_after_commit(_("Einladung in das IZD-Portal"), message, [invitation.email])


@transaction.atomic
def invitation_create(
    *, email: str, municipality: Municipality, role: str, invited_by: User
) -> Invitation:
    """Invite a person to a municipality and e-mail the one-time link."""
    _require_may_manage(actor=invited_by, municipality=municipality, role=role)
    invitation = Invitation(
        email=User.objects.normalize_email(email),
        municipality=municipality,
        role=role,
        invited_by=invited_by,
    )
    invitation.full_clean()
    invitation.save()
    _invitation_mail(invitation, invited_by=invited_by)
    _record_invitation("invitation_create", invitation, "Einladung verschickt", invited_by)
    return invitation


def _record_invitation(action: str, invitation: Invitation, summary: str, actor: object) -> None:
    changes = [
        {"field": "Rolle", "before": "", "after": invitation.get_role_display()},
        {"field": "gültig bis", "before": "", "after": audit.display(invitation.expires_at)},
    ]
    _record_person(action, invitation, summary, changes, actor)


class InvitationError(PortalError):
    """An invitation that cannot be used (any more), or not by this person."""

    status = 404


INVITATION_UNUSABLE = gettext_lazy(
    "Diese Einladung ist ungültig, abgelaufen oder wurde schon benutzt. Bitte wenden Sie sich "
    "an die Koordination des Zentrums, um eine neue Einladung zu erhalten."
)


def _usable_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("municipality")
        .filter(token=token)
        .first()
    )
    if invitation is None or not invitation.is_usable:
        raise InvitationError(str(INVITATION_UNUSABLE))
    return invitation


def _invitation_use(invitation: Invitation, user: User) -> None:
    membership_grant(user=user, municipality=invitation.municipality, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    accepted = audit.display(invitation.accepted_at)
    changes = [{"field": "angenommen", "before": "", "after": accepted}]
    _record_person("invitation_accept", invitation, "Einladung angenommen", changes, user)


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
            % {"email": invitation.email},
            409,
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
            % {"invited": invitation.email, "current": user.email},
            403,
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

    @property
    def partly(self) -> bool:
        """Some rows were written although others failed while being written."""
        return bool(self.errors and (self.created or self.updated))


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
    """Create or update municipalities from a CSV file.

    Every row is checked before anything is written: a file with an error imports nothing.
    Then the changes to known municipalities are saved in one transaction, and the new ones are
    created as `municipality_create_many` does; a new one that fails even so (its schema name
    taken meanwhile, say) is reported with its line and left out wholly, the others stay.
    """
    parsed = parse_municipality_csv(raw)
    existing = {m.ags: m for m in Municipality.objects.members()}
    errors = parsed.errors or _conflicts(parsed.rows, existing)
    report = ImportReport(created=[], updated=[], errors=list(errors))
    if errors:
        return report
    new_rows = [row for row in parsed.rows if row.ags not in existing]
    try:
        plan = onboarding.prepare(new_rows)
    except ValidationError as error:
        report.errors.append(RowError(0, validation_message(error)))
        return report
    if plan.failures:
        report.errors += [RowError(new_rows[f.position].line, f.message) for f in plan.failures]
        return report
    try:
        with transaction.atomic():
            for row in parsed.rows:
                if row.ags in existing:
                    report.updated.append(_import_update(row, existing[row.ags]))
    except ValidationError as error:
        report.updated.clear()
        report.errors.append(RowError(getattr(error, "line", 0), validation_message(error)))
        return report
    result = onboarding.write(plan)
    report.created = result.created
    report.errors += [RowError(new_rows[f.position].line, f.message) for f in result.failures]
    return report


def _import_update(row: ImportRow, municipality: Municipality) -> Municipality:
    try:
        return municipality_update(municipality=municipality, data=row)
    except ValidationError as error:
        error.line = row.line  # type: ignore[attr-defined]
        raise


# People: roles, removals, invitations and accounts. The rules live here, so that the
# coordinator's page, an officer's page and any later caller cannot drift apart.

# A person may hand out a municipality role only up to their own.
_ROLE_RANK: dict[str, int] = {
    Membership.Role.READER: 1,
    Membership.Role.TREASURER: 2,
    Membership.Role.DIGITAL_OFFICER: 3,
}


class PeopleError(PortalError):
    """A change to people that a rule forbids, with a German message for the page."""


def people_may_manage(*, actor: User, municipality: Municipality, role: str) -> bool:
    """The coordinator manages everybody; a municipality's digital officer manages the
    colleagues of their own municipality up to their own role."""
    if KreisRole.objects.filter(user=actor, role=KreisRole.Role.COORDINATOR).exists():
        return True
    own = set(
        Membership.objects.filter(user=actor, municipality=municipality).values_list(
            "role", flat=True
        )
    )
    if Membership.Role.DIGITAL_OFFICER not in own:
        return False
    return _ROLE_RANK.get(role, 99) <= max(_ROLE_RANK[r] for r in own)


def _require_may_manage(*, actor: User, municipality: Municipality, role: str) -> None:
    if not people_may_manage(actor=actor, municipality=municipality, role=role):
        raise PermissionDenied(
            _("Sie dürfen diese Rolle für %(name)s nicht vergeben oder entziehen.")
            % {"name": municipality.name}
        )


def _keeps_an_officer(membership: Membership) -> None:
    """A municipality never loses its last active digital officer by a removal or demotion:
    nobody there could invite anyone any more. The successor is invited first."""
    if membership.role != Membership.Role.DIGITAL_OFFICER:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(
            municipality_id=membership.municipality_id,
            role=Membership.Role.DIGITAL_OFFICER,
            user__is_active=True,
        )
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise PeopleError(
            _(
                "%(person)s ist die letzte Person mit der Rolle Digitalisierungsbeauftragte/r "
                "für %(name)s. Bitte zuerst eine Nachfolge einladen und annehmen lassen."
            )
            % {"person": membership.user, "name": membership.municipality.name}
        )


def _notify(user_email: str, subject: str, body: str) -> None:
    text = _("Guten Tag,\n\n%(body)s\n\nMit freundlichen Grüßen\nIhr IZD-Portal") % {"body": body}
    mail_after_commit(subject, text, [user_email])


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, actor: User) -> Membership:
    if role not in Membership.Role.values:
        raise PeopleError(_("Diese Rolle gibt es nicht."))
    _require_may_manage(actor=actor, municipality=membership.municipality, role=membership.role)
    _require_may_manage(actor=actor, municipality=membership.municipality, role=role)
    if role == membership.role:
        return membership
    if Membership.objects.filter(
        user_id=membership.user_id, municipality_id=membership.municipality_id, role=role
    ).exists():
        raise PeopleError(_("%(person)s hat diese Rolle schon.") % {"person": membership.user})
    _keeps_an_officer(membership)
    old_label = membership.get_role_display()
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    _record_membership(
        "membership_role_change",
        membership,
        "Rolle geändert",
        old_label,
        membership.get_role_display(),
        actor,
    )
    _notify(
        membership.user.email,
        _("Ihre Rolle im IZD-Portal wurde geändert"),
        _("Ihre Rolle für %(name)s wurde von „%(old)s“ in „%(new)s“ geändert (durch %(actor)s).")
        % {
            "name": membership.municipality.name,
            "old": old_label,
            "new": membership.get_role_display(),
            "actor": actor,
        },
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    _require_may_manage(actor=actor, municipality=membership.municipality, role=membership.role)
    _keeps_an_officer(membership)
    email, name, label = (
        membership.user.email,
        membership.municipality.name,
        membership.get_role_display(),
    )
    _record_membership("membership_remove", membership, "Rolle entfernt", label, "", actor)
    membership.delete()
    _notify(
        email,
        _("Ihr Zugang im IZD-Portal wurde geändert"),
        _("Ihre Rolle „%(role)s“ für %(name)s wurde entfernt (durch %(actor)s).")
        % {"role": label, "name": name, "actor": actor},
    )


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """A fresh link, valid for 14 days again; the old link stops working."""
    _require_may_manage(actor=actor, municipality=invitation.municipality, role=invitation.role)
    if invitation.accepted_at is not None:
        raise PeopleError(_("Diese Einladung wurde schon angenommen."))
    fresh = Invitation(
        email=invitation.email,
        municipality=invitation.municipality,
        role=invitation.role,
        invited_by=actor,
    )
    expired_before = invitation.expires_at
    invitation.token = fresh.token
    invitation.expires_at = fresh.expires_at
    invitation.invited_by = actor
    invitation.full_clean()
    invitation.save(update_fields=["token", "expires_at", "invited_by"])
    _invitation_mail(invitation, invited_by=actor)
    changes = audit.diff(
        {"expires_at": expired_before},
        {"expires_at": invitation.expires_at},
        labels={"expires_at": "gültig bis"},
    )
    _record_person("invitation_resend", invitation, "Einladung erneut verschickt", changes, actor)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    _require_may_manage(actor=actor, municipality=invitation.municipality, role=invitation.role)
    if invitation.accepted_at is not None:
        raise PeopleError(_("Diese Einladung wurde schon angenommen."))
    email, name = invitation.email, invitation.municipality.name
    changes = [{"field": "Rolle", "before": invitation.get_role_display(), "after": ""}]
    _record_person("invitation_revoke", invitation, "Einladung zurückgezogen", changes, actor)
    invitation.delete()
    _notify(
        email,
        _("Einladung in das IZD-Portal zurückgezogen"),
        _("Die Einladung für %(name)s wurde zurückgezogen; der Link gilt nicht mehr.")
        % {"name": name},
    )


def _sessions_end(user: User) -> int:
    """Delete every session of this person, from the database and the cache (cached_db)."""
    from importlib import import_module

    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    """The account can no longer sign in and its open sessions end at once.

    Unlike removing a membership, this is allowed for a municipality's last officer: closing
    the account of someone who left must never wait for a successor. The people page marks
    municipalities left without an officer.
    """
    if not KreisRole.objects.filter(user=actor, role=KreisRole.Role.COORDINATOR).exists():
        raise PermissionDenied(_("Nur die Koordination des Zentrums kann Konten deaktivieren."))
    if user.pk == actor.pk:
        raise PeopleError(_("Sie können Ihr eigenes Konto nicht deaktivieren."))
    user.is_active = False
    user.full_clean()
    user.save(update_fields=["is_active"])
    email = user.email
    ended = _sessions_end(user)
    audit.record(
        action="user_deactivate",
        kind=audit.Kind.MEMBERSHIP,
        summary=f"Konto {email} deaktiviert ({ended} Sitzungen beendet)",
        target=user,
        changes=[{"field": "Konto", "before": "aktiv", "after": "deaktiviert"}],
        municipality=None,
        actor=actor,
    )
    _notify(
        email,
        _("Ihr Konto im IZD-Portal wurde deaktiviert"),
        _("Ihr Konto wurde von %(actor)s deaktiviert; Sie sind überall abgemeldet.")
        % {"actor": actor},
    )
    return user
