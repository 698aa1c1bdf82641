"""Typed access to the environment.

Every setting that comes from outside goes through one of these helpers so that a bad value stops
the process at start-up with a message naming the variable, instead of failing later in a request.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvironmentError_(RuntimeError):
    """A variable of the environment has a value the portal cannot use."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return value.strip() if value is not None else None


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value:
        return value
    if required or default is None:
        raise EnvironmentError_(f"{name} must be set (see .env.example).")
    return default


def env_optional(name: str) -> str | None:
    return _raw(name) or None


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvironmentError_(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise EnvironmentError_(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise EnvironmentError_(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, *, schemes: tuple[str, ...]) -> str | None:
    """An optional URL whose scheme is checked; None when unset."""
    value = _raw(name)
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        allowed = ", ".join(schemes)
        raise EnvironmentError_(f"{name} must be a URL with scheme {allowed}, not {value!r}.")
    return value


def env_path(name: str, default: Path) -> Path:
    value = _raw(name)
    path = Path(value).expanduser() if value else default
    if path.exists() and not path.is_dir():
        raise EnvironmentError_(f"{name} must name a folder, but {path} is a file.")
    return path.resolve()


def env_domain(name: str, default: str) -> str:
    value = (_raw(name) or default).lower()
    labels = value.split(".")
    if not all(label and label.replace("-", "").isalnum() for label in labels):
        raise EnvironmentError_(f"{name} must be a domain name such as portal.example.de.")
    return value
