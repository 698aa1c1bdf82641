"""Work on many schemas spread over a few database connections, one thread each.

Most of a schema's DDL is PostgreSQL's work in its backend process (and, for a new index, waiting
for the disk); with a few connections those run side by side while Python prepares the next one.
Inside a transaction there is only the one connection: the caller then goes one item after the
other (`workers_for` says 1).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

Item = TypeVar("Item")
Result = TypeVar("Result")


def workers_for(wanted: int, count: int, alias: str = DEFAULT_DB_ALIAS) -> int:
    """How many connections may work at once: 1 inside a transaction (nothing else would see
    its uncommitted rows), never more than the pool lends besides the caller's own."""
    connection = connections[alias]
    if connection.in_atomic_block:
        return 1
    pool = connection.settings_dict.get("OPTIONS", {}).get("pool")
    if isinstance(pool, dict) and pool.get("max_size"):
        # The calling thread keeps its connection; the workers borrow from the same pool.
        wanted = min(wanted, int(pool["max_size"]) - 1)
    return max(1, min(wanted, count))


def on_connections(
    items: Sequence[Item],
    work: Callable[[Any, Item], Result],
    *,
    workers: int,
    alias: str = DEFAULT_DB_ALIAS,
) -> list[Result]:
    """`work(connection, item)` for every item, by `workers` threads with a connection each;
    the results in the order of the items. The first exception stops the threads from taking
    further items and is raised once all have finished theirs."""
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(items)):
        todo.put(index)
    results: dict[int, Result] = {}
    failures: list[BaseException] = []
    stop = threading.Event()

    def run() -> None:
        connection = connections[alias]  # this thread's own
        try:
            while not stop.is_set():
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    results[index] = work(connection, items[index])
                except BaseException as error:
                    failures.append(error)
                    stop.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, name=f"schemas-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return [results[index] for index in range(len(items))]
