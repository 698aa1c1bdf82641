"""The errors of maturity's writes, for the views to answer with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from maturity.municipal.models import Answer


class MaturityError(ValidationError):
    """A refused write, with a German message for the person; `status` is the HTTP status."""

    status = 400


class NotFound(MaturityError):
    status = 404


class Locked(MaturityError):
    status = 423


class AnswerConflict(Exception):
    """Somebody else saved this answer since the form was loaded; nothing was written."""

    def __init__(self, current: Answer) -> None:
        super().__init__("answer changed meanwhile")
        self.current = current
