"""The default resolver: components run in-process behind arn:aws:states:::lambda:invoke, and
states:startExecution.sync:2 runs another scenario's machine."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from pydantic import BaseModel

from automations.asl import ComponentResolver, Engine, VirtualClock, run_execution
from automations.components import registry
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext, ComponentSpec


class GreetInput(BaseModel):
    name: str
    times: int = 1


class GreetResult(BaseModel):
    text: str
    thread: str


def greet(data: GreetInput, context: ComponentContext) -> GreetResult:
    if data.name == "nobody":
        raise ComponentFailed("greet.unknown", "nobody to greet")
    if data.name == "bug":
        raise ZeroDivisionError("division by zero")
    text = " ".join([f"hello {data.name}"] * data.times) + f" from {context.element_id}"
    return GreetResult(text=text, thread=threading.current_thread().name)


GREET = ComponentSpec(
    name="test.greet",
    input_model=GreetInput,
    result_model=GreetResult,
    errors=("greet.unknown",),
    run=greet,
    summary="Says hello (a component registered by the ASL tests).",
)


@pytest.fixture(autouse=True)
def greet_component(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register test.greet for one test only, so the registry stays the product's outside it."""
    registry.names()  # load the built-in components first
    monkeypatch.setitem(registry._REGISTRY, GREET.name, GREET)


def invoke(function_name: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "Greet",
        "States": {
            "Greet": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function_name, "Payload": payload},
                "End": True,
                **extra,
            }
        },
    }


def test_a_component_runs_in_a_worker_thread_and_answers_like_lambda() -> None:
    result = run_execution(
        invoke("${Component.test.greet}", {"name.$": "$.who", "times": 2}), {"who": "Ann"}
    )
    assert result.status == "SUCCEEDED"
    assert result.output["StatusCode"] == 200
    assert result.output["ExecutedVersion"] == "$LATEST"
    payload = result.output["Payload"]
    assert payload["text"] == "hello Ann hello Ann from Greet"
    assert payload["thread"] != threading.main_thread().name


def test_a_function_arn_ending_in_the_component_name_is_accepted() -> None:
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:automations-test-greet"
    result = run_execution(invoke(arn, {"name": "Bo"}))
    assert result.output["Payload"]["text"] == "hello Bo from Greet"


def test_component_failed_becomes_the_task_error_with_a_lambda_style_cause() -> None:
    result = run_execution(invoke("${Component.test.greet}", {"name": "nobody"}))
    assert (result.status, result.error) == ("FAILED", "greet.unknown")
    cause = json.loads(result.cause or "")
    assert cause["errorType"] == "greet.unknown"
    assert cause["errorMessage"] == "nobody to greet"
    assert isinstance(cause["stackTrace"], list)


def test_the_component_error_code_can_be_caught() -> None:
    definition = invoke(
        "${Component.test.greet}",
        {"name": "nobody"},
        Catch=[{"ErrorEquals": ["greet.unknown"], "ResultPath": "$.error", "Next": "Sorry"}],
    )
    definition["States"]["Greet"].pop("End")
    definition["States"]["Greet"]["Next"] = "Done"
    definition["States"]["Sorry"] = {"Type": "Pass", "End": True}
    definition["States"]["Done"] = {"Type": "Pass", "End": True}
    result = run_execution(definition, {})
    assert result.trace == ["Greet", "Sorry"]
    assert result.output["error"]["Error"] == "greet.unknown"


def test_an_unhandled_exception_is_reported_by_its_type() -> None:
    result = run_execution(invoke("${Component.test.greet}", {"name": "bug"}))
    assert result.error == "ZeroDivisionError"
    assert json.loads(result.cause or "")["errorMessage"] == "division by zero"


def test_input_the_model_rejects_is_component_invalid_input() -> None:
    result = run_execution(invoke("${Component.test.greet}", {"times": "many"}))
    assert result.error == "Component.InvalidInput"
    assert "name" in (result.cause or "")


def test_an_unknown_component_fails_the_task() -> None:
    result = run_execution(invoke("${Component.no.such}", {}))
    assert result.error == "Component.Unknown"


CHILD = {
    "StartAt": "Double",
    "States": {
        "Double": {
            "Type": "Pass",
            "Parameters": {"twice.$": "States.MathAdd($.n, $.n)"},
            "End": True,
        }
    },
}
FAILING_CHILD = {
    "StartAt": "No",
    "States": {"No": {"Type": "Fail", "Error": "Child.Error", "Cause": "no"}},
}


def nested(arn: str) -> dict[str, Any]:
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": arn, "Input": {"n.$": "$.n"}, "Name": "child"},
                "OutputPath": "$.Output",
                "End": True,
            }
        },
    }


def test_a_nested_execution_returns_its_output() -> None:
    scenarios = {"double": CHILD, "failing": FAILING_CHILD}
    resolver = ComponentResolver(definitions=scenarios.get)
    result = run_execution(
        nested("${Scenario.double}"), {"n": 4}, resolver=resolver, clock=VirtualClock()
    )
    assert result.status == "SUCCEEDED"
    assert result.output == {"twice": 8}


def test_a_failed_nested_execution_is_a_task_failure_with_awsʼs_cause() -> None:
    import asyncio

    resolver = ComponentResolver(definitions={"failing": FAILING_CHILD}.get)
    result = asyncio.run(Engine(resolver).start(nested("${Scenario.failing}"), {"n": 1}))
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    cause = json.loads(result.cause or "")
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "Child.Error", "no")


def test_a_slow_nested_execution_hits_the_parentʼs_task_timeout_on_the_virtual_clock() -> None:
    sleepy = {
        "TimeoutSeconds": 86400,
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": 7200, "End": True}},
    }
    definition = nested("${Scenario.sleepy}")
    definition["States"]["Call"]["TimeoutSeconds"] = 1800
    clock = VirtualClock(start=0.0)
    resolver = ComponentResolver(definitions={"sleepy": sleepy}.get)
    result = run_execution(definition, {"n": 1}, resolver=resolver, clock=clock)
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert clock.now() == 1800.0
