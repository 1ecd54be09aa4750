"""Definition.parse: what it accepts, and AWS's words for what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from automations.asl import (
    Definition,
    InvalidDefinition,
    InvalidExecutionInput,
    run_execution,
    trace,
    validate_definition,
)
from automations.asl.json_text import parse_execution_input


def machine(**state: Any) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": {"End": True, **state}}}


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"StartAt": "S"}, "These fields are required: [States] at /"),
        ({"States": {}}, "These fields are required: [StartAt] at /"),
        (
            {"StartAt": "Nope", "States": {"S": {"Type": "Pass", "End": True}}},
            "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nope at /StartAt",
        ),
        (machine(Type="Magic"), "Unknown state type: Magic at /States/S/Type"),
        (
            {"StartAt": "S", "States": {"S": {"Type": "Pass", "Next": "T"}}},
            "MISSING_TRANSITION_TARGET: Missing 'Next' target: T at /States/S/Next",
        ),
        (
            machine(Type="Wait", Timestamp="2016-12-05T21:29:29"),
            "String does not match RFC3339 timestamp at /States/S/Timestamp",
        ),
        (
            machine(Type="Task", Resource="arn:aws:states:::dynamodb:query"),
            "The resource provided arn:aws:states:::dynamodb:query is not recognized.",
        ),
        (
            {"QueryLanguage": "JSONata", **machine(Type="Pass", QueryLanguage="JSONPath")},
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        ),
        (
            machine(Type="Pass", QueryLanguage="JSONata", InputPath="$.a"),
            "The field 'InputPath' is not supported for JSONata states",
        ),
        (
            machine(Type="Map", ItemProcessor={"StartAt": "X", "States": {}}),
            "At least one state is required",
        ),
    ],
)
def test_invalid_definitions_are_refused_with_awsʼs_wording(
    definition: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidDefinition) as raised:
        Definition.parse(definition)
    assert message in str(raised.value)
    assert str(raised.value).startswith("Invalid State Machine Definition: '")


def test_express_machines_refuse_callbacks() -> None:
    definition = machine(Type="Task", Resource="arn:aws:states:::lambda:invoke.waitForTaskToken")
    Definition.parse(definition)
    with pytest.raises(InvalidDefinition, match=r"does not support '\.waitForTaskToken'"):
        Definition.parse(definition, state_machine_type="EXPRESS")


def test_validate_reports_every_problem() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "Missing"},
            "B": {"Type": "Wait", "End": True},
        },
    }
    assert len(validate_definition(definition)) == 2
    assert validate_definition('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}') == []


def test_json_text_errors_read_like_jackson() -> None:
    with pytest.raises(
        InvalidDefinition, match="INVALID_JSON_DESCRIPTION: Unrecognized token 'not'"
    ):
        Definition.parse("not a definition")
    with pytest.raises(InvalidExecutionInput, match=r"Invalid execution input\."):
        parse_execution_input("  ")
    assert parse_execution_input(None) == {}


def test_query_language_is_inherited_and_may_be_raised_per_state() -> None:
    definition = Definition.parse(
        {
            "StartAt": "A",
            "States": {
                "A": {
                    "Type": "Pass",
                    "QueryLanguage": "JSONata",
                    "Output": "{% 1 + 1 %}",
                    "Next": "B",
                },
                "B": {"Type": "Pass", "End": True},
            },
        }
    )
    assert definition.machine.states["A"].jsonata
    assert not definition.machine.states["B"].jsonata
    result = run_execution(definition, {})
    assert result.output == 2
    assert trace(result.history) == ["A", "B"]
