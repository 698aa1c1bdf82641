"""Data helpers of the benchmark scripts: a database of their own, a budget year. Import after
django.setup()."""

from __future__ import annotations

import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import connection

from costsharing import services as costsharing_services
from costsharing.models import BudgetYear
from izd.schemas import activate_public


@contextmanager
def bench_database() -> Iterator[str]:
    """A database of the benchmark's own, dropped afterwards; prints the machine it runs on."""
    test_db = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=False, serialize=False
    )
    try:
        print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}, database {test_db}")  # fmt: skip
        yield test_db
    finally:
        activate_public()
        connection.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)


def backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend so far (None: not readable here)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    try:
        on_cpu = Path(f"/proc/{row[0] if row else 0}/schedstat").read_text().split()[0]
    except (OSError, IndexError):
        return None
    return int(on_cpu) / 1e9


def budget_year_by_base_and_population(year: int) -> BudgetYear:
    """A year with one staff line and a key of 40 % base, 60 % population."""
    budget = costsharing_services.budget_year_create(year=year)
    costsharing_services.staff_line_add(
        budget_year=budget, role="Leitung", fte=Decimal(3), cost_per_fte=Decimal("91234.57")
    )
    costsharing_services.allocation_key_save(
        budget_year=budget,
        name="Schlüssel",
        base=Decimal(40),
        population=Decimal(60),
        usage=Decimal(0),
        modules=Decimal(0),
        population_date=date(year - 1, 12, 31),
        activate=True,
    )
    return budget
