"""Benchmark: decision papers for 29 and for 420 members, side by side with the ratio.

Run: `.venv/bin/python tests/benchmarks/bench_papers.py [29 420]`. Works on a throw-away
database (`izd_bench_papers`) that it creates, migrates and drops; the members come from the
generated fixture `tests/scale.py` (Hessen's population sizes). Measures per size

* one paper without the shared parts: build the context and render its own pages (best of 3);
* the shared part once: the Kostenbeteiligung annex of every member;
* one paper the old way, annex typeset inline (for comparison);
* the batch request (records the batch and sends its work) and the progress counts;
* the batch rendered fresh by a real Celery worker with 2 prefork processes (its own queue),
  against the bound 1.3 × (one paper without shared parts × N / 2) + shared parts once;
* the same batch again with nothing changed (every paper recognised by its fingerprint);
* the CPU seconds of the worker's processes and of the database per document, against the CPU
  bound 1.3 × (one paper without shared parts, CPU) × N + shared parts once: under load, wall
  times from different moments do not compare, CPU times do;
* the same one paper alone rendered inside a pool process of the batch's worker, before and
  after the batch (not a bound: it shows how much of the gap between the batch and the paper
  alone in this process lies in the code path and how much in the moment and the process);
* the same for the notices batch (each notice a Factur-X invoice, the year frozen).

`papers` or `notices` among the arguments measures only that part.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import psutil

from tests.benchmarks.measure import django_for_benchmark

django_for_benchmark("izd_bench_papers")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import get_public_schema_name  # noqa: E402

from costsharing.models import BudgetYear  # noqa: E402
from izd import documents as izd_documents  # noqa: E402
from izd.models import Document  # noqa: E402
from izd.pdf import render_pdf  # noqa: E402
from roadmap.papers import builders, services  # noqa: E402
from roadmap.papers.models import Paper, PaperTemplate  # noqa: E402
from tests import scale  # noqa: E402
from tests.benchmarks.database import (  # noqa: E402
    bench_database,
    bench_kreis_and_template,
    budget_year_by_base_and_population,
)
from tests.benchmarks.worker_profile import alone_cpu, render_alone  # noqa: E402
from tests.workers import own_queue, worker  # noqa: E402

# The worker loads the benchmarks' task module: its `alone_cpu` renders the probe in a pool process.
WORKER_MODULES = ("tests.benchmarks.worker_profile",)

SIZES = tuple(int(a) for a in sys.argv[1:] if a.isdigit()) or (29, 420)
# `papers` and/or `notices` among the arguments measure only those (default: both)
PARTS = {a for a in sys.argv[1:] if not a.isdigit()} or {"papers", "notices"}
YEAR = 2030


def _year(year: int, members: int, prefix: str, template: PaperTemplate) -> None:
    budget_year_by_base_and_population(year)
    towns = scale.members(members, prefix=prefix, joined=date(year, 1, 1), domains=False)
    scale.papers(towns, year, template)


def _probe(year: int) -> Document:
    paper = Paper.objects.filter(year=year).select_related("municipality").first()
    assert paper is not None
    return Document(
        kind=services.KIND,
        schema_name=paper.municipality.schema_name,
        params={"paper_id": paper.pk},
        title="x",
        filename="x.pdf",
    )


def _best(runs: int, call: object) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return min(timings)


def _ready(log: Path, processes: int = 2, timeout: float = 180) -> float:
    """Until every pool process of the worker has reported up to its main process, and so has
    rendered its warm-up document (config.celery): the clock counts neither the worker's start
    nor the warm-up. Returns the seconds waited."""
    from config.celery import app

    started = time.monotonic()
    while time.monotonic() < started + timeout:
        for name, stats in (app.control.inspect(timeout=1).stats() or {}).items():
            # Celery's prefork pool counts the processes it writes tasks to: those up.
            writes = stats.get("pool", {}).get("writes", {})
            up = writes.get("inqueues", {}).get("total", 0) if isinstance(writes, dict) else 0
            if name.startswith("fault-") and up >= processes:
                return time.monotonic() - started
        time.sleep(0.2)
    raise TimeoutError(log.read_text(errors="replace")[-2000:])


def _wait(batch: uuid.UUID, kind: str, timeout: float = 3600) -> list[Document]:
    """Until every document of the batch is finished: one count per 0.2 s, as the progress page
    asks (reading the 420 rows ten times a second took a tenth of a core from the workers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if izd_documents.batch_summary(batch, kind).finished:
            documents = list(Document.objects.filter(batch=batch))
            failed = [d.error for d in documents if d.status != Document.Status.DONE]
            assert not failed, failed[:3]
            return documents
        time.sleep(0.2)
    raise TimeoutError(f"batch {batch} not finished")


class CpuMeter:
    """CPU seconds (user + system) of a process and its children: the worker's pool, or the
    database server's backends. Under load, wall times mix in other sessions' work; CPU does
    not."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.start = self._times()

    def _times(self) -> dict[int, float]:
        found: dict[int, float] = {}
        for process in [self.root, *self.root.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.Error:  # ended meanwhile
                continue
            found[process.pid] = times.user + times.system
        # Children that ended (a database backend per connection) count here once reaped.
        times = self.root.cpu_times()
        found[-1] = times.children_user + times.children_system
        return found

    def used(self) -> float:
        now = self._times()
        # A process that ended meanwhile counts in its parent's children's times (key -1) with
        # all its CPU: take off what it had used before the start.
        ended = sum(value for pid, value in self.start.items() if pid not in now)
        return sum(value - self.start.get(pid, 0.0) for pid, value in now.items()) - ended


def _database_server() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    return int(psutil.Process(backend).ppid())


def _cpu_best(runs: int, call: object) -> tuple[float, float]:
    """(wall, CPU of this process) of the fastest of `runs` calls."""
    timings = []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        call()  # type: ignore[operator]
        timings.append((time.perf_counter() - started, time.process_time() - cpu))
    return min(timings)


def _alone_in_worker(probe: Document, queue: str, runs: int = 5) -> float:
    """The median CPU seconds of the probe rendered alone in one of the worker's pool
    processes."""
    found = alone_cpu.apply_async(
        args=(probe.kind, probe.schema_name, probe.params, runs), queue=queue
    ).get(timeout=600)
    return float(sorted(found)[len(found) // 2])


def _batch_figures(
    figures: dict[str, float | str],
    *,
    send: object,
    kind: str,
    own: tuple[float, float],
    shared: tuple[float, float],
    worker_pid: int,
    probe: Document,
    queue: str,
) -> None:
    """The batch fresh and unchanged, with the bound, in wall time and in CPU."""
    before = _alone_in_worker(probe, queue)
    database = CpuMeter(_database_server())
    pool = CpuMeter(worker_pid)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        batch = send()  # type: ignore[operator]
        request = time.perf_counter() - started
    figures["Stapel-Anfrage (erfassen und senden)"] = request
    figures["Stapel-Anfrage: Abfragen"] = f"{len(queries.captured_queries)}"
    summary = time.perf_counter()
    izd_documents.batch_summary(batch, kind)
    figures["Fortschritt (Zählung der Stapel-Dokumente)"] = time.perf_counter() - summary
    # N is the documents the batch made: a year's notices go to every member of the year,
    # which at 420 includes the 29 towns of the smaller fixture (449 notices).
    count = len(_wait(batch, kind))
    fresh = time.perf_counter() - started
    figures["Dokumente im Stapel (N)"] = f"{count}"
    figures["Stapel frisch, 2 Worker-Prozesse (Anfrage bis letztes Dokument)"] = fresh
    bound = 1.3 * own[0] * count / 2 + shared[0]
    figures["Schranke 1,3 × (ohne gemeinsame Teile × N / 2) + gemeinsame Teile"] = bound
    figures["Stapel frisch / Schranke"] = f"{fresh / bound:.2f}"
    worker_cpu, database_cpu = pool.used(), database.used()
    figures["CPU der Worker-Prozesse je Dokument"] = worker_cpu / count
    figures["CPU der Datenbank je Dokument"] = database_cpu / count
    cpu_bound = 1.3 * own[1] * count + shared[1]
    figures["CPU Worker / CPU-Schranke 1,3 × (ohne gemeinsame Teile × N) + gemeinsame Teile"] = (
        f"{worker_cpu / cpu_bound:.2f}"
    )
    after = _alone_in_worker(probe, queue)
    label = "dasselbe Dokument allein im Pool-Prozess: CPU vor / nach dem Stapel (Median von 5)"
    figures[label] = f"{before * 1000:.0f} / {after * 1000:.0f} ms"
    figures["CPU je Dokument im Stapel / allein im Pool-Prozess nach dem Stapel"] = (
        f"{worker_cpu / count / after:.2f}"
    )
    started = time.perf_counter()
    again = send()  # type: ignore[operator]
    documents = _wait(again, kind)
    figures["Stapel unverändert (Anfrage bis fertig)"] = time.perf_counter() - started
    reused = sum(1 for d in documents if d.reused)
    figures["davon wiederverwendet"] = f"{reused} von {len(documents)}"


def measure(year: int, members: int, queue_folder: Path) -> dict[str, float | str]:
    figures: dict[str, float | str] = {}
    probe = _probe(year)

    # What a worker does for one paper minus the shared part: context and own pages.
    own = _cpu_best(3, lambda: render_alone(probe))
    figures["eine Vorlage ohne gemeinsame Teile (Kontext + PDF, bestes von 3)"] = own[0]
    figures["eine Vorlage ohne gemeinsame Teile: CPU"] = own[1]
    spec = builders.build_paper(probe)
    (annex,) = spec.shared_parts
    shared = _cpu_best(1, lambda: render_pdf(annex.spec))
    figures["gemeinsamer Teil einmal (Anlage Kostenbeteiligung)"] = shared[0]
    izd_documents.shared_part_pdf(annex)  # stored, as after a batch's first paper
    inline = _best(3, lambda: render_pdf(builders.build_paper(probe)))
    figures["eine Vorlage mit angefügter, gespeicherter Anlage (bestes von 3)"] = inline
    inline_old = _best(
        1,
        lambda: render_pdf(
            replace(
                spec,
                context={**spec.context, "shares": annex.spec.context["shares"]}
                | {"shares_joined": False},
                shared_parts=[],
            )
        ),
    )
    figures["zum Vergleich: eine Vorlage mit Anlage im Satz (bisher)"] = inline_old

    Document.objects.all().delete()  # the annex too: the batch typesets it once itself
    izd_documents._PART_BYTES.clear()
    with (
        own_queue() as queue,
        worker(queue_folder, queue, concurrency=2, include=WORKER_MODULES) as process,
    ):
        figures["Worker bereit (Start und Vorbereitung, nicht im Stapel)"] = _ready(process.log)
        _batch_figures(
            figures,
            send=lambda: services.papers_render_batch(year=year, user=None),
            kind=services.KIND,
            own=own,
            shared=shared,
            worker_pid=process.process.pid,
            probe=probe,
            queue=queue,
        )
    return figures


def _notices_ready(year: int, prefix: str) -> BudgetYear:
    """The year frozen, the issuer's bank details and every member's Leitweg-ID and address:
    each notice is a Factur-X invoice (XRechnung), as in operation."""
    from costsharing import services as costsharing_services
    from costsharing.demo import issuer_demo_load
    from tenants.models import Municipality, User
    from tests.costsharing.factories import leitweg_for

    issuer_demo_load()
    for town in Municipality.objects.filter(ags__startswith=prefix):
        Municipality.objects.filter(pk=town.pk).update(
            leitweg_id=leitweg_for(town.ags), street="Marktplatz 1", postal_code="63600", city="Ort"
        )
    user = User.objects.filter(email="bench@example.org").first()
    user = user or User.objects.create_user("bench@example.org")
    budget = BudgetYear.objects.get(year=year)
    costsharing_services.allocation_freeze(
        budget_year=budget, user=user, decisions_waiver="Benchmark ohne Ratsbeschlüsse."
    )
    return budget


def measure_notices(
    year: int, members: int, prefix: str, queue_folder: Path
) -> dict[str, float | str]:
    from costsharing.documents import NOTICE_KIND, build_notice, notice_params
    from costsharing.services import notices_render_batch
    from tenants.models import Municipality

    figures: dict[str, float | str] = {}
    budget = _notices_ready(year, prefix)
    town = Municipality.objects.filter(ags__startswith=prefix).order_by("ags").first()
    assert town is not None
    probe = Document(
        kind=NOTICE_KIND,
        schema_name=get_public_schema_name(),
        params=notice_params(town.pk, year),
        title="x",
        filename="x.pdf",
    )
    spec = build_notice(probe)
    assert spec.postprocess is not None  # an e-invoice, as in operation
    own = _cpu_best(3, lambda: render_alone(probe))
    figures["ein Bescheid mit E-Rechnung (Kontext + PDF, bestes von 3)"] = own[0]
    figures["ein Bescheid: CPU"] = own[1]
    Document.objects.filter(kind=NOTICE_KIND).delete()
    with (
        own_queue() as queue,
        worker(queue_folder, queue, concurrency=2, include=WORKER_MODULES) as process,
    ):
        figures["Worker bereit (Start und Vorbereitung, nicht im Stapel)"] = _ready(process.log)
        _batch_figures(
            figures,
            send=lambda: notices_render_batch(budget_year=budget, user=None),
            kind=NOTICE_KIND,
            own=own,
            shared=(0.0, 0.0),
            worker_pid=process.process.pid,
            probe=probe,
            queue=queue,
        )
    return figures


def _show(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _table(results: dict[int, dict[str, float | str]]) -> None:
    small, large = SIZES
    print()
    print(f"| Messung | {small} Mitglieder | {large} Mitglieder | Verhältnis |")
    print("|---|---|---|---|")
    for label in results[small]:
        a, b = results[small][label], results[large][label]
        ratio = f"{b / a:.1f} ×" if isinstance(a, float) and isinstance(b, float) else ""
        print(f"| {label} | {_show(a)} | {_show(b)} | {ratio} |")


def main() -> None:
    with bench_database():
        template = bench_kreis_and_template()
        papers: dict[int, dict[str, float | str]] = {}
        notices: dict[int, dict[str, float | str]] = {}
        with tempfile.TemporaryDirectory() as folder:
            for index, members in enumerate(SIZES):
                year = YEAR + index
                prefix = f"07{91 + index}"
                started = time.perf_counter()
                _year(year, members, prefix, template)
                print(f"Fixture {members} Mitglieder: {time.perf_counter() - started:.1f} s")
                print(f"  Last (1/5/15 min): {os.getloadavg()}")
                if "papers" in PARTS:
                    papers[members] = measure(year, members, Path(folder))
                    for label, value in papers[members].items():
                        print(f"  {label}: {_show(value)}")
                if "notices" in PARTS:
                    print(f"  Bescheide, Last (1/5/15 min): {os.getloadavg()}")
                    notices[members] = measure_notices(year, members, prefix, Path(folder))
                    for label, value in notices[members].items():
                        print(f"  Bescheide: {label}: {_show(value)}")
        if len(SIZES) == 2:
            for title, results in (("Beschlussvorlagen", papers), ("Bescheide", notices)):
                if results:
                    print(f"\n{title}:")
                    _table(results)
        print()
        print(f"Last (1/5/15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
