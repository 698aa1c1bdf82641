"""Counting the SQL statements the default connection sends to PostgreSQL.

`page_queries` counts the queries of one page as Django's test tools see them.

django-tenants issues its `SET search_path` from inside the database wrapper, on the raw
cursor. To be sure that none is missed, statements are recorded where psycopg sends them (the
connection's cursor class), and schema switches where django-tenants makes them (`set_tenant`,
which `set_schema` and `set_schema_to_public` go through). A cursor of another class (the
binary one of `izd.cursors`) is recorded where Django runs its statements
(`execute_wrapper`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections
from django.test.utils import CaptureQueriesContext


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)
    switches: int = 0

    @property
    def search_path_sets(self) -> list[str]:
        return [s for s in self.sql if s.lstrip().upper().startswith("SET SEARCH_PATH")]

    @property
    def others(self) -> list[str]:
        return [s for s in self.sql if not s.lstrip().upper().startswith("SET SEARCH_PATH")]


@contextmanager
def recorded_statements() -> Iterator[Statements]:
    wrapper: Any = connections["default"]
    wrapper.ensure_connection()
    raw = wrapper.connection
    recorded = Statements()
    original_factory = raw.cursor_factory
    original_set_tenant = wrapper.set_tenant

    class RecordingCursor(original_factory):  # type: ignore[misc, valid-type]
        def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            recorded.sql.append(query if isinstance(query, str) else str(query))
            return super().execute(query, *args, **kwargs)

        def executemany(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            recorded.sql.append(query if isinstance(query, str) else str(query))
            return super().executemany(query, *args, **kwargs)

    def set_tenant(*args: Any, **kwargs: Any) -> Any:
        recorded.switches += 1
        return original_set_tenant(*args, **kwargs)

    def record_other_cursors(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not isinstance(context["cursor"].cursor, RecordingCursor):
            recorded.sql.append(sql)
        return execute(sql, params, many, context)

    raw.cursor_factory = RecordingCursor
    wrapper.set_tenant = set_tenant
    try:
        with wrapper.execute_wrapper(record_other_cursors):
            yield recorded
    finally:
        raw.cursor_factory = original_factory
        del wrapper.set_tenant


def page_queries(client: Any, url: str, *shown: str) -> int:
    """The number of queries of the page at `url`, which must answer 200 and show `shown`."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200, body[:500]
    for text in shown:
        assert text in body, text
    return len(queries.captured_queries)
