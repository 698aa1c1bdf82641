"""The errors of maturity's writes: refusals the middleware answers with the one error page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from izd.exceptions import PortalError

if TYPE_CHECKING:
    from maturity.municipal.models import Answer


class MaturityError(PortalError):
    """A refused write, with a German message for the person; `status` is the HTTP status."""

    status = 400


class NotFound(MaturityError):
    status = 404


class Locked(MaturityError):
    status = 423


class ModelFileError(MaturityError):
    """Every problem of a model file, one German message each, with its line where known.

    `problems` keeps them apart, so that the upload page can list them one under the other;
    the message joins them for any other place the error reaches.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = tuple(problems)


class AnswerConflict(Exception):
    """Somebody else saved this answer since the form was loaded; nothing was written.

    No refusal but a turn in the conversation: it carries the stored answer, from which the
    form shows both versions side by side for the person to choose.
    """

    def __init__(self, current: Answer) -> None:
        super().__init__("answer changed meanwhile")
        self.current = current
