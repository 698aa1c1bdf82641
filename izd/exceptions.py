"""The one error type of the portal: a refusal with a German message and an HTTP status.

Services raise a `PortalError` (or an app's subclass) when a request cannot be carried out as
asked; nothing is changed then. Views let it pass: `izd.errors.ErrorPageMiddleware` turns it into
the German error page (or its partial, for htmx) with the error's status. Forms keep Django's
ValidationError.

Plain Python on purpose (no Django import): the pure allocation engine raises it too.
"""

from __future__ import annotations


class PortalError(ValueError):
    """A refusal the person can understand: `message` is German, `status` the HTTP status.

    A ValueError, as most of the app errors it unites were before: a request asked for a value
    the portal cannot accept.

    A subclass may fix its status as a class attribute (409 for a frozen year); `back` is where
    the error page's "Zurück" leads, if the raiser knows a better place than the previous page.
    """

    status: int = 400

    def __init__(self, message: str = "", status: int | None = None, *, back: str = "") -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.back = back

    def __str__(self) -> str:
        return self.message
