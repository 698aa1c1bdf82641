"""What the writes of the exchange share: the error, the validation, a practice's audit entry and
its latest version."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from izd.audit import recording as audit
from izd.errors import validation_message
from izd.exceptions import PortalError
from roadmap.practices.models import Practice, PracticeVersion
from tenants.models import User

SEARCH_CONFIG = "german"
State = PracticeVersion.State


class PracticeError(PortalError):
    """A refused write; the message is German and shown to the user, `status` is the HTTP code."""


def _clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise PracticeError(validation_message(error), 400) from error


def _record_practice(
    action: str,
    practice: Practice,
    summary: str,
    user: User | None,
    changes: list[dict[str, str]] | None = None,
    *,
    title: str = "",
) -> None:
    """A practice's entries belong to the municipality that describes it (none: the centre)."""
    title = title or (latest_version(practice).title if practice.pk else "")
    audit.record(
        action=action, kind=audit.Kind.PRACTICE, summary=f"{summary}: „{title}“", target=practice,
        object_label=f"Praxisbeispiel „{title}“", changes=changes or [],
        municipality=practice.municipality, actor=audit.UNSET if user is None else user,
    )  # fmt: skip


_VERSION_FIELDS = ("title", "summary", "visibility", "project_status", "cost_once", "cost_yearly")


def latest_version(practice: Practice) -> PracticeVersion:
    version = practice.versions.order_by("-number").first()
    assert version is not None  # a practice is created with its first version
    return version
