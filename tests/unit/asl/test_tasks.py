"""Task states through a resolver: arguments, results, timeouts, heartbeats, history."""

from __future__ import annotations

import asyncio
from typing import Any

from automations.asl import (
    Engine,
    EngineOptions,
    TaskContext,
    TaskError,
    VirtualClock,
    run_execution,
)

RESOURCE = "arn:aws:states:::lambda:invoke"


def echo_resolver(calls: list[tuple[str, Any]]) -> Any:
    async def resolve(resource: str, arguments: Any, context: TaskContext) -> Any:
        calls.append((resource, arguments))
        return {"got": arguments, "state": context.state_name}

    return resolve


def test_jsonpath_task_processing_order() -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": RESOURCE,
                "InputPath": "$.order",
                "Parameters": {"id.$": "$.id", "fixed": 1},
                "ResultSelector": {"echo.$": "$.got"},
                "ResultPath": "$.result",
                "OutputPath": "$.result",
                "End": True,
            }
        },
    }
    calls: list[tuple[str, Any]] = []
    result = run_execution(definition, {"order": {"id": 7}}, resolver=echo_resolver(calls))
    assert calls == [(RESOURCE, {"id": 7, "fixed": 1})]
    assert result.output == {"echo": {"id": 7, "fixed": 1}}
    assert [e["type"] for e in result.history] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = result.history[2]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("lambda", "invoke")


def test_jsonata_task_arguments_output_and_assign() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": RESOURCE,
                "Arguments": {"n": "{% $states.input.n * 2 %}"},
                "Assign": {"seen": "{% $states.result.got.n %}"},
                "Output": "{% $states.result.got %}",
                "Next": "After",
            },
            "After": {"Type": "Pass", "Output": "{% $seen %}", "End": True},
        },
    }
    result = run_execution(definition, {"n": 21}, resolver=echo_resolver([]))
    assert result.output == 42


def test_the_resolver_gets_a_copy_it_may_change() -> None:
    async def greedy(resource: str, arguments: Any, context: TaskContext) -> Any:
        arguments["list"].append("changed")
        return "ok"

    definition = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": RESOURCE, "ResultPath": "$.r", "End": True}},
    }
    result = run_execution(definition, {"list": [1]}, resolver=greedy)
    assert result.output == {"list": [1], "r": "ok"}


def slow_resolver(seconds: float, beats: int = 0) -> Any:
    async def resolve(resource: str, arguments: Any, context: TaskContext) -> Any:
        clock = arguments["clock"]
        for _ in range(beats):
            await clock.sleep(seconds / (beats + 1))
            context.heartbeat()
        await clock.sleep(seconds / (beats + 1))
        return "finished"

    return resolve


def run_with_clock(definition: dict[str, Any], resolver: Any) -> Any:
    """Run on a virtual clock; the resolver finds the clock in its arguments."""
    clock = VirtualClock(start=0.0)

    async def with_clock(resource: str, arguments: Any, context: TaskContext) -> Any:
        return await resolver(resource, {"clock": clock}, context)

    return asyncio.run(Engine(with_clock, clock).start(definition, {})), clock


def task(**fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": RESOURCE, "End": True, **fields}},
    }


def test_timeout_seconds_fails_the_task_with_states_timeout() -> None:
    result, clock = run_with_clock(task(TimeoutSeconds=5), slow_resolver(60))
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert clock.now() == 5.0
    assert "TaskTimedOut" in [e["type"] for e in result.history]


def test_a_task_within_its_timeout_succeeds() -> None:
    result, _ = run_with_clock(task(TimeoutSeconds=100), slow_resolver(60))
    assert (result.status, result.output) == ("SUCCEEDED", "finished")


def test_missing_heartbeats_fail_the_task() -> None:
    result, clock = run_with_clock(task(HeartbeatSeconds=10), slow_resolver(60))
    assert (result.status, result.error) == ("FAILED", "States.HeartbeatTimeout")
    assert clock.now() == 10.0


def test_heartbeats_keep_a_long_task_alive() -> None:
    result, _ = run_with_clock(task(HeartbeatSeconds=10), slow_resolver(60, beats=9))
    assert (result.status, result.output) == ("SUCCEEDED", "finished")


def test_timeout_path_reads_the_input() -> None:
    definition = task(TimeoutSecondsPath="$.limit")

    async def resolve(resource: str, arguments: Any, context: TaskContext) -> Any:
        await asyncio.sleep(0)
        return arguments

    result = run_execution(definition, {"limit": 3}, resolver=resolve)
    assert result.history[2]["taskScheduledEventDetails"]["timeoutInSeconds"] == 3


def test_a_resolver_bug_fails_the_task_instead_of_the_engine() -> None:
    async def broken(resource: str, arguments: Any, context: TaskContext) -> Any:
        raise KeyError("oops")

    result = run_execution(task(), {}, resolver=broken)
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "KeyError" in (result.cause or "")


def test_task_errors_reach_the_execution() -> None:
    async def failing(resource: str, arguments: Any, context: TaskContext) -> Any:
        raise TaskError("Custom.Problem", "it broke")

    result = run_execution(task(), {}, resolver=failing)
    assert (result.status, result.error, result.cause) == ("FAILED", "Custom.Problem", "it broke")
    failed = next(e for e in result.history if e["type"] == "TaskFailed")
    assert failed["taskFailedEventDetails"]["error"] == "Custom.Problem"


def test_oversized_output_is_data_limit_exceeded_and_not_catchable() -> None:
    async def big(resource: str, arguments: Any, context: TaskContext) -> Any:
        return "x" * 300

    definition = task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}])
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    result = run_execution(
        definition, {}, resolver=big, options=EngineOptions(max_payload_bytes=100)
    )
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")


def test_a_result_json_cannot_hold_fails_the_task() -> None:
    async def odd(resource: str, arguments: Any, context: TaskContext) -> Any:
        return {1, 2}

    result = run_execution(task(), {}, resolver=odd)
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "TypeError" in (result.cause or "")
