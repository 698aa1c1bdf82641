"""The start and the measuring helpers of the benchmark scripts (Django only inside
`django_for_benchmark`: bench_load imports this module before its own setup)."""

from __future__ import annotations

import os
import socket


def django_for_benchmark(database: str, **environment: str) -> None:
    """Sets Django up with the project's settings for a benchmark whose throw-away database
    (`database.bench_database`) is named `database`; `environment` adds defaults of its own."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_TEST_NAME", database)
    for name, value in environment.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
