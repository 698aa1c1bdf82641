"""One Redis connection pool per process, and a short memory of Redis being unreachable.

Django's RedisCache builds a pool for every thread, and a client made per call builds one per
call: under a threaded server that adds up to many connections. Here every thread of a process
borrows from the same bounded pool. A pool made before a fork is not reused by the child (its
sockets belong to the parent).

When a call fails to reach Redis, callers skip Redis for a few seconds instead of paying the
connect timeout on every request of that time.
"""

from __future__ import annotations

import os
import threading
import time

import redis

from izd import sizing

# The errors that mean "Redis is not there", as opposed to a bug in how it is called.
UNREACHABLE_ERRORS: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
    OSError,
)
RETRY_AFTER_SECONDS = 3.0

_lock = threading.Lock()
_pools: dict[str, redis.BlockingConnectionPool] = {}
_pid = os.getpid()
_unreachable_until = 0.0


def pool(url: str) -> redis.BlockingConnectionPool:
    """The process's pool for this URL; threads wait briefly for a free connection."""
    global _pid
    with _lock:
        if os.getpid() != _pid:  # forked: the parent's sockets are not ours
            _pools.clear()
            _pid = os.getpid()
        found = _pools.get(url)
        if found is None:
            timeout = sizing.redis_timeout()
            found = redis.BlockingConnectionPool.from_url(
                url,
                max_connections=sizing.redis_max_connections(),
                # Waiting for a free connection of the pool: threads beyond its size queue
                # here, which must not read as Redis being gone.
                timeout=max(5.0, timeout),
                socket_connect_timeout=timeout,
                socket_timeout=max(timeout, 2.0),
                health_check_interval=30,
            )
            _pools[url] = found
        return found


def client(url: str) -> redis.Redis:
    return redis.Redis(connection_pool=pool(url))


def seems_unreachable() -> bool:
    return time.monotonic() < _unreachable_until


def mark_unreachable() -> None:
    global _unreachable_until
    _unreachable_until = time.monotonic() + RETRY_AFTER_SECONDS


def mark_reachable() -> None:
    global _unreachable_until
    _unreachable_until = 0.0


def ping(url: str) -> bool:
    """Whether Redis answers; remembers a failure so that others skip Redis for a while."""
    try:
        answered = bool(client(url).ping())
    except UNREACHABLE_ERRORS:
        mark_unreachable()
        return False
    mark_reachable()
    return answered
