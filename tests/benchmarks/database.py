"""Data helpers of the benchmark scripts: a database of their own, a budget year. Import after
django.setup()."""

from __future__ import annotations

import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from django.db import connection

from costsharing.models import BudgetYear
from izd.schemas import activate_public
from roadmap.papers import services as paper_services
from roadmap.papers.models import PaperTemplate
from tenants.services import kreis_ensure
from tests.costsharing.factories import budget_year


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
    try:
        on_cpu = Path(f"/proc/{_backend_pid()}/schedstat").read_text().split()[0]
    except (OSError, IndexError):
        return None
    return int(on_cpu) / 1e9


def ended_processes_cpu() -> float | None:
    """CPU seconds of the PostgreSQL server's processes that have ended so far: among them the
    parallel workers a statement of this connection started, which end with it (an autovacuum
    worker or another connection ending in between would count too). In clock ticks of the
    kernel (10 ms): meaningful summed over many statements, not per statement."""
    try:
        backend = Path(f"/proc/{_backend_pid()}/stat").read_text()
        postmaster = int(backend.rpartition(")")[2].split()[1])  # the field after the state
        fields = Path(f"/proc/{postmaster}/stat").read_text().rpartition(")")[2].split()
        children_user, children_system = int(fields[13]), int(fields[14])  # cutime, cstime
    except (OSError, IndexError, ValueError):
        return None
    return (children_user + children_system) / os.sysconf("SC_CLK_TCK")


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def bench_kreis_and_template() -> PaperTemplate:
    """The Kreis and the template of the benchmarks' decision papers (six paragraphs of facts)."""
    kreis_ensure(
        name="Benchkreis", ags="06435000", population=400_000, population_date=date(2024, 12, 31)
    )
    activate_public()
    return paper_services.template_save(
        PaperTemplate(
            name="Bench",
            subject="Interkommunale Zusammenarbeit im Bereich Digitalisierung",
            facts="[[kommune]] trägt [[anteil_jahr]] von [[nettokosten]].\n\n" * 6,
            resolution="Zustimmung zu [[anteil_jahr]].\nUnterzeichnung der Vereinbarung.",
            attachments="Vereinbarung",
        )
    )


def budget_year_by_base_and_population(year: int) -> BudgetYear:
    """A year with one staff line and a key of 40 % base, 60 % population."""
    return budget_year(year, staff=(("Leitung", "3", "91234.57"),), key=(40, 60, 0, 0))
