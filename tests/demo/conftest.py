"""Each demo in a database of its own, loaded by the same loaders `start` runs.

The demos are whole centres (the default one has the Main-Kinzig-Kreis' 29 municipalities and
budget years 2025/2026), so they cannot share the test database with the other tests' small
world. Every demo gets a fresh database on the test PostgreSQL server; loaders and state
queries run in `manage.py` subprocesses against it (DATABASE_URL), as on a fresh clone.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings

# Runs inside the demo database: what start runs for the demo (before and beside the server).
LOAD = """
from django.core.management import call_command
from config.management.commands.start import DEMOS
name = {name!r}
call_command("migrate", interactive=False, verbosity=0)
call_command("load_demo_data", if_absent=True, demo=name)
for loader, options in DEMOS[name][1] + DEMOS[name][2]:
    call_command(loader, **options)
"""


@dataclass
class DemoDatabase:
    name: str
    env: dict[str, str]
    load_seconds: list[float] = field(default_factory=list)

    def python(self, code: str, timeout: float = 900) -> str:
        """Run `code` in `manage.py shell` against the demo database; its stdout."""
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=settings.BASE_DIR, env=self.env, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        if result.returncode != 0:
            raise AssertionError(f"manage.py shell failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def load(self) -> str:
        started = time.monotonic()
        output = self.python(LOAD.format(name=self.name))
        self.load_seconds.append(time.monotonic() - started)
        return output

    def json(self, code: str) -> Any:
        """`code` ends by printing one JSON line prefixed with `@@`."""
        lines = [line for line in self.python(code).splitlines() if line.startswith("@@")]
        return json.loads(lines[-1][2:])


def _admin() -> psycopg.Connection:
    db = {k: str(v or "") for k, v in settings.DATABASES["default"].items()}
    return psycopg.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"] or None,
        host=db["HOST"] or None, port=db["PORT"] or None, autocommit=True,
    )  # fmt: skip


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    query = f"?host={quote(str(db['HOST']), safe='')}" if str(db["HOST"]).startswith("/") else ""
    host = "" if query else str(db["HOST"])
    port = f":{db['PORT']}" if db["PORT"] and not query else ""
    auth = quote(str(db["USER"]), safe="") + (
        f":{quote(str(db['PASSWORD']), safe='')}" if db["PASSWORD"] else ""
    )
    return f"postgresql://{auth}@{host}{port}/{name}{query}"


@pytest.fixture(scope="session")
def demo_database(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[object]:
    made: list[str] = []

    def make(demo: str) -> DemoDatabase:
        database = f"izd_demo_{demo}_{os.getpid()}"
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            conn.execute(f'CREATE DATABASE "{database}"')
        made.append(database)
        data_dir: Path = tmp_path_factory.mktemp(f"demo-{demo}")
        env = {
            **os.environ,
            "DATABASE_URL": _url(database),
            # Its own Redis database: the test session's workers never see the demo's jobs.
            "REDIS_URL": settings.REDIS_URL.rsplit("/", 1)[0] + "/7",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "IZD_DATA_DIR": str(data_dir),
            "IZD_DEMO": demo,
        }
        from tenants.demo import DEMO_SETS

        env["IZD_KREIS_NAME"] = DEMO_SETS[demo].kreis_name
        return DemoDatabase(demo, env)

    yield make
    with _admin() as conn:
        for database in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def mkk_demo(demo_database) -> DemoDatabase:
    database = demo_database("mkk")
    database.load()
    return database


@pytest.fixture(scope="session")
def kkd_demo(demo_database) -> DemoDatabase:
    database = demo_database("kkd")
    database.load()
    return database


@pytest.fixture(scope="session")
def egov6_demo(demo_database) -> DemoDatabase:
    database = demo_database("egov6")
    database.load()
    return database
