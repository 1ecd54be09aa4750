"""Synchronous runs on the embedded server: a machine that can never wait runs at once and is
stored once; the limit on running processes holds for it; a server process that is not the
primary leaves background work to the primary."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.model.event import EventType
from automations.model.process import (
    EventRef,
    ProcessChange,
    ProcessRecord,
    ProcessStatus,
)
from automations.ports import ProcessQuery
from automations.service.errors import TooManyProcesses
from automations.service.processes import Processes, Start
from automations.service.scenarios import save_scenario
from automations.service.variables import Trigger
from automations.settings import Settings

HERE = Path(__file__).parent
THREE_STEPS = (HERE.parent.parent / "bench" / "scenarios" / "three-steps-sync.bpmn").read_text()
WAITS = (HERE.parent / "e2e" / "scenarios" / "wait-two-seconds.bpmn").read_text()


class CountingStore:
    """The process store, counting the writes made through it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.writes: list[str] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.inner, name)
        if name in ("create", "create_async", "change", "admit"):
            self.writes.append(name)
        return found


def runtime_with(tmp_path: Path, primary: Any = None, **settings: Any) -> LocalRuntime:
    runtime = build_runtime(tmp_path / "sync.db", Settings(demo=False, **settings), primary=primary)
    save_scenario(runtime.automation.scenarios, "three", THREE_STEPS)
    save_scenario(runtime.automation.scenarios, "waits", WAITS)
    return runtime


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = runtime_with(tmp_path, max_running=2)
    yield built
    built.close()


def start(scenario_id: str, n: int = 21) -> Start:
    facts = {"query": {"n": str(n)}}
    trigger = Trigger(EventType.WEB_REQUEST, "endpoint-1", None, sync=True, facts=facts)
    return Start(scenario_id=scenario_id, trigger=trigger)


def running_elsewhere(runtime: LocalRuntime) -> str:
    """A process stored `running` that nothing in this server runs."""
    process_id = uuid.uuid4().hex
    runtime.automation.processes.deps.processes.create(
        ProcessRecord(
            id=process_id,
            scenario_id="waits",
            scenario_version=1,
            event=EventRef.model_validate({"id": "x", "type": "$manual", "async": True}),
            status=ProcessStatus.RUNNING,
            queued_at=datetime(2026, 1, 2, tzinfo=UTC),
        )
    )
    return process_id


def test_a_machine_that_cannot_wait_is_stored_once_when_it_ends(runtime: LocalRuntime) -> None:
    deps = runtime.automation.processes.deps
    counting = CountingStore(deps.processes)
    processes = Processes(replace(deps, processes=counting))

    ended = processes.run_sync(start("three"))
    now = asyncio.run(processes.run_sync_now(start("three", 5), 1.0))

    assert counting.writes == ["create", "create_async"]  # never stored `running`, never changed
    for process, n in ((ended, 21), (now, 5)):
        assert process is not None
        stored = counting.inner.get(process.id)
        assert stored is not None
        assert stored.model_dump(mode="json") == process.model_dump(mode="json")
        assert stored.status is ProcessStatus.COMPLETED
        assert stored.output["response"] == {"status": 200, "body": {"doubled": 2 * n}}
        assert [step.element for step in stored.trace] == [
            "Start",
            "Read",
            "Compute",
            "Answer",
            "End",
        ]
        assert stored.started_at is not None and stored.finished_at is not None
        assert stored.started_at <= stored.finished_at
        assert stored.event.async_ is False


def test_a_machine_that_can_wait_is_left_to_a_thread(runtime: LocalRuntime) -> None:
    processes = runtime.automation.processes
    assert asyncio.run(processes.run_sync_now(start("waits"), 1.0)) is None
    assert processes.find(ProcessQuery()) == []  # nothing started, nothing stored


def test_the_limit_refuses_runs_that_cannot_wait_too(runtime: LocalRuntime) -> None:
    running_elsewhere(runtime)
    running_elsewhere(runtime)  # max_running is 2
    processes = runtime.automation.processes

    with pytest.raises(TooManyProcesses):
        processes.run_sync(start("three"))
    with pytest.raises(TooManyProcesses):
        asyncio.run(processes.run_sync_now(start("three"), 1.0))

    refused = processes.deps.processes.count(ProcessStatus.ERROR)
    assert refused == 2
    errors = [
        p.error.code
        for p in processes.find(ProcessQuery(status=ProcessStatus.ERROR))
        if p.error is not None
    ]
    assert errors == ["Process.TooManyProcesses"] * 2


class FakePrimary:
    """Stands for the primary server process: what it was told, and what it does on a stop."""

    def __init__(self) -> None:
        self.told: list[tuple[str, ...]] = []
        self.runtime: LocalRuntime | None = None

    def ring(self) -> None:
        self.told.append(("dispatcher",))

    def pump(self) -> None:
        self.told.append(("pump",))

    def stop(self, process_id: str) -> None:
        self.told.append(("stop", process_id))
        assert self.runtime is not None  # the primary ends it (here: in the store)
        self.runtime.automation.processes.deps.processes.change(
            process_id,
            frozenset({ProcessStatus.RUNNING}),
            ProcessChange(status=ProcessStatus.ABORTED, finished_at=datetime.now(UTC)),
        )


def test_a_worker_leaves_queued_and_running_processes_to_the_primary(tmp_path: Path) -> None:
    primary = FakePrimary()
    worker = runtime_with(tmp_path, primary)
    primary.runtime = worker
    try:
        processes = worker.automation.processes
        queued = processes.enqueue(start("three"))
        started = processes.pump()
        elsewhere = running_elsewhere(worker)
        stopped = processes.stop(elsewhere)
        ran = processes.run_sync(start("three"))  # what callers wait for runs here

        assert queued is not None and started == 0
        assert processes.get(queued.id).status is ProcessStatus.QUEUED  # left to the primary
        assert stopped.status is ProcessStatus.ABORTED
        assert ran.status is ProcessStatus.COMPLETED
        assert primary.told == [("pump",), ("stop", elsewhere)]
    finally:
        worker.close()
