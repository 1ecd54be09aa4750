"""The DynamoDB semaphore: `admit` and `claim_queued` never let more than the limit run, and a
slot is freed exactly once whoever ends a process, however many callers race."""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from automations.adapters.aws.processes import DynamoProcessStore
from automations.model.process import EventRef, ProcessChange, ProcessRecord, ProcessStatus

T = datetime(2026, 1, 2, tzinfo=UTC)
RUNNING = frozenset({ProcessStatus.RUNNING})
DONE = ProcessChange(status=ProcessStatus.COMPLETED, finished_at=T)


def _process(number: int, status: ProcessStatus = ProcessStatus.QUEUED) -> ProcessRecord:
    return ProcessRecord(
        id=f"p{number:03d}",
        scenario_id="s",
        scenario_version=1,
        event=EventRef(id="1", type="$manual"),
        status=status,
        queued_at=T + timedelta(seconds=number),
    )


@pytest.fixture
def store(dynamodb: Any, tables: dict[str, str], one_request_at_a_time: None) -> DynamoProcessStore:
    return DynamoProcessStore(dynamodb, tables["Automations"])


def _in_threads(calls: list[Callable[[], Any]], workers: int = 50) -> list[Any]:
    start = threading.Barrier(min(workers, len(calls)))

    def run(call: Callable[[], Any]) -> Any:
        # Start together; a last batch smaller than the barrier starts when it breaks.
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=5)
        return call()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, calls))


def test_200_concurrent_admits_let_exactly_10_run(store: DynamoProcessStore) -> None:
    seen: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.append(store.running())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        admitted = _in_threads(
            [lambda n=n: store.admit(_process(n), max_running=10) for n in range(200)]
        )
    finally:
        stop.set()
        watcher.join()
    assert admitted.count(True) == 10
    assert (store.running(), store.count(ProcessStatus.RUNNING)) == (10, 10)
    assert seen and max(seen) <= 10
    refused = [f"p{n:03d}" for n, ok in enumerate(admitted) if not ok]
    assert [store.get(p) for p in refused] == [None] * 190  # nothing stored for a refusal


def test_two_callers_ending_one_process_free_its_slot_once(store: DynamoProcessStore) -> None:
    for n in range(10):
        assert store.admit(_process(n), max_running=10)
    ended = _in_threads(
        [lambda n=n: store.change(f"p{n:03d}", RUNNING, DONE) for n in range(10)] * 2
    )
    assert sum(result is not None for result in ended) == 10
    assert (store.running(), store.count(ProcessStatus.COMPLETED)) == (0, 10)
    again = _in_threads(
        [lambda n=n: store.admit(_process(n), max_running=10) for n in range(10, 30)]
    )
    assert (again.count(True), store.running()) == (10, 10)


def test_claims_and_admits_share_the_limit(store: DynamoProcessStore) -> None:
    for n in range(5):
        assert store.create(_process(n))
    for n in range(5, 13):
        assert store.admit(_process(n), max_running=10)
    claimed = store.claim_queued(max_running=10, now=T)
    assert [p.id for p in claimed] == ["p000", "p001"]
    assert not store.admit(_process(20), max_running=10)
    assert (store.running(), store.count(ProcessStatus.QUEUED)) == (10, 3)


def test_concurrent_claims_never_exceed_the_limit(store: DynamoProcessStore) -> None:
    for n in range(60):
        assert store.create(_process(n))
    claims = _in_threads([lambda: store.claim_queued(max_running=10, now=T)] * 20, workers=20)
    ids = [p.id for batch in claims for p in batch]
    assert sorted(ids) == [f"p{n:03d}" for n in range(10)]  # the oldest, each claimed once
    assert (store.running(), store.count(ProcessStatus.RUNNING)) == (10, 10)


def test_the_counter_follows_every_way_into_and_out_of_running(store: DynamoProcessStore) -> None:
    rng = random.Random(5)
    statuses = list(ProcessStatus)
    for n in range(40):
        match rng.randrange(4):
            case 0:
                store.create(_process(n, rng.choice(statuses)))
            case 1:
                store.admit(_process(n), max_running=8)
            case 2:
                store.claim_queued(max_running=8, now=T)
            case _:
                target = f"p{rng.randrange(n + 1):03d}"
                wanted = frozenset(rng.sample(statuses, 2))
                store.change(target, wanted, ProcessChange(status=rng.choice(statuses)))
        assert store.running() == store.count(ProcessStatus.RUNNING)
    assert store.running() > 0
