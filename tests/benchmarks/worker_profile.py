"""A Celery worker module for the benchmarks: CPU per task in each pool process, and optionally a
cProfile of the task bodies (`IZD_PROFILE_DIR`), written when the pool process ends.

Loaded with `--include tests.benchmarks.worker_profile` (bench_papers.py does). Each pool process
writes `<pid>.json` (tasks, CPU inside tasks and in the first of them, CPU outside them, time in
the garbage collector) and, with profiling on, `<pid>.prof` into `IZD_WORKER_STATS_DIR`.

`alone_cpu` renders one document alone inside a pool process (`render_alone`, the bound's unit,
which bench_papers.py also times in its own process): the same work measured in both places.
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import time
from pathlib import Path
from typing import Any

from celery import shared_task
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_process_shutdown

_STATE: dict[str, Any] = {}


def _gc_callback(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _STATE["gc_started"] = time.process_time()
    elif "gc_started" in _STATE:
        _STATE["gc_cpu"][info["generation"]] += time.process_time() - _STATE.pop("gc_started")
        _STATE["gc_runs"][info["generation"]] += 1


@worker_process_init.connect
def _start(**_: Any) -> None:
    folder = os.environ.get("IZD_WORKER_STATS_DIR")
    if not folder:
        return
    _STATE.update(
        folder=Path(folder),
        started=time.process_time(),
        tasks=0,
        task_cpu=0.0,
        gc_cpu=[0.0, 0.0, 0.0],
        gc_runs=[0, 0, 0],
        profile=(
            cProfile.Profile(time.process_time) if os.environ.get("IZD_PROFILE_TASKS") else None
        ),
    )
    gc.callbacks.append(_gc_callback)


@task_prerun.connect
def _before(**_: Any) -> None:
    if "folder" not in _STATE:
        return
    _STATE["task_started"] = time.process_time()
    if _STATE["profile"] is not None:
        _STATE["profile"].enable()


@task_postrun.connect
def _after(**_: Any) -> None:
    if "task_started" not in _STATE:
        return
    if _STATE["profile"] is not None:
        _STATE["profile"].disable()
    _STATE["tasks"] += 1
    used = time.process_time() - _STATE.pop("task_started")
    _STATE["task_cpu"] += used
    # The first task against the rest: what the process still loads for its first document.
    _STATE.setdefault("first_task_cpu", used)
    _write()
    if _STATE["profile"] is not None and _STATE["tasks"] % 10 == 0:
        _STATE["profile"].dump_stats(str(_STATE["folder"] / f"{os.getpid()}.prof"))


def _write() -> None:
    """After every task: a pool process ended by SIGTERM may not reach its shutdown signal."""
    folder: Path = _STATE["folder"]
    total = time.process_time() - _STATE["started"]
    stats = {
        "tasks": _STATE["tasks"],
        "task_cpu": _STATE["task_cpu"],
        "first_task_cpu": _STATE.get("first_task_cpu"),
        "process_cpu": total,
        "gc_cpu": _STATE["gc_cpu"],
        "gc_runs": _STATE["gc_runs"],
    }
    (folder / f"{os.getpid()}.json").write_text(json.dumps(stats))


@worker_process_shutdown.connect
def _end(**_: Any) -> None:
    if "folder" not in _STATE:
        return
    _write()
    if _STATE["profile"] is not None:
        _STATE["profile"].dump_stats(str(_STATE["folder"] / f"{os.getpid()}.prof"))


def render_alone(probe: Any) -> bytes:
    """What a worker does for one document minus the shared parts, the bound's unit: a paper's
    context (its year's figures read afresh) and own pages, or a notice with its e-invoice."""
    from dataclasses import replace

    from costsharing.documents import NOTICE_KIND, build_notice
    from costsharing.selectors import shared_year_reads
    from izd.pdf import render_pdf
    from roadmap.papers import builders

    if probe.kind == NOTICE_KIND:
        return render_pdf(build_notice(probe))
    with shared_year_reads(None):
        spec = builders.build_paper(probe)
    return render_pdf(replace(spec, shared_parts=[]))


@shared_task
def alone_cpu(kind: str, schema_name: str, params: dict[str, Any], runs: int) -> list[float]:
    """CPU seconds of `runs` renderings of one document alone, inside a pool process: the
    bound's unit measured where the batch runs, not in the benchmark's own process."""
    from izd.models import Document

    probe = Document(kind=kind, schema_name=schema_name, params=params, title="x", filename="x.pdf")
    found = []
    for _ in range(runs):
        started = time.process_time()
        render_alone(probe)
        found.append(time.process_time() - started)
    return found
