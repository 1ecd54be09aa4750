"""Time bounds that hold inside code with no checks of its own (`expressions/overstay`)."""

from __future__ import annotations

import gc
import threading
import time

import pytest

from automations.expressions import overstay
from automations.expressions.errors import Overstayed
from automations.expressions.overstay import bounded, expire, remaining


class Outer(Overstayed):
    """The outer bound's signal in these tests."""


class Inner(Overstayed):
    """The inner bound's signal in these tests."""


def spin(seconds: float) -> None:
    """Busy Python code that never looks at a clock but its own."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_busy_block_is_stopped_soon_after_its_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(Inner), bounded(0.05, Inner):
        spin(5)
    assert time.monotonic() - started < 5  # stopped, not finished


def test_a_block_that_ends_in_time_is_left_alone_and_nothing_fires_later() -> None:
    for _ in range(200):
        with bounded(0.01, Inner):
            sum(range(1000))
    spin(3 * overstay.TICK_SECONDS)  # any injection left behind would land here
    assert remaining() is None


def test_the_earlier_deadline_of_nested_bounds_wins() -> None:
    with pytest.raises(Outer), bounded(0.05, Outer), bounded(10, Inner):
        left = remaining()
        assert left is not None and left <= 0.05
        spin(5)
    with pytest.raises(Inner), bounded(10, Outer), bounded(0.05, Inner):
        spin(5)


def test_expire_raises_the_innermost_bound_and_unregisters_it() -> None:
    with pytest.raises(Inner), bounded(10, Outer), bounded(5, Inner):
        expire(Outer)
    with pytest.raises(Outer):
        expire(Outer)  # outside any bound: the default
    spin(3 * overstay.TICK_SECONDS)
    assert remaining() is None


def test_each_thread_has_its_own_bounds() -> None:
    results: dict[str, str] = {}

    def busy() -> None:
        try:
            with bounded(0.05, Inner):
                spin(5)
            results["busy"] = "finished"
        except Inner:
            results["busy"] = "stopped"

    def calm() -> None:
        with bounded(10, Inner):
            spin(0.3)
        results["calm"] = "finished"

    threads = [threading.Thread(target=busy), threading.Thread(target=calm)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {"busy": "stopped", "calm": "finished"}


def _garbage_heap(cycles: int) -> list[object]:
    """Objects a full collection has to walk (each in a reference cycle, kept alive)."""
    kept: list[object] = []
    for _ in range(cycles):
        node: list[object] = []
        node.append(node)
        kept.append(node)
    return kept


def test_a_garbage_collection_is_no_evaluations_time() -> None:
    heap = _garbage_heap(1_500_000)
    start, wall = overstay.clock(), time.monotonic()
    gc.collect()  # a full pass over the heap above: every thread stands still meanwhile
    paused = time.monotonic() - wall

    assert paused > 0.02  # (the heap is large enough for the collection to be seen)
    assert overstay.clock() - start < paused / 2
    with bounded(paused / 2, Inner):  # a limit shorter than the pause is not charged for it
        gc.collect()
    del heap
