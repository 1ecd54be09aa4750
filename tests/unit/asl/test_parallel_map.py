"""Parallel and Map: real concurrency on I/O, MaxConcurrency, tolerated failures, scopes."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from automations.asl import Engine, RealClock, TaskContext, TaskError, VirtualClock, run_execution

RESOURCE = "arn:aws:states:::lambda:invoke"


class Tracker:
    """A resolver that waits on (real) I/O and records how many calls overlap."""

    def __init__(self, seconds: float = 0.05, fail_on: set[Any] | None = None) -> None:
        self.seconds = seconds
        self.fail_on = fail_on or set()
        self.running = 0
        self.peak = 0

    async def __call__(self, resource: str, arguments: Any, context: TaskContext) -> Any:
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(self.seconds)
        finally:
            self.running -= 1
        if isinstance(arguments, int) and arguments in self.fail_on:
            raise TaskError("Item.Bad", f"bad item {arguments}")
        return arguments


def task(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": name,
        "States": {name: {"Type": "Task", "Resource": RESOURCE, "End": True, **extra}},
    }


def test_parallel_branches_wait_on_io_at_the_same_time() -> None:
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [task(f"B{i}", Parameters={"branch": i}) for i in range(4)],
                "End": True,
            }
        },
    }
    tracker = Tracker(seconds=0.1)
    started = time.monotonic()
    result = asyncio.run(Engine(tracker, RealClock()).start(definition, {}))
    assert result.output == [{"branch": i} for i in range(4)]
    assert tracker.peak == 4
    assert time.monotonic() - started < 0.35  # not 4 x 0.1 s


def map_over(items_path: str = "$.items", **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": items_path,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    **task("Work"),
                },
                "End": True,
                **extra,
            }
        },
    }


def test_map_respects_max_concurrency() -> None:
    tracker = Tracker(seconds=0.02)
    result = asyncio.run(
        Engine(tracker, RealClock()).start(map_over(MaxConcurrency=3), {"items": list(range(10))})
    )
    assert result.output == list(range(10))
    assert tracker.peak == 3


def test_map_without_limit_runs_every_item_at_once() -> None:
    tracker = Tracker(seconds=0.02)
    asyncio.run(Engine(tracker, RealClock()).start(map_over(), {"items": list(range(8))}))
    assert tracker.peak == 8


def test_one_failed_item_fails_the_map_with_its_error() -> None:
    result = run_execution(
        map_over(MaxConcurrency=1), {"items": [1, 2, 3]}, resolver=Tracker(0, {2})
    )
    assert (result.status, result.error, result.cause) == ("FAILED", "Item.Bad", "bad item 2")
    types = [e["type"] for e in result.history]
    assert types.count("MapIterationStarted") == 2  # the third never started
    assert "MapIterationFailed" in types and "MapStateFailed" in types


def test_tolerated_failure_count_lets_some_items_fail() -> None:
    result = run_execution(
        map_over(ToleratedFailureCount=1, MaxConcurrency=1),
        {"items": [1, 2, 3]},
        resolver=Tracker(0, {2}),
    )
    assert result.status == "SUCCEEDED"
    assert result.output == [1, {"Error": "Item.Bad", "Cause": "bad item 2"}, 3]


def test_exceeding_the_tolerated_percentage_fails_the_map() -> None:
    result = run_execution(
        map_over(ToleratedFailurePercentage=40, MaxConcurrency=1),
        {"items": [1, 2, 3, 4, 5]},
        resolver=Tracker(0, {1, 2, 3}),
    )
    assert (result.status, result.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")


def test_tolerated_count_from_a_path() -> None:
    result = run_execution(
        map_over(ToleratedFailureCountPath="$.allowed"),
        {"items": [1, 2], "allowed": 2},
        resolver=Tracker(0, {1, 2}),
    )
    assert result.status == "SUCCEEDED"


def test_distributed_map_keeps_iterations_out_of_the_parent_history() -> None:
    definition = map_over()
    definition["States"]["Each"]["ItemProcessor"]["ProcessorConfig"] = {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "STANDARD",
    }
    result = run_execution(definition, {"items": [1, 2]}, resolver=Tracker(0))
    assert result.output == [1, 2]
    assert [e["type"] for e in result.history] == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]


def scoped(inner_assign: dict[str, Any]) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"base": 10}, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "Items": "{% [1, 2, 3] %}",
                "ItemProcessor": {
                    "StartAt": "Inner",
                    "States": {
                        "Inner": {"Type": "Pass", "Assign": inner_assign, "Next": "Read"},
                        "Read": {"Type": "Pass", "Output": "{% $base + $mine %}", "End": True},
                    },
                },
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "Output": {"sums": "{% $states.input %}", "leaked": "{% $exists($mine) %}"},
                "End": True,
            },
        },
    }


def test_each_iteration_has_its_own_scope_that_reads_the_outer_one() -> None:
    result = run_execution(scoped({"mine": "{% $states.input %}"}), {}, clock=VirtualClock())
    assert result.output == {"sums": [11, 12, 13], "leaked": False}


def test_an_iteration_may_not_assign_an_outer_variable() -> None:
    result = run_execution(scoped({"mine": 1, "base": 0}), {}, clock=VirtualClock())
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "'base' belongs to an outer scope" in (result.cause or "")


def test_assignments_take_effect_after_the_state() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"a": 1}, "Next": "Swap"},
            "Swap": {
                "Type": "Pass",
                "Assign": {"a": 2, "old": "{% $a %}"},
                "Output": "{% $a %}",
                "Next": "End",
            },
            "End": {
                "Type": "Pass",
                "Output": {"a": "{% $a %}", "old": "{% $old %}", "in": "{% $states.input %}"},
                "End": True,
            },
        },
    }
    result = run_execution(definition, {})
    assert result.output == {"a": 2, "old": 1, "in": 1}


def test_a_failing_branch_stops_the_others() -> None:
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Slow",
                        "States": {"Slow": {"Type": "Wait", "Seconds": 3600, "End": True}},
                    },
                    {
                        "StartAt": "Boom",
                        "States": {"Boom": {"Type": "Fail", "Error": "B", "Cause": "c"}},
                    },
                ],
                "End": True,
            }
        },
    }
    clock = VirtualClock(start=0.0)
    result = run_execution(definition, {}, clock=clock)
    assert (result.status, result.error, result.cause) == ("FAILED", "B", "c")
    assert clock.now() == 0.0  # the hour-long wait was cancelled, not waited out
