"""Who makes a request: the session, the person and their roles, in one statement.

Every signed-in request needs three rows of the public schema: its session, the person, and the
person's roles in the Kreis and in the municipality of the host. Django reads the session, then
the person (whose id lies inside the session's signed and compressed data, which the database
cannot read), and the access middleware then read the roles: three round trips. Here

- the person and their roles are one statement (`person_read`), and
- a process that has signed a session in or seen it before remembers whose it is and reads that
  person with the session, in the same statement (another process's first request of a session
  reads the person in a second statement). A session key never changes its person (signing in always
  issues a new key), but the remembered id is only a guess of which row to read along: the person
  is used only when the session's data, decoded with their signature checked as always, name the
  same person. Otherwise the person is read as above.

Everything Django checks still holds, against the rows read in this request: the session exists
and has not expired (the condition of Django's database backend), the person exists and is
active (`ModelBackend.user_can_authenticate`), and the session's hash matches the password's,
with `SECRET_KEY_FALLBACKS` and the key's rotation as in `django.contrib.auth.get_user`. Sessions
stay Django's database sessions (`SESSION_ENGINE`): signing in and out, the test client and
ending a person's sessions work on the same rows as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import db
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Field
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from tenants.access import NO_ACCESS, Access
from tenants.models import Municipality, User
from tenants.selectors import access_for, in_municipality, roles_sql

# Per process: the person each session key was last signed in as. Only a guess of which row to
# read along (see above); bounded by starting afresh when full.
_KNOWN_SESSIONS: dict[str, int] = {}
KNOWN_SESSIONS_MAX = 10_000


@dataclass(frozen=True)
class Person:
    """A person as read with their roles in the Kreis and in one municipality (`tenant_id`,
    None on the Kreis' host)."""

    user: User
    access: Access
    tenant_id: int | None


def _tenant_id(tenant: Municipality | None) -> int | None:
    return tenant.pk if tenant is not None and in_municipality(tenant) else None


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model: type[Session] | type[User], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return f"{_quoted(model._meta.db_table)}.{_quoted(field.column)}"


@functools.cache
def _user_fields() -> tuple[str, ...]:
    """The person's columns as read here; none of them needs a converter of Django's (no JSON,
    no UUID as text), so a row's values are the instance's as the ORM would read them."""
    fields = User._meta.concrete_fields
    for field in fields:
        converters = connection.ops.get_db_converters(field.get_col(User._meta.db_table))
        assert not converters + field.get_db_converters(connection), field
    return tuple(f.attname for f in fields)


@functools.cache
def _person_columns(inside: bool) -> str:
    columns = [_column(User, f.name) for f in User._meta.concrete_fields]
    return f"{', '.join(columns)}, {roles_sql(inside, _column(User, 'id'))}"


@functools.cache
def _person_sql(inside: bool) -> str:
    user = _quoted(User._meta.db_table)
    return f"SELECT {_person_columns(inside)} FROM {user} WHERE {_column(User, 'id')} = %s"


@functools.cache
def _session_and_person_sql(inside: bool) -> str:
    """The session's data if it exists unexpired, and beside it the guessed person, if any."""
    user, session = _quoted(User._meta.db_table), _quoted(Session._meta.db_table)
    return (
        f"SELECT {_column(Session, 'session_data')}, {_person_columns(inside)} "
        f"FROM {session} LEFT JOIN {user} ON {_column(User, 'id')} = %s "
        f"WHERE {_column(Session, 'session_key')} = %s "
        f"AND {_column(Session, 'expire_date')} > %s"
    )


def _person(row: tuple[Any, ...], tenant_id: int | None) -> Person | None:
    """The person of a row of `_person_columns`; None where the row has none."""
    if row[0] is None:
        return None
    names = _user_fields()
    user = User.from_db(connection.alias, list(names), row[: len(names)])
    kreis_roles, municipality_roles = row[len(names) :]
    access = Access(
        municipality_roles=frozenset(municipality_roles), kreis_roles=frozenset(kreis_roles)
    )
    return Person(user, access, tenant_id)


def person_read(user_id: int, tenant: Municipality | None) -> Person | None:
    """The person with their roles in the Kreis and in this municipality, in one statement."""
    tenant_id = _tenant_id(tenant)
    inside = tenant_id is not None
    with connection.cursor() as cursor:
        cursor.execute(_person_sql(inside), [*([tenant_id] if inside else []), user_id])
        row = cursor.fetchone()
    return None if row is None else _person(row, tenant_id)


class SessionStore(db.SessionStore):
    """Django's database session; loading a session the process has seen before also reads its
    person and their roles in the host's municipality (`tenant`), in the same statement."""

    def __init__(self, session_key: str | None = None, tenant: Municipality | None = None):
        super().__init__(session_key)
        self.tenant = tenant
        self.person: Person | None = None

    def load(self) -> dict[str, Any]:
        key = self.session_key
        guess = _KNOWN_SESSIONS.get(key) if key else None
        if guess is None:
            return super().load()
        tenant_id = _tenant_id(self.tenant)
        inside = tenant_id is not None
        params = [*([tenant_id] if inside else []), guess, key, timezone.now()]
        with connection.cursor() as cursor:
            cursor.execute(_session_and_person_sql(inside), params)
            row = cursor.fetchone()
        if row is None:  # no such session, or it has expired: as Django's backend
            self._session_key = None
            return {}
        self.person = _person(row[1:], tenant_id)
        data: dict[str, Any] = self.decode(row[0])
        return data


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, with the store above where sessions live in the database."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        super().__init__(get_response)
        if self.SessionStore is db.SessionStore:
            self.SessionStore = SessionStore

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        if isinstance(request.session, SessionStore):
            request.session.tenant = getattr(request, "tenant", None)


def _signed_in_person(request: HttpRequest, user_id: int) -> Person | None:
    """The person of this id, from the session's statement when it read them, else read."""
    tenant_id = _tenant_id(getattr(request, "tenant", None))
    person = getattr(request.session, "person", None)
    if person is None or person.user.pk != user_id or person.tenant_id != tenant_id:
        person = person_read(user_id, getattr(request, "tenant", None))
    return person


def _backend_user(request: HttpRequest, backend: BaseBackend, user_id: int) -> Any:
    """What `backend.get_user(user_id)` returns; for Django's ModelBackend without a query of
    its own, and the roles kept for the access middleware (`access`)."""
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return backend.get_user(user_id)
    person = _signed_in_person(request, user_id)
    if person is None:
        return None
    request._signed_in_person = person  # type: ignore[attr-defined]
    return person.user if backend.user_can_authenticate(person.user) else None


def get_user(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """`django.contrib.auth.get_user` of Django 5.2, step by step, with the person from
    `_backend_user`; a verified session is remembered as this person's."""
    user = None
    try:
        user_id = User._meta.pk.to_python(request.session[auth.SESSION_KEY])
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = auth.load_backend(backend_path)
            user = _backend_user(request, backend, user_id)
            if hasattr(user, "get_session_auth_hash"):
                session_hash: str = request.session.get(auth.HASH_SESSION_KEY) or ""
                session_auth_hash = user.get_session_auth_hash()
                verified = bool(session_hash) and constant_time_compare(
                    session_hash, session_auth_hash
                )
                if not verified:
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[auth.HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
                if user is not None:
                    _remember(request.session.session_key, user.pk)
    return user or AnonymousUser()


def signed_in(sender: object, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> None:
    """On signing in (`user_logged_in`): the new session key is this person's."""
    _remember(request.session.session_key, user.pk)


def _remember(session_key: str | None, user_id: int) -> None:
    if session_key is None:
        return
    if len(_KNOWN_SESSIONS) >= KNOWN_SESSIONS_MAX:
        _KNOWN_SESSIONS.clear()
    _KNOWN_SESSIONS[session_key] = user_id


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with `get_user` above for the signed-in person."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))  # type: ignore[assignment]


def _cached_user(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    # The attribute Django's middleware caches the user in (and login/logout know about).
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)  # type: ignore[attr-defined]
    user: AbstractBaseUser | AnonymousUser = request._cached_user  # type: ignore[attr-defined]
    return user


def access_of(request: HttpRequest) -> Access:
    """The roles of the request's person in the Kreis and in the host's municipality: those read
    with the person where that was this person in this municipality, else read now."""
    user = request.user
    if not user.is_authenticated:
        return NO_ACCESS
    tenant = getattr(request, "tenant", None)
    person: Person | None = getattr(request, "_signed_in_person", None)
    if person is not None and person.user.pk == user.pk and person.tenant_id == _tenant_id(tenant):
        return person.access
    return access_for(user.pk, tenant)
