"""Fixtures of the decision papers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tenants.models import Municipality
from tests.costsharing.factories import SeedTowns, build_seed_towns
from tests.papers.factories import worker_town


@pytest.fixture(scope="session")
def paper_seed_towns(portal, django_db_blocker) -> SeedTowns:
    """The six towns of the cost-sharing seed scenario (shared with its tests, by AGS)."""
    with django_db_blocker.unblock():
        return build_seed_towns()


@pytest.fixture(scope="session")
def worker_towns(portal, django_db_blocker) -> tuple[Municipality, Municipality]:
    """Two towns only the worker tests use: members 2001–2003 only, so that their committed
    membership never shows up in another test's year."""
    with django_db_blocker.unblock():
        return (
            worker_town("Papierstadt Nord", "06998001"),
            worker_town("Papierstadt Süd", "06998002"),
        )


@pytest.fixture
def listener() -> Iterator[list[str]]:
    """A server on 127.0.0.1 that records every request it gets; item 0 is "port:N"."""
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hits.append(f"port:{server.server_address[1]}")
    yield hits
    server.shutdown()


@pytest.fixture
def papers_queue(celery_worker) -> Iterator[str]:
    """Route render tasks to a queue of this session's worker only.

    Several test sessions (other branches, other developers) may share the embedded Redis and
    its default queue; a task must not be picked up by a worker that reads another database.
    """
    import uuid

    from izd.celery import app

    queue = f"papers-test-{uuid.uuid4().hex[:12]}"
    router = app.amqp.router
    previous = router.routes

    def route(name: str, *args: object, **kwargs: object) -> dict[str, str] | None:
        return {"queue": queue} if name == "izd.tasks.render_document" else None

    router.routes = [route, *previous]
    celery_worker.consumer.add_task_queue(queue)
    try:
        yield queue
    finally:
        router.routes = previous
        celery_worker.consumer.cancel_task_queue(queue)
