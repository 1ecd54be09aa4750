"""Retry and Catch rules, and back-off timing measured on the virtual clock."""

from __future__ import annotations

import random
from typing import Any

import pytest

from automations.asl import TaskContext, TaskError, VirtualClock, run_execution
from automations.asl.definition import Catcher, Retrier
from automations.asl.errors import StatesFailure
from automations.asl.retry import backoff_seconds, find_catcher, find_retrier, matches


def test_backoff_grows_by_the_rate_and_stops_at_max_delay() -> None:
    retrier = Retrier(("E",), interval_seconds=2, backoff_rate=3, max_delay_seconds=40)
    assert [backoff_seconds(retrier, n) for n in range(4)] == [2, 6, 18, 40]


def test_full_jitter_stays_below_the_delay() -> None:
    retrier = Retrier(("E",), interval_seconds=10, backoff_rate=2, jitter_strategy="FULL")
    rng = random.Random(1)
    delays = [backoff_seconds(retrier, 2, rng) for _ in range(100)]
    assert all(0 <= d <= 40 for d in delays)
    assert len(set(delays)) > 50


@pytest.mark.parametrize(
    ("error_equals", "error", "expected"),
    [
        (["States.ALL"], "Anything", True),
        (["States.ALL"], "States.Runtime", False),
        (["States.ALL"], "States.DataLimitExceeded", False),
        (["States.TaskFailed"], "Custom.Error", True),
        (["States.TaskFailed"], "States.Timeout", False),
        (["States.Timeout"], "States.Timeout", True),
        (["A", "B"], "B", True),
        (["A"], "B", False),
    ],
)
def test_error_matching(error_equals: list[str], error: str, expected: bool) -> None:
    assert matches(error_equals, error) is expected


def test_the_first_matching_retrier_decides_even_when_exhausted() -> None:
    retriers = [Retrier(("E",), max_attempts=1), Retrier(("States.ALL",), max_attempts=5)]
    failure = StatesFailure("E", None)
    assert find_retrier(retriers, failure, {}) == (0, retriers[0])
    assert find_retrier(retriers, failure, {"0": 1}) is None


def test_terminal_errors_are_never_caught() -> None:
    catchers = [Catcher(("States.ALL",), "Next", {})]
    assert find_catcher(catchers, StatesFailure("States.Runtime", "x")) is None
    assert find_catcher(catchers, StatesFailure("Other", "x")) is catchers[0]


def flaky(failures: int, error: str = "Service.Busy") -> Any:
    """A resolver failing `failures` times, then returning the number of calls."""
    calls = {"n": 0}

    async def resolve(resource: str, arguments: Any, context: TaskContext) -> Any:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise TaskError(error, f"attempt {calls['n']}")
        return {"calls": calls["n"], "retry_count": context.retry_count}

    return resolve


RETRYING = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [
                {
                    "ErrorEquals": ["Service.Busy"],
                    "IntervalSeconds": 3,
                    "BackoffRate": 2,
                    "MaxAttempts": 3,
                }
            ],
            "End": True,
        }
    },
}


def test_retries_wait_interval_times_rate_on_the_clock() -> None:
    clock = VirtualClock(start=0.0)
    result = run_execution(RETRYING, {}, resolver=flaky(3), clock=clock)
    assert result.status == "SUCCEEDED"
    assert result.output == {"calls": 4, "retry_count": 3}
    scheduled = [e["timestamp"] for e in result.history if e["type"] == "TaskScheduled"]
    assert scheduled == [0.0, 3.0, 9.0, 21.0]  # waits of 3, 6 and 12 seconds
    types = [e["type"] for e in result.history]
    assert types.count("TaskFailed") == 3


def test_exhausted_retries_fail_with_the_last_error() -> None:
    result = run_execution(RETRYING, {}, resolver=flaky(9), clock=VirtualClock(start=0.0))
    assert result.status == "FAILED"
    assert (result.error, result.cause) == ("Service.Busy", "attempt 4")


def test_catch_puts_the_error_where_result_path_says() -> None:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handle"}
                ],
                "End": True,
            },
            "Handle": {"Type": "Pass", "End": True},
        },
    }
    result = run_execution(definition, {"order": 1}, resolver=flaky(1, "Boom"))
    assert result.status == "SUCCEEDED"
    assert result.output == {"order": 1, "error": {"Error": "Boom", "Cause": "attempt 1"}}
    assert result.trace == ["Call", "Handle"]


def test_jsonata_catch_sees_error_output_and_assigns() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Catch": [
                    {
                        "ErrorEquals": ["Boom"],
                        "Assign": {"problem": "{% $states.errorOutput.Error %}"},
                        "Output": {"cause": "{% $states.errorOutput.Cause %}"},
                        "Next": "Done",
                    }
                ],
                "End": True,
            },
            "Done": {
                "Type": "Pass",
                "Output": {"p": "{% $problem %}", "o": "{% $states.input %}"},
                "End": True,
            },
        },
    }
    result = run_execution(definition, {}, resolver=flaky(1, "Boom"))
    assert result.output == {"p": "Boom", "o": {"cause": "attempt 1"}}
