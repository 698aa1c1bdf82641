"""The Celery app: tasks run in the tenant schema they were sent from.

tenant-schemas-celery puts the sender's schema into the message headers and switches the worker's
connection to it before the task runs.

Every worker also runs the job dispatcher (izd.jobs): a thread that sends document jobs that
were never sent and takes back those a dead worker left. `--without-job-dispatcher` turns it
off for a worker.
"""

from __future__ import annotations

import gc
import os
import threading
from typing import Any

import click
from celery import bootsteps, signals
from tenant_schemas_celery.app import CeleryApp

from izd.health.heartbeat import Heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("izd")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Workers tell /healthz that they live by a row in the database (see izd/health/heartbeat.py).
app.steps["worker"].add(Heartbeat)


@signals.worker_process_init.connect
def _pool_process_started(**_: Any) -> None:
    """A pool process renders a small document before it takes its first task (it reports up
    to the main process only after this handler; CELERY_WORKER_PROC_ALIVE_TIMEOUT allows for
    it): fonts, hyphenation and templates are loaded then, not in a batch's first documents.

    Everything a pool process holds from its start (Django, WeasyPrint, pikepdf, the apps, the
    warmed-up caches: millions of objects) lives as long as the process: the garbage collector
    need not look at it again. Without this, each full collection in a batch of papers walked
    all of it, a fifth of a second, and took a tenth of a pool process's CPU."""
    from django.conf import settings

    if settings.WORKER_WARM_UP:
        from izd.pdf import warm_up

        warm_up()
    gc.freeze()


@signals.task_postrun.connect
def _connections_back(**_: Any) -> None:
    """A task's database connection goes back to the process's pool, as after a request (a
    broken one is dropped). Celery's own Django fixup would close the whole pool after every
    task of a prefork worker (celery/celery#10554), so that each task connected anew;
    CELERY_DB_REUSE_MAX (config.settings) keeps it from doing that for every task."""
    from django.db import close_old_connections

    close_old_connections()


class JobDispatcherStep(bootsteps.StartStopStep):
    """Runs the job dispatcher in the worker's main process, once the pool has started (so no
    pool process is forked with the dispatcher's database connection)."""

    requires = ("celery.worker.components:Pool",)

    def __init__(self, parent: Any, without_job_dispatcher: bool = False, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.enabled = not without_job_dispatcher
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, parent: Any) -> None:
        from izd.jobs import dispatcher_loop

        self._thread = threading.Thread(
            target=dispatcher_loop, args=(self._stop,), name="izd-job-dispatcher", daemon=True
        )
        self._thread.start()

    def stop(self, parent: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def terminate(self, parent: Any) -> None:
        self.stop(parent)


app.user_options["worker"].add(
    click.Option(
        ["--without-job-dispatcher"],
        is_flag=True,
        default=False,
        help="Keine Dokumentaufträge nachsenden (ein anderer Worker tut es).",
    )
)
app.steps["worker"].add(JobDispatcherStep)
