"""From an execution's end (status, output, history) to a process outcome."""

from __future__ import annotations

import json
from typing import Any

from automations.asl import VirtualClock, run_execution
from automations.service.outcome import outcome, readable_cause


def run(definition: dict[str, Any]) -> Any:
    result = run_execution(definition, {}, clock=VirtualClock())
    return outcome(result.status, result.output, result.error, result.cause, result.history)


def test_success_keeps_the_variables_and_the_path_without_helper_suffixes() -> None:
    got = run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "M__item"},
                "M__item": {"Type": "Pass", "Next": "M__collect"},
                "M__collect": {"Type": "Succeed", "Output": {"x": 1}},
            },
        }
    )
    assert got.status == "completed"
    assert got.output == {"x": 1}
    assert got.trace == ["A", "M"]
    assert got.error is None


def test_failure_names_the_failing_branch_state_not_the_one_still_waiting() -> None:
    got = run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": "W",
                            "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}},
                        },
                        {
                            "StartAt": "F",
                            "States": {"F": {"Type": "Fail", "Error": "boom", "Cause": "why"}},
                        },
                    ],
                    "End": True,
                }
            },
        }
    )
    assert got.status == "error"
    assert got.error is not None
    assert (got.error.code, got.error.message, got.error.element) == ("boom", "why", "F")
    assert got.output == {}


def test_lambda_error_causes_read_as_their_message() -> None:
    cause = json.dumps({"errorMessage": "no such host", "errorType": "http.connection"})
    assert readable_cause(cause) == "no such host"
    assert readable_cause("plain words") == "plain words"
    assert readable_cause("{not json") == "{not json"


def test_a_failed_call_activity_reads_as_the_child_error() -> None:
    child = json.dumps({"ExecutionArn": "arn:x", "Error": "order.invalid", "Cause": "total is 0"})
    assert readable_cause(child) == "order.invalid: total is 0"


def test_an_expression_failure_names_its_own_state() -> None:
    got = run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Received",
            "States": {
                "Received": {"Type": "Pass", "Next": "ReadTotal"},
                "ReadTotal": {"Type": "Pass", "Assign": {"x": "{% $nope %}"}, "End": True},
            },
        }
    )
    assert got.error is not None
    assert (got.error.code, got.error.element) == ("States.QueryEvaluationError", "ReadTotal")
