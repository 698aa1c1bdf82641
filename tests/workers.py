"""Real Celery worker processes (and a Redis of a test's own) for the fault tests.

Unlike the session's worker thread (tests/conftest.py), these are separate process groups that a
test can kill with SIGKILL, on the test database, with the job dispatcher running.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from config.celery import app


def database_url() -> str:
    """The test database (the one this process uses now) as a DATABASE_URL."""
    db = connection.settings_dict
    user = quote(str(db["USER"]), safe="")
    password = quote(str(db["PASSWORD"] or ""), safe="")
    name = quote(str(db["NAME"]), safe="")
    host = str(db["HOST"] or "")
    if host.startswith("/"):
        return f"postgresql://{user}:{password}@/{name}?host={quote(host, safe='')}"
    return f"postgresql://{user}:{password}@{host}:{db['PORT'] or 5432}/{name}"


def process_env(queue: str, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url or settings.REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,
        IZD_DATA_DIR=str(settings.DATA_DIR),
        IZD_TASK_QUEUE=queue,
        PYTHONPATH=str(settings.BASE_DIR),
        **extra,
    )
    return env


@contextmanager
def own_queue() -> Iterator[str]:
    """Jobs this process sends go to a queue of the test's own, which only its workers read."""
    queue = f"izd-fault-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = previous


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL to the whole process group: the main process and every pool process."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def start_worker(
    folder: Path,
    queue: str,
    *,
    redis_url: str | None = None,
    include: tuple[str, ...] = (),
    concurrency: int = 2,
    **extra_env: str,
) -> WorkerProcess:
    """`celery worker` as in production (prefork pool, dispatcher on), in its own process
    group."""
    name = f"fault-{uuid.uuid4().hex[:8]}@%h"
    log = folder / f"{name.split('@')[0]}.log"
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--loglevel", "warning", "--pool", "prefork", "--concurrency", str(concurrency),
        "--hostname", name, "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    for module in include:
        command += ["--include", module]
    with log.open("wb") as handle:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=process_env(queue, redis_url, **extra_env),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
        )
    return WorkerProcess(process=process, log=log)


@contextmanager
def worker(folder: Path, queue: str, **options: object) -> Iterator[WorkerProcess]:
    started = start_worker(folder, queue, **options)  # type: ignore[arg-type]
    try:
        yield started
    finally:
        started.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class OwnRedis:
    """A redis-server of the test's own (the binary the embedded Redis uses), never the shared
    one: stopping it affects only this test."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        from izd.embedded import _redis_answers, _redis_binary

        command = [
            _redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.folder), "--save", "", "--appendonly", "no",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while not _redis_answers(self.port):
            assert time.monotonic() < deadline, "own redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop it the hard way: its data (queued messages included) is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None


@contextmanager
def own_redis(folder: Path) -> Iterator[OwnRedis]:
    redis = OwnRedis(port=free_port(), folder=folder)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@contextmanager
def broker(url: str) -> Iterator[None]:
    """This process sends its jobs to the broker at `url`."""
    previous = app.conf.broker_url
    app.conf.broker_url = url
    try:
        yield
    finally:
        app.conf.broker_url = previous


def wait_for(predicate: object, timeout: float, message: str, pause: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(pause)


def thread_worker(queue: str, **options: Any) -> Any:
    """A Celery worker in threads of this process, reading only `queue` (a context manager)."""
    from celery.contrib.testing.worker import start_worker

    return start_worker(
        app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        loglevel="WARNING",
        queues=[queue],
        **options,
    )
