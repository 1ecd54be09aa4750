from __future__ import annotations

from datetime import UTC, datetime, timedelta

from automations.model.base import utc_iso
from automations.model.process import (
    EventRef,
    Initiator,
    ProcessChange,
    ProcessError,
    ProcessRecord,
    ProcessStatus,
    TraceStep,
)
from automations.ports import ProcessQuery, ProcessStore

T = datetime(2026, 1, 2, tzinfo=UTC)


def _process(number: int, scenario: str = "s1", minutes: int = 0) -> ProcessRecord:
    return ProcessRecord(
        id=f"p{number}",
        scenario_id=scenario,
        scenario_version=1,
        event=EventRef(id="1", type="$record.after.create"),
        input={"n": number},
        queued_at=T + timedelta(minutes=minutes),
    )


def test_create_is_idempotent_per_id(process_store: ProcessStore) -> None:
    store = process_store
    assert (store.create(_process(1)), store.create(_process(1))) == (True, False)
    assert store.get("p1") == _process(1)


def test_change_is_compare_and_set(process_store: ProcessStore) -> None:
    store = process_store
    store.create(_process(1))
    running = store.change(
        "p1",
        frozenset({ProcessStatus.QUEUED}),
        ProcessChange(status=ProcessStatus.RUNNING, started_at=T),
    )
    again = store.change(
        "p1", frozenset({ProcessStatus.QUEUED}), ProcessChange(status=ProcessStatus.RUNNING)
    )
    assert (running is not None and running.status, again) == (ProcessStatus.RUNNING, None)


def test_finishing_keeps_output_error_and_trace(process_store: ProcessStore) -> None:
    store = process_store
    store.create(_process(1))
    finish = ProcessChange(
        status=ProcessStatus.ERROR,
        finished_at=T,
        duration_ms=12,
        output={"x": 1},
        error=ProcessError(code="http.timeout", message="slow", element="Fetch"),
        trace=[TraceStep(element="Start", entered_at=utc_iso(T), exited_at=utc_iso(T))],
    )
    store.change("p1", frozenset({ProcessStatus.QUEUED, ProcessStatus.RUNNING}), finish)
    stored = store.get("p1")
    assert stored is not None
    assert (stored.status, stored.error, stored.trace[0].element, stored.input) == (
        ProcessStatus.ERROR,
        ProcessError(code="http.timeout", message="slow", element="Fetch"),
        "Start",
        {"n": 1},
    )


def test_change_of_unknown_process_is_none(process_store: ProcessStore) -> None:
    result = process_store.change(
        "nope", frozenset(ProcessStatus), ProcessChange(status=ProcessStatus.ABORTED)
    )
    assert result is None


def test_find_filters_newest_first(process_store: ProcessStore) -> None:
    store = process_store
    for number, scenario in enumerate(["a", "b", "a", "a"]):
        store.create(_process(number, scenario, minutes=number))
    store.change(
        "p2", frozenset({ProcessStatus.QUEUED}), ProcessChange(status=ProcessStatus.RUNNING)
    )
    assert [p.id for p in store.find(ProcessQuery(scenario_id="a"))] == ["p3", "p2", "p0"]
    assert [p.id for p in store.find(ProcessQuery(status=ProcessStatus.RUNNING))] == ["p2"]
    window = ProcessQuery(since=T + timedelta(minutes=1), until=T + timedelta(minutes=2))
    assert [p.id for p in store.find(window)] == ["p2", "p1"]
    assert [p.id for p in store.find(ProcessQuery(limit=1, offset=1))] == ["p2"]


def test_find_by_initiator_pages_over_that_users_processes(process_store: ProcessStore) -> None:
    for number, user in enumerate(["7", None, "7", "8", "7"]):
        started = _process(number, minutes=number)
        process_store.create(started.model_copy(update={"initiator": Initiator(user_id=user)}))
    mine = ProcessQuery(initiator_id="7")
    assert [p.id for p in process_store.find(mine)] == ["p4", "p2", "p0"]
    assert [
        p.id for p in process_store.find(ProcessQuery(initiator_id="7", limit=1, offset=1))
    ] == ["p2"]
    assert [p.id for p in process_store.find(ProcessQuery(initiator_id="9"))] == []
    assert len(process_store.find(ProcessQuery())) == 5


def test_claim_queued_respects_order_and_the_running_limit(process_store: ProcessStore) -> None:
    store = process_store
    for number in range(5):
        store.create(_process(number))
    first = store.claim_queued(max_running=2, now=T)
    none_free = store.claim_queued(max_running=2, now=T)
    store.change(
        "p0", frozenset({ProcessStatus.RUNNING}), ProcessChange(status=ProcessStatus.COMPLETED)
    )
    next_one = store.claim_queued(max_running=2, now=T)
    assert ([p.id for p in first], none_free, [p.id for p in next_one]) == (
        ["p0", "p1"],
        [],
        ["p2"],
    )
    assert (store.count(ProcessStatus.RUNNING), store.count(ProcessStatus.QUEUED)) == (2, 2)
    claimed = store.get("p2")
    assert claimed is not None and claimed.started_at == T
