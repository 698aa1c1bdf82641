"""Reads about municipalities, people and their roles."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import Field, Prefetch, Q, QuerySet
from django.http import HttpRequest

from izd.site import site_url
from tenants.access import Access
from tenants.models import Domain, Invitation, KreisRole, Membership, Municipality, User


@functools.cache
def roles_sql(in_municipality: bool, user: str = "%s") -> str:
    """The person's roles as two array columns, the Kreis' and those in a municipality.

    `user` is the person's id: a parameter, or a column of the statement the arrays are part of.
    The municipality's id is a parameter (none outside a municipality).
    """

    def table(model: type[KreisRole] | type[Membership]) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def column(model: type[KreisRole] | type[Membership], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return connection.ops.quote_name(field.column)

    # Names from the models' metadata, quoted; every value is a parameter. One row of two
    # arrays rather than a UNION: both tables are the Kreis' own (public schema), and a UNION
    # would read as a statement over several schemas (tests/tenants/test_single_node.py).
    kreis = (
        f"ARRAY(SELECT {column(KreisRole, 'role')} FROM {table(KreisRole)} "  # noqa: S608
        f"WHERE {column(KreisRole, 'user')} = {user})"
    )
    member = (
        f"ARRAY(SELECT {column(Membership, 'role')} FROM {table(Membership)} "  # noqa: S608
        f"WHERE {column(Membership, 'user')} = {user} "
        f"AND {column(Membership, 'municipality')} = %s)"
        if in_municipality
        else "ARRAY[]::text[]"
    )
    return f"{kreis}, {member}"


def in_municipality(tenant: Municipality | None) -> bool:
    """Whether the request's host is a municipality's (the Kreis' is the public tenant)."""
    return tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME


def access_for(user_id: int, tenant: Municipality | None) -> Access:
    """The person's roles in the Kreis and in this municipality, in one query.

    For a person already signed in, `tenants.signin` reads the roles together with the person;
    this is for the rest (a fixed statement, so that the ORM does not build the query each time).
    """
    inside = in_municipality(tenant)
    params = [user_id, user_id, tenant.pk] if inside and tenant else [user_id]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {roles_sql(inside)}", params)
        kreis_roles, municipality_roles = cursor.fetchone() or ([], [])
    return Access(
        municipality_roles=frozenset(municipality_roles), kreis_roles=frozenset(kreis_roles)
    )


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.members().order_by("name")


# Population bands of the municipality list's filter: key -> (label, from, below).
SIZE_CLASSES: dict[str, tuple[str, int, int | None]] = {
    "klein": ("unter 5.000", 0, 5_000),
    "mittel": ("5.000 bis unter 20.000", 5_000, 20_000),
    "gross": ("20.000 bis unter 100.000", 20_000, 100_000),
    "grossstadt": ("ab 100.000", 100_000, None),
}


def municipalities_of_size(rows: QuerySet[Municipality], key: str) -> QuerySet[Municipality]:
    _label, low, below = SIZE_CLASSES[key]
    rows = rows.filter(population__gte=low)
    return rows if below is None else rows.filter(population__lt=below)


def municipalities_by_officer(rows: QuerySet[Municipality], value: str) -> QuerySet[Municipality]:
    """`mit` or `ohne` an active digital officer."""
    officers = Membership.objects.filter(
        role=Membership.Role.DIGITAL_OFFICER, user__is_active=True
    ).values("municipality_id")
    return rows.filter(pk__in=officers) if value == "mit" else rows.exclude(pk__in=officers)


def municipality_by_slug(slug: str) -> Municipality:
    return Municipality.objects.members().get(slug=slug)


def member_by_slug(slug: str) -> Municipality | None:
    """The member with this slug; None for an empty or unknown one."""
    return Municipality.objects.members().filter(slug=slug).first() if slug else None


def kreis_tenant() -> Municipality:
    return Municipality.objects.get(schema_name=settings.PUBLIC_SCHEMA_NAME)


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("municipality")
        .order_by("municipality__name", "role")
    )


def members_of(municipality: Municipality) -> QuerySet[Membership]:
    # A fixed order: the table's physical order changes when rows are deleted and restored.
    return (
        Membership.objects.filter(municipality=municipality)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email", "role")
    )


def open_invitations(municipality: Municipality) -> QuerySet[Invitation]:
    return Invitation.objects.filter(municipality=municipality, accepted_at__isnull=True)


def portal_url(
    municipality: Municipality, path: str = "/", *, request: HttpRequest | None = None
) -> str:
    """The absolute address of a page of a municipality (or of the Kreis).

    Within a request, scheme and port follow the request, so links work behind any proxy and on
    a development server's port. Without one (e-mails), they come from the settings only.
    """
    return portal_urls([municipality], path, request=request)[municipality.pk]


def portal_urls(
    municipalities: Iterable[Municipality], path: str = "/", *, request: HttpRequest | None = None
) -> dict[int, str]:
    """`portal_url` for many municipalities by their primary key, with one query for all."""
    municipalities = list(municipalities)
    domains = dict(
        Domain.objects.filter(tenant__in=[m.pk for m in municipalities], is_primary=True)
        .order_by("-id")
        .values_list("tenant_id", "domain")
    )
    if request is None:
        # E-mails and other links outside a request: scheme, host and port from the settings.
        return {
            m.pk: site_url(path, host=domains.get(m.pk) or f"{m.slug}.{settings.BASE_DOMAIN}")
            for m in municipalities
        }
    scheme, port = request.scheme or settings.PORTAL_SCHEME, request.get_port()
    default_port = {"http": "80", "https": "443"}[scheme]
    suffix = f":{port}" if port and port != default_port else ""
    return {
        m.pk: f"{scheme}://{domains.get(m.pk) or f'{m.slug}.{settings.BASE_DOMAIN}'}{suffix}{path}"
        for m in municipalities
    }


