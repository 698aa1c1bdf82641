"""A list of values as one PostgreSQL array literal, for a parameter such as `%s::text[]`.

Django's PostgreSQL backend binds parameters on the client (psycopg's `ClientCursor`): a list
parameter is quoted element by element in Python. A batch of 420 documents sends a dozen such
lists (its INSERT's columns, the papers' links, the fingerprints looked up). Written here as
one text (`{"a","b",NULL}`), a list is quoted once, by libpq, and the cast in the SQL turns it
into the array the list would have been (README, "Umlage und Stapel am Abend").
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import TypeAlias

Element: TypeAlias = str | int | bool | date | uuid.UUID | dict[str, object] | None


def array_literal(values: Iterable[Element]) -> str:
    """`values` as a PostgreSQL array literal; every element quoted, None as NULL.

    Raises TypeError for a value it cannot write exactly (a float, a Decimal: pass those as a
    list, for psycopg to quote)."""
    return "{" + ",".join(map(_element, values)) + "}"


def _element(value: Element) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, Enum):  # a model's choices
        value = value.value
    if isinstance(value, bool):  # before int: a bool is an int
        return "t" if value else "f"
    if isinstance(value, str | int | uuid.UUID):
        return _quoted(str(value))
    if isinstance(value, datetime | date):  # ISO 8601, with the offset of an aware datetime
        return _quoted(value.isoformat())
    if isinstance(value, dict):
        return _quoted(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    raise TypeError(f"No array literal for {type(value).__name__}: {value!r}")


def _quoted(text: str) -> str:
    # inside an array literal's double quotes only the backslash and the quote are special
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
