"""Diagnosis, not a benchmark: where a paper or notice in a batch spends CPU, against the same
document alone.

Run: `.venv/bin/python tests/benchmarks/profile_batch.py N [papers|notices] [profile]
[inproc=K] [noworker] [rounds=R]`.
Prints per document: CPU alone (in this process), CPU of a batch's documents rendered one after
another in this process (document_render, as the task does), and CPU in a real worker (per pool
process: inside tasks, outside, in the garbage collector; the worker's main process). With
`profile`, cProfile files (CPU time) are written to $TMPDIR/izd-profiles/ (alone.prof,
inproc.prof, <pid>.prof).
"""

from __future__ import annotations

import cProfile
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

MEMBERS = next((int(a) for a in sys.argv[1:] if a.isdigit()), 29)
WHAT = "notices" if "notices" in sys.argv else "papers"
PROFILE = "profile" in sys.argv
# `inproc=K`: only the first K documents in this process; `noworker`: no real worker
INPROC = next((int(a.split("=")[1]) for a in sys.argv if a.startswith("inproc=")), 0)
WORKER = "noworker" not in sys.argv
# `variants=a,b`: the worker run once per variant (tests/benchmarks/worker_profile.py)
ROUNDS = next((int(a.split("=")[1]) for a in sys.argv if a.startswith("rounds=")), 1)
VARIANTS = next((a.split("=")[1].split(",") for a in sys.argv if a.startswith("variants=")), [""])
sys.argv = [sys.argv[0], str(MEMBERS), "420", WHAT]

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
# First: sets up Django (the size and part are read from the arguments above).
from tests.benchmarks import bench_papers as bench  # noqa: E402, I001

from costsharing.selectors import shared_year_reads  # noqa: E402
from izd import documents as izd_documents  # noqa: E402
from izd.models import Document  # noqa: E402
from izd.pdf import render_pdf  # noqa: E402
from roadmap.papers import builders, services  # noqa: E402
from tests.workers import own_queue, worker  # noqa: E402

OUT = Path(tempfile.gettempdir()) / "izd-profiles"


def _cpu(call: object, runs: int, profile: cProfile.Profile | None) -> list[float]:
    found = []
    for _ in range(runs):
        started = time.process_time()
        if profile is not None:
            profile.enable()
        call()  # type: ignore[operator]
        if profile is not None:
            profile.disable()
        found.append(time.process_time() - started)
    return found


def _send(year: int, budget: object) -> uuid.UUID:
    if WHAT == "papers":
        return services.papers_render_batch(year=year, user=None)
    from costsharing.services import notices_render_batch

    return notices_render_batch(budget_year=budget, user=None)  # type: ignore[arg-type]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with bench.bench_database():
        template = bench.bench_kreis_and_template()
        year, prefix = bench.YEAR, "0791"
        bench._year(year, MEMBERS, prefix, template)
        budget = None
        if WHAT == "papers":
            probe = bench._probe(year)

            def alone() -> None:
                with shared_year_reads(None):
                    spec = builders.build_paper(probe)
                render_pdf(replace(spec, shared_parts=[]))

            kind = services.KIND
        else:
            from costsharing.documents import NOTICE_KIND, build_notice, notice_params
            from tenants.models import Municipality

            budget = bench._notices_ready(year, prefix)
            town = Municipality.objects.filter(ags__startswith=prefix).order_by("ags").first()
            assert town is not None
            probe = Document(
                kind=NOTICE_KIND,
                schema_name="public",
                params=notice_params(town.pk, year),
                title="x",
                filename="x.pdf",
            )

            def alone() -> None:
                render_pdf(build_notice(probe))

            kind = NOTICE_KIND
        profile = cProfile.Profile(time.process_time) if PROFILE else None
        alone_cpu = _cpu(alone, 5, profile)
        if profile is not None:
            profile.dump_stats(str(OUT / "alone.prof"))
        print(f"alone CPU (5 runs): {[round(c * 1000) for c in alone_cpu]} ms")

        # The batch's documents one after another in this process, as the task does.
        Document.objects.filter(kind=kind).delete()
        izd_documents._PART_BYTES.clear()
        with own_queue():
            batch = _send(year, budget)
        ids = list(Document.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
        profile = cProfile.Profile(time.process_time) if PROFILE else None
        per = []
        for pk in ids[:INPROC] if INPROC else ids:
            per.extend(_cpu(lambda pk=pk: izd_documents.document_render(pk), 1, profile))
        if profile is not None:
            profile.dump_stats(str(OUT / "inproc.prof"))
        first, rest = per[0], per[1:]
        mean = sum(rest) / len(rest)
        print(f"in process: first {first * 1000:.0f} ms, rest mean {mean * 1000:.0f} ms, "
              f"min {min(rest) * 1000:.0f}, max {max(rest) * 1000:.0f}")  # fmt: skip
        quarter = max(1, len(rest) // 4)
        print(f"  first quarter mean {sum(rest[:quarter]) / quarter * 1000:.0f} ms, "
              f"last quarter mean {sum(rest[-quarter:]) / quarter * 1000:.0f} ms")  # fmt: skip

        if not WORKER:
            return
        for variant in VARIANTS * ROUNDS:
            _worker_run(variant, year, budget, kind, len(ids))


def _worker_run(variant: str, year: int, budget: object, kind: str, count: int) -> None:
    """The batch in a real worker with 2 pool processes."""
    Document.objects.filter(kind=kind).delete()
    izd_documents._PART_BYTES.clear()
    with tempfile.TemporaryDirectory() as folder:
        stats = Path(folder) / "stats"
        stats.mkdir()
        env = {"IZD_WORKER_STATS_DIR": str(stats), "IZD_BENCH_VARIANT": variant}
        if PROFILE:
            env["IZD_PROFILE_TASKS"] = "1"
        with (
            own_queue() as queue,
            worker(
                Path(folder), queue, concurrency=2,
                include=("tests.benchmarks.worker_profile",), **env,
            ) as process,
        ):  # fmt: skip
            bench._ready(process.log)
            pool = bench.CpuMeter(process.process.pid)
            database = bench.CpuMeter(bench._database_server())
            main_start = pool.start.get(process.process.pid, 0.0)
            started = time.perf_counter()
            batch = _send(year, budget)
            bench._wait(batch, kind)
            wall = time.perf_counter() - started
            used = pool.used()
            times = pool.root.cpu_times()
            main_cpu = times.user + times.system - main_start
            db = database.used()
        print(f"variant {variant or 'as is'}:")
        for path in sorted(stats.glob("*.json")):
            print(f"  pool process {path.stem}: {json.loads(path.read_text())}")
        for path in stats.glob("*.prof"):
            (OUT / f"{variant}-{path.name}").write_bytes(path.read_bytes())
        per_doc, db_doc = used / count * 1000, db / count * 1000
        print(f"  worker: wall {wall:.1f} s, CPU all {per_doc:.0f} ms/doc, "
              f"main process {main_cpu:.2f} s, database {db_doc:.0f} ms/doc, "
              f"load {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