def people() -> QuerySet[User]:
    """Everybody with their memberships and Kreis roles, for the coordinator's people page.

    The memberships and roles come by prefetch, so a page costs the same number of queries
    whatever its length.
    """
    return User.objects.order_by("last_name", "first_name", "email").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("municipality").order_by(
                "municipality__name", "role"
            ),
        ),
        Prefetch("kreis_roles", queryset=KreisRole.objects.order_by("role")),
    )


def people_search(users: QuerySet[User], text: str) -> QuerySet[User]:
    """Names, addresses and the names of the person's municipalities."""
    in_town = Membership.objects.filter(municipality__name__icontains=text).values("user_id")
    return users.filter(
        Q(email__icontains=text)
        | Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(pk__in=in_town)
    )


def people_with_role(users: QuerySet[User], role: str) -> QuerySet[User]:
    if role in KreisRole.Role.values:
        return users.filter(pk__in=KreisRole.objects.filter(role=role).values("user_id"))
    return users.filter(pk__in=Membership.objects.filter(role=role).values("user_id"))


def people_of_municipality(users: QuerySet[User], slug: str) -> QuerySet[User]:
    members = Membership.objects.filter(municipality__slug=slug).values("user_id")
    return users.filter(pk__in=members)


def invitations_open(*, municipality: Municipality | None = None) -> QuerySet[Invitation]:
    """Invitations not yet accepted, pending and expired alike (the page tells them apart)."""
    invitations = Invitation.objects.filter(accepted_at__isnull=True).select_related(
        "municipality", "invited_by"
    )
    if municipality is not None:
        invitations = invitations.filter(municipality=municipality)
    return invitations.order_by("-expires_at", "email")


def first_digital_officer(municipality: Municipality) -> User | None:
    """One of the municipality's digital officers (the demo data acts as them), or None."""
    membership = (
        Membership.objects.filter(municipality=municipality, role=Membership.Role.DIGITAL_OFFICER)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def invitations_search(invitations: QuerySet[Invitation], text: str) -> QuerySet[Invitation]:
    return invitations.filter(Q(email__icontains=text) | Q(municipality__name__icontains=text))


def municipalities_without_officer() -> QuerySet[Municipality]:
    officers = Membership.objects.filter(
        role=Membership.Role.DIGITAL_OFFICER, user__is_active=True
    ).values("municipality_id")
    return Municipality.objects.members().exclude(pk__in=officers).order_by("name")


def municipality_switch(
    user: User, current: Municipality | None, *, request: HttpRequest
) -> list[tuple[str, str, bool]]:
    """(name, address, is current) of each of the person's municipalities, when there are
    several to switch between; empty otherwise."""
    towns = {
        m.municipality_id: m.municipality
        for m in memberships_of(user).filter(municipality__offboarded_at__isnull=True)
    }
    if len(towns) < 2:
        return []
    urls = portal_urls(towns.values(), request=request)
    current_pk = current.pk if current is not None else None
    return [(town.name, urls[pk], pk == current_pk) for pk, town in towns.items()]


def invitation_counts(*, municipality: Municipality | None = None) -> tuple[int, int]:
    """(pending, expired) invitations not yet accepted."""
    from django.db.models import Count
    from django.utils import timezone

    now = timezone.now()
    rows = Invitation.objects.filter(accepted_at__isnull=True)
    if municipality is not None:
        rows = rows.filter(municipality=municipality)
    counts = rows.aggregate(
        pending=Count("pk", filter=Q(expires_at__gt=now)),
        expired=Count("pk", filter=Q(expires_at__lte=now)),
    )
    return counts["pending"], counts["expired"]


# --- for the apps above: people and members by id -------------------------------------------


def user_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """The display names of these people, by id (unknown ids and None are left out)."""
    ids = {uid for uid in user_ids if uid is not None}
    return {user.pk: str(user) for user in User.objects.filter(pk__in=ids)}


def active_user(user_id: int | None) -> User | None:
    """The person, if they exist and are active (None for None)."""
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def coordinator_emails() -> list[str]:
    """The e-mail addresses of the Kreis' active coordinators."""
    return list(
        User.objects.filter(
            kreis_roles__role=KreisRole.Role.COORDINATOR, is_active=True
        ).values_list("email", flat=True)
    )


def members_with_ids(municipality_ids: Iterable[int]) -> list[Municipality]:
    """The member municipalities among these ids (the Kreis and unknown ids are left out), by
    name."""
    return list(municipality_list().filter(pk__in=list(municipality_ids)))


def member_names_with_ids(municipality_ids: Iterable[int]) -> list[tuple[int, str]]:
    """`members_with_ids` as (id, name) pairs."""
    rows = municipality_list().filter(pk__in=list(municipality_ids))
    return list(rows.values_list("pk", "name"))


def member_get(municipality_id: int) -> Municipality | None:
    return municipality_list().filter(pk=municipality_id).first()


def municipalities_with_ids(municipality_ids: Iterable[int]) -> list[Municipality]:
    """These municipalities (the Kreis' own tenant too, if asked for), by name."""
    return list(Municipality.objects.filter(pk__in=list(municipality_ids)).order_by("name"))


def tenants_by_pk() -> QuerySet[Municipality]:
    """The Kreis and every municipality, in a stable order."""
    return Municipality.objects.order_by("pk")
