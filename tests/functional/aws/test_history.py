"""`execution_end` on real-shaped EventBridge events: the process gets the status, output, error
and trace the embedded engine gives for the same scenario and input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sfn_support as sfn

from automations.adapters.aws.errors import ExecutionNotEnded
from automations.adapters.aws.history import ended, engine_event, execution_end
from automations.model.process import ProcessStatus
from automations.service.outcome import outcome, trace_steps

CALLS = {"call-discount": ["discount-calculator"], "slow-approval": ["wait-for-manager"]}
RUNS = [
    pytest.param(stem, index, id=f"{stem}-{index}")
    for stem, runs in sfn.EXPECTATIONS.items()
    for index in range(len(runs))
]


def steps(history: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """The trace without its times: element, and whether it was left."""
    return [(step.element, step.exited_at is not None) for step in trace_steps(history)]


def states_entered(history: list[dict[str, Any]]) -> list[str]:
    """Every state entered, as a sorted multiset (the same whatever the branches' timing)."""
    return sorted(
        e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e
    )


def concurrent(definition: Any) -> bool:
    """Whether the machine runs branches or iterations at once (Parallel, Map): then the order
    in which their states appear depends on timing, in AWS as in the engine."""
    if isinstance(definition, dict):
        return definition.get("Type") in {"Parallel", "Map"} or any(
            concurrent(v) for v in definition.values()
        )
    return isinstance(definition, list) and any(concurrent(v) for v in definition)


def test_an_event_timestamp_becomes_epoch_seconds() -> None:
    moment = datetime(2026, 11, 28, 9, 0, 1, 500000, tzinfo=UTC)
    event = {"id": 2, "previousEventId": 1, "type": "PassStateEntered", "timestamp": moment}
    assert engine_event(event) == {**event, "timestamp": moment.timestamp()}


@pytest.mark.parametrize(("stem", "index"), RUNS)
def test_an_ended_execution_gives_the_engines_end(tmp_path: Path, stem: str, index: int) -> None:
    expected = sfn.EXPECTATIONS[stem][index]
    with sfn.world(tmp_path) as world:
        for called in CALLS.get(stem, []):
            world.save(called)
        world.save(stem)
        process_id = world.enqueue(stem, expected["input"])
        execution = world.execution_of(process_id)
        sfn.finished(world.sfn, execution)
        event = sfn.status_change_event(world.sfn, execution)
        name, end = execution_end(event["detail"], world.sfn)
        finished = world.processes.finish(name, end)
        process_input = world.process(process_id).input

        definition = world.scenarios.latest(stem).compiled["STANDARD"]

    engine = sfn.engine_run(stem, process_input)
    assert name == process_id
    assert (end.status, end.output, end.error) == (engine.status, engine.output, engine.error)
    assert states_entered(end.history) == states_entered(engine.history)
    assert finished is not None
    assert finished.status == ProcessStatus(expected["status"])
    assert finished.trace == trace_steps(end.history)
    mine = outcome(end.status, end.output, end.error, end.cause, end.history)
    theirs = outcome(engine.status, engine.output, engine.error, engine.cause, engine.history)
    assert (mine.status, mine.output, mine.error) == (theirs.status, theirs.output, theirs.error)
    if not concurrent(definition):
        assert steps(end.history) == steps(engine.history)
        assert mine.trace == theirs.trace


def test_a_timed_out_execution_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sfn.moto_support, "TIME_SCALE", 1.0)  # the hour's wait takes an hour
    text = (sfn.EXAMPLES / "reminder-timer.bpmn").read_text(encoding="utf-8")
    with sfn.world(tmp_path) as world:
        sfn.save_scenario(world.scenarios, "reminder-timer", text, timeout_seconds=1)
        process_id = world.enqueue("reminder-timer", {"ticket": {"id": "T-1", "assignee": "ann"}})
        execution = world.execution_of(process_id)
        sfn.finished(world.sfn, execution)
        name, end = execution_end(
            sfn.status_change_event(world.sfn, execution)["detail"], world.sfn
        )
        finished = world.processes.finish(name, end)
        running = world.process_store.count(ProcessStatus.RUNNING)

    assert end.status == "TIMED_OUT"
    assert finished is not None and finished.status is ProcessStatus.ERROR
    assert finished.error is not None and finished.error.code == "States.Timeout"
    assert [step.element for step in finished.trace][-1] == "WaitOneHour"
    assert running == 0


def test_an_aborted_execution_is_aborted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sfn.moto_support, "TIME_SCALE", 1.0)
    with sfn.world(tmp_path) as world:
        world.save("reminder-timer")
        process_id = world.enqueue("reminder-timer", {"ticket": {"id": "T-2", "assignee": "bo"}})
        execution = world.execution_of(process_id)
        sfn.entered(world.sfn, execution, "WaitOneHour")
        assert world.executor.stop(process_id)
        sfn.finished(world.sfn, execution)
        name, end = execution_end(
            sfn.status_change_event(world.sfn, execution)["detail"], world.sfn
        )
        finished = world.processes.finish(name, end)

    assert end.status == "ABORTED"
    assert finished is not None and finished.status is ProcessStatus.ABORTED
    assert finished.error is not None and finished.error.code == "Process.Stopped"


def test_output_left_out_of_the_event_is_read(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("counter-loop")
        process_id = world.enqueue("counter-loop", {"n": 3})
        execution = world.execution_of(process_id)
        sfn.finished(world.sfn, execution)
        detail = sfn.status_change_event(world.sfn, execution)["detail"]
        full = execution_end(detail, world.sfn)[1]
        detail |= {"output": None, "outputDetails": {"included": False}}
        _, end = execution_end(detail, world.sfn)

    assert end.output == full.output
    assert end.output["total"] == 6


def test_a_running_execution_has_not_ended() -> None:
    detail = {
        "executionArn": "arn:aws:states:eu-west-1:1:execution:m:p",
        "name": "p",
        "status": "RUNNING",
    }
    with pytest.raises(ExecutionNotEnded):
        execution_end(detail, client=None)


def test_an_output_nested_past_any_parser_fails_the_run_as_too_deep() -> None:
    # An expression can build it within the 256 KB payload; `json.loads` would hit Python's
    # recursion limit on it.
    text = "[" * 100_000 + "]" * 100_000
    end = ended("SUCCEEDED", text, None, None)
    assert (end.status, end.output, end.error) == ("FAILED", None, "Process.DataTooDeep")
    assert end.cause is not None and "100000 levels" in end.cause


def test_an_output_within_the_ceiling_is_parsed_for_the_service_to_judge() -> None:
    end = ended("SUCCEEDED", '{"a": [1, {"b": null}]}', None, None)
    assert (end.status, end.output) == ("SUCCEEDED", {"a": [1, {"b": None}]})
    assert ended("FAILED", None, "E", "c").output is None
