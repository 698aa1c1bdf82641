"""A Django cursor whose results come in PostgreSQL's binary format.

Django's PostgreSQL backend binds parameters on the client (psycopg's `ClientCursor`), and
such a cursor can only receive text. A read that moves large integer lists (the members of a
year as `int8send` aggregates, see `costsharing.selectors`) gets them as raw bytes in binary
format, which numpy takes as they are, instead of as hex text or digits to parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


@contextmanager
def binary_cursor() -> Iterator[CursorWrapper]:
    """A cursor on the default connection with results in binary format.

    Its parameters are bound by the server. It is wrapped like Django's own cursors:
    its statements count in `CaptureQueriesContext` and run through
    `connection.execute_wrapper`, and database errors become Django's. A text cursor is
    opened first, because that sets the tenant's search path (django-tenants does so in
    `connection.cursor()`).
    """
    with connection.cursor():
        raw = psycopg.Cursor(connection.connection)
        raw.format = psycopg.pq.Format.BINARY
        # as `make_debug_cursor` and `make_cursor` wrap (whose stubs expect a wrapper)
        wrapper = CursorDebugWrapper if connection.queries_logged else CursorWrapper
        with wrapper(raw, connection) as wrapped:
            yield wrapped
