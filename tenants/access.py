"""Who may do what: roles of a person in the current municipality and in the Kreis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from tenants.models import KreisRole, Membership

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])
AccessRule = Callable[["Access"], bool]
# Decorated views carry their rule under this name, so the navigation can ask the view itself
# whether a person may open it instead of repeating the rule (and drifting from it).
ACCESS_RULE_ATTRIBUTE = "access_rule"


@dataclass(frozen=True)
class Access:
    """The roles of the person making a request, resolved once by the middleware."""

    municipality_roles: frozenset[str] = field(default_factory=frozenset)
    kreis_roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_coordinator(self) -> bool:
        return KreisRole.Role.COORDINATOR in self.kreis_roles

    @property
    def is_centre_treasurer(self) -> bool:
        return KreisRole.Role.CENTRE_TREASURER in self.kreis_roles

    @property
    def is_kreis_staff(self) -> bool:
        return bool(self.kreis_roles)

    @property
    def is_member(self) -> bool:
        return bool(self.municipality_roles)

    def may_enter_municipality(self) -> bool:
        # The Kreis' staff look after every municipality; others only after their own.
        return self.is_member or self.is_kreis_staff

    def has_municipality_role(self, *roles: str) -> bool:
        return bool(self.municipality_roles.intersection(roles))

    def has_kreis_role(self, *roles: str) -> bool:
        return bool(self.kreis_roles.intersection(roles))


NO_ACCESS = Access()


def get_access(request: HttpRequest) -> Access:
    return getattr(request, "access", NO_ACCESS)


def kreis_role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Only people with one of these Kreis roles (any Kreis role when none is named)."""

    def allowed(access: Access) -> bool:
        return access.has_kreis_role(*roles) if roles else access.is_kreis_staff

    return _guarded_by(allowed)


def municipality_role_required(
    *roles: str, kreis_roles: tuple[str, ...] = (KreisRole.Role.COORDINATOR,)
) -> Callable[[ViewFunc], ViewFunc]:
    """Members with one of these roles in the current municipality, or the named Kreis roles."""

    def allowed(access: Access) -> bool:
        return access.has_municipality_role(*roles) or access.has_kreis_role(*kreis_roles)

    return _guarded_by(allowed)


def _guarded_by(allowed: AccessRule) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not allowed(get_access(request)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        setattr(wrapper, ACCESS_RULE_ATTRIBUTE, allowed)
        return wrapper  # type: ignore[return-value]

    return decorator


def view_allows(view: Callable[..., Any], access: Access) -> bool:
    """Whether a (decorated) view lets this person in; views without a rule let everyone in
    whom the access middleware let through."""
    rule: AccessRule | None = getattr(view, ACCESS_RULE_ATTRIBUTE, None)
    return rule is None or rule(access)


ALL_MUNICIPALITY_ROLES = tuple(Membership.Role.values)
