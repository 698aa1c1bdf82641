"""How much one process of the portal may hold: requests in flight, database and Redis connections.

Read by the settings, the gunicorn configuration and the load benchmark, so that the three agree.
A small office (a Kreis and its municipalities, a few dozen people at once) needs no tuning: the
defaults serve 2 × 4 requests at a time with at most 2 × 6 database connections for the web.
"""

from __future__ import annotations

from dataclasses import dataclass

from izd.env import EnvironmentError_, env_int


@dataclass(frozen=True)
class DatabasePool:
    min_size: int
    max_size: int  # 0: no pool, one connection per thread (e.g. behind PgBouncer)
    timeout: int  # seconds a request waits for a free connection before it fails


def web_workers() -> int:
    return env_int("IZD_WEB_WORKERS", 2, minimum=1)


def web_threads() -> int:
    return env_int("IZD_WEB_THREADS", 4, minimum=1)


def web_timeout() -> int:
    return env_int("IZD_WEB_TIMEOUT", 60, minimum=10)


def worker_concurrency() -> int:
    return env_int("IZD_WORKER_CONCURRENCY", 2, minimum=1)


def database_pool() -> DatabasePool:
    pool = DatabasePool(
        min_size=env_int("DATABASE_POOL_MIN_SIZE", 1, minimum=0),
        max_size=env_int("DATABASE_POOL_MAX_SIZE", 6, minimum=0),
        timeout=env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1),
    )
    if pool.max_size and pool.min_size > pool.max_size:
        raise EnvironmentError_(
            f"DATABASE_POOL_MIN_SIZE ({pool.min_size}) must not exceed "
            f"DATABASE_POOL_MAX_SIZE ({pool.max_size})."
        )
    if pool.max_size and pool.max_size < web_threads():
        # Every thread of a web worker holds one connection while it serves a request; fewer
        # connections than threads would make requests queue for a connection.
        raise EnvironmentError_(
            f"DATABASE_POOL_MAX_SIZE ({pool.max_size}) must be at least "
            f"IZD_WEB_THREADS ({web_threads()})."
        )
    return pool


def redis_max_connections() -> int:
    """Connections one process opens at most for each of its Redis clients.

    A process has up to three: the cache and health check share one pool, Celery's producer and
    its result backend have one each.
    """
    return env_int("REDIS_MAX_CONNECTIONS", 10, minimum=2)


def redis_timeout() -> float:
    """Seconds to wait for Redis before treating it as unreachable."""
    return env_int("REDIS_TIMEOUT_MS", 500, minimum=10) / 1000


def worker_heartbeat_seconds() -> int:
    return env_int("IZD_WORKER_HEARTBEAT_SECONDS", 10, minimum=1)
