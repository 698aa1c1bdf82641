"""The garbage collector's pause around a computation over many members."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from costsharing.computation import collector_paused


@pytest.fixture
def no_automatic_collection() -> Iterator[None]:
    """No collection starts by itself in the test, so each object stays where it was put."""
    thresholds = gc.get_threshold()
    gc.set_threshold(0)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _in_generation(objects: list[list[int]], generation: int) -> bool:
    kept = {id(item) for item in gc.get_objects(generation=generation)}
    return all(id(item) in kept for item in objects)


@pytest.mark.usefixtures("no_automatic_collection")
def test_the_collector_is_off_during_the_pause_and_on_again_after_it() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner pause does not switch it on
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("no_automatic_collection")
def test_what_a_pause_made_skips_the_young_generation() -> None:
    with collector_paused():
        made = [[n] for n in range(100)]
        assert _in_generation(made, 0)
    assert _in_generation(made, 2)
    assert not gc.get_freeze_count()


@pytest.mark.usefixtures("no_automatic_collection")
def test_a_pause_leaves_a_process_that_froze_its_objects_frozen() -> None:
    held = [[n] for n in range(100)]
    gc.freeze()  # as a Celery pool process does after its start
    try:
        with collector_paused():
            made = [[n] for n in range(100)]
        # frozen objects are in no generation (the count of frozen objects itself drops
        # whenever one of them is freed, so it is no measure here)
        assert not any(_in_generation(held, generation) for generation in range(3))
        assert _in_generation(made, 0)
    finally:
        gc.unfreeze()


def test_a_pause_inside_a_paused_collector_leaves_it_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            made = [[n] for n in range(100)]
        assert not gc.isenabled()
        assert not _in_generation(made, 2)
    finally:
        gc.enable()
