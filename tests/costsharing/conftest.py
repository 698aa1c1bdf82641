"""Fixtures of cost sharing: the six towns of the seed scenario, created once per session, and
a private queue for the tests that render notices through the real Celery worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.costsharing.factories import SeedTowns, build_seed_towns


@pytest.fixture(scope="session")
def seed_towns(portal, django_db_blocker) -> SeedTowns:
    with django_db_blocker.unblock():
        return build_seed_towns()


@pytest.fixture
def notices_queue(celery_worker) -> Iterator[str]:
    """Route render tasks to a queue only this session's worker reads.

    Other test sessions may share the embedded Redis and its default queue; a worker of
    another session reads another database and would fail the document.
    """
    import uuid

    from izd.celery import app

    queue = f"costsharing-test-{uuid.uuid4().hex[:12]}"
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
