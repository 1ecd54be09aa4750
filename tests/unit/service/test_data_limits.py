"""The limits of process data: variables nesting deeper than the JSON depth limit are never
kept (a process ends `Process.DataTooDeep` instead), start variables are held to depth and size."""

from __future__ import annotations

from typing import Any

from automations.service.outcome import (
    DATA_LIMIT,
    DATA_TOO_DEEP,
    ProcessError,
    ended_as,
    start_data_problem,
)


def nested(levels: int) -> Any:
    value: Any = 0
    for _ in range(levels):
        value = {"a": value}
    return value


def test_final_variables_nesting_too_deep_end_the_process_in_error() -> None:
    output = {"total": 3, "deep": nested(65)}

    status, variables, error = ended_as("SUCCEEDED", output, None, None, [])

    assert (status, variables) == ("error", {})
    assert error == ProcessError(
        code=DATA_TOO_DEEP,
        message="variable $deep nests deeper than the 64 levels allowed "
        "(at $deep.a.a.a.a.a.a…; AUTOMATIONS_MAX_JSON_DEPTH)",
        element=None,
    )


def test_final_variables_at_the_limit_are_kept() -> None:
    output = {"deep": nested(64)}
    assert ended_as("SUCCEEDED", output, None, None, []) == ("completed", output, None)


def test_the_limit_is_the_one_given() -> None:
    status, _, error = ended_as("SUCCEEDED", {"v": [[[1]]]}, None, None, [], max_depth=2)
    assert (status, error is not None and error.code) == ("error", DATA_TOO_DEEP)
    assert ended_as("SUCCEEDED", {"v": [[1]]}, None, None, [], max_depth=2)[0] == "completed"


def test_a_failed_run_keeps_its_own_error() -> None:
    status, variables, error = ended_as("FAILED", {"deep": nested(500)}, "http.timeout", "slow", [])
    assert (status, variables, error and error.code) == ("error", {}, "http.timeout")


def test_start_variables_too_deep_are_refused_before_they_are_measured() -> None:
    # 100,000 levels: deeper than Python's recursion limit, which must not be what stops it.
    problem = start_data_problem({"body": nested(100_000)}, 256 * 1024, 64)
    assert problem is not None
    assert problem[0] == DATA_TOO_DEEP
    assert problem[1].startswith("start variable $body nests deeper than the 64 levels allowed")


def test_start_variables_too_large_break_the_size_limit() -> None:
    problem = start_data_problem({"text": "x" * 2000}, 1024, 64)
    assert problem is not None and problem[0] == DATA_LIMIT
    assert "1024 bytes (AUTOMATIONS_MAX_PROCESS_DATA_BYTES)" in problem[1]
    assert start_data_problem({"text": "x", "v": nested(64)}, 1024, 64) is None
