"""Durable execution: stop after any checkpoint, resume (here and in a new process), same result."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from automations.asl import (
    CheckpointMismatch,
    CheckpointStop,
    Engine,
    EngineOptions,
    ExecutionAlreadyExists,
    ExecutionNotFound,
    ExecutionResult,
    FileCheckpointStore,
    InMemoryCheckpointStore,
    StopAfter,
    TaskContext,
    TaskError,
    VirtualClock,
)
from automations.asl.checkpoint import CheckpointStore

RESOURCE = "arn:aws:states:::lambda:invoke"
DEFINITION: dict[str, Any] = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Assign": {"factor": 3},
            "Parameters": {"items.$": "$.items"},
            "Next": "Nap",
        },
        "Nap": {"Type": "Wait", "Seconds": 86400, "Next": "Fan"},
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Each",
                    "States": {
                        "Each": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "MaxConcurrency": 2,
                            "ItemProcessor": {
                                "StartAt": "Double",
                                "States": {
                                    "Double": {
                                        "Type": "Task",
                                        "Resource": RESOURCE,
                                        "Parameters": {"op": "double", "n.$": "$"},
                                        "Retry": [
                                            {"ErrorEquals": ["Flaky"], "IntervalSeconds": 10}
                                        ],
                                        "Next": "Rest",
                                    },
                                    "Rest": {"Type": "Wait", "Seconds": 60, "End": True},
                                },
                            },
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "Slow",
                    "States": {
                        "Slow": {"Type": "Wait", "Seconds": 3600, "Next": "Sum"},
                        "Sum": {
                            "Type": "Task",
                            "Resource": RESOURCE,
                            "Parameters": {"op": "sum", "items.$": "$.items"},
                            "End": True,
                        },
                    },
                },
            ],
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [{"Variable": "$[1]", "NumericGreaterThan": 5, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {
            "Type": "Pass",
            "Parameters": {"result.$": "$", "factor.$": "$factor"},
            "End": True,
        },
        "Small": {"Type": "Fail", "Error": "TooSmall"},
    },
}
INPUT = {"items": [1, 2, 3]}
EXPECTED_OUTPUT = {"result": [[2, 4, 6], 6], "factor": 3}


async def resolver(resource: str, arguments: Any, context: TaskContext) -> Any:
    """Deterministic across processes: item 2 fails on its first attempt only."""
    await asyncio.sleep(0)
    if arguments["op"] == "sum":
        return sum(arguments["items"])
    if arguments["n"] == 2 and context.retry_count == 0:
        raise TaskError("Flaky", "first attempt")
    return arguments["n"] * 2


def engine(store: CheckpointStore | None, every_transition: bool = False) -> Engine:
    options = EngineOptions(checkpoint_each_transition=every_transition)
    return Engine(resolver, VirtualClock(start=0.0), store, options=options)


def start(store: CheckpointStore | None, every_transition: bool = False) -> ExecutionResult:
    run = engine(store, every_transition).start(DEFINITION, INPUT, execution_id="exec-1")
    return asyncio.run(run)


def resume(store: CheckpointStore) -> ExecutionResult:
    return asyncio.run(engine(store).resume("exec-1", DEFINITION))


def count_checkpoints(every_transition: bool) -> int:
    store = InMemoryCheckpointStore()
    start(store, every_transition)
    return store.saves


def test_the_machine_runs_through() -> None:
    result = start(None)
    assert (result.status, result.output) == ("SUCCEEDED", EXPECTED_OUTPUT)


def test_checkpoints_are_saved_before_each_wait_or_after_each_transition() -> None:
    before_waits, every_transition = count_checkpoints(False), count_checkpoints(True)
    assert 10 < before_waits < every_transition
    transitions = sum(1 for e in start(None).history if e["type"].endswith("StateExited"))
    assert every_transition > transitions


@pytest.mark.parametrize("every_transition", [False, True])
def test_stopping_after_any_checkpoint_and_resuming_gives_the_same_result(
    every_transition: bool,
) -> None:
    baseline = start(None)
    total = count_checkpoints(every_transition)
    for stop_after in range(1, total):
        store = InMemoryCheckpointStore()
        with pytest.raises(CheckpointStop):
            start(StopAfter(store, stop_after), every_transition)
        result = resume(store)
        assert (result.status, result.output) == (baseline.status, baseline.output), stop_after
        assert set(result.trace) == set(baseline.trace)
        ids = [event["id"] for event in result.history]
        assert ids == list(range(1, len(ids) + 1))


def test_a_sequential_machine_resumes_with_an_identical_history() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": 1, "Next": "B"},
            "B": {"Type": "Wait", "Seconds": 5, "Next": "C"},
            "C": {"Type": "Pass", "End": True},
        },
    }

    def run(store: CheckpointStore | None) -> ExecutionResult:
        engine = Engine(
            resolver,
            VirtualClock(start=0.0),
            store,
            options=EngineOptions(checkpoint_each_transition=True),
        )
        return asyncio.run(engine.start(definition, {}, execution_id="seq"))

    baseline = run(None)
    for stop_after in range(1, 4):
        store = InMemoryCheckpointStore()
        with pytest.raises(CheckpointStop):
            run(StopAfter(store, stop_after))
        engine = Engine(resolver, VirtualClock(start=0.0), store)
        result = asyncio.run(engine.resume("seq", definition))
        strip = [{k: v for k, v in e.items() if k != "timestamp"} for e in result.history]
        want = [{k: v for k, v in e.items() if k != "timestamp"} for e in baseline.history]
        assert strip == want


def test_resuming_a_finished_execution_returns_its_result() -> None:
    store = InMemoryCheckpointStore()
    first = start(store)
    again = resume(store)
    assert (again.status, again.output, len(again.history)) == (
        first.status,
        first.output,
        len(first.history),
    )


def test_resume_refuses_unknown_executions_and_other_definitions() -> None:
    store = InMemoryCheckpointStore()
    with pytest.raises(ExecutionNotFound):
        resume(store)
    with pytest.raises(CheckpointStop):
        start(StopAfter(store, 3))
    other = {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}}
    with pytest.raises(CheckpointMismatch):
        asyncio.run(Engine(resolver, VirtualClock(), store).resume("exec-1", other))


def test_starting_an_existing_execution_is_idempotent() -> None:
    store = InMemoryCheckpointStore()
    first = start(store)
    saves = store.saves
    again = start(store)
    assert (again.status, again.output) == (first.status, first.output)
    assert store.saves == saves  # nothing ran a second time
    with pytest.raises(ExecutionAlreadyExists):
        asyncio.run(engine(store).start(DEFINITION, {"items": [9]}, execution_id="exec-1"))


SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from automations.asl import CheckpointStop, Engine, FileCheckpointStore, StopAfter, VirtualClock
    from tests.unit.asl.test_checkpoint import DEFINITION, INPUT, resolver

    folder, phase, stop_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = FileCheckpointStore(folder)
    if phase == "crash":
        engine = Engine(resolver, VirtualClock(start=0.0), StopAfter(store, stop_after))
        try:
            asyncio.run(engine.start(DEFINITION, INPUT, execution_id="exec-1"))
        except CheckpointStop:
            sys.exit(3)
        sys.exit(0)
    engine = Engine(resolver, VirtualClock(start=0.0), store)
    result = asyncio.run(engine.resume("exec-1", DEFINITION))
    print(json.dumps({"status": result.status, "output": result.output, "trace": result.trace}))
    """
)


@pytest.mark.parametrize("stop_after", [2, 6, 10])
def test_resume_in_a_new_process(tmp_path: Path, stop_after: int) -> None:
    root = Path(__file__).resolve().parents[3]
    script = tmp_path / "run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    folder = tmp_path / "checkpoints"

    def phase(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(script), str(folder), name, str(stop_after)],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
            env={"PYTHONPATH": str(root)},
        )

    crashed = phase("crash")
    assert crashed.returncode == 3, crashed.stderr
    assert FileCheckpointStore(folder).load("exec-1") is not None
    resumed = phase("resume")
    assert resumed.returncode == 0, resumed.stderr
    result = json.loads(resumed.stdout)
    baseline = start(None)
    assert (result["status"], result["output"]) == (baseline.status, baseline.output)
    assert set(result["trace"]) == set(baseline.trace)
