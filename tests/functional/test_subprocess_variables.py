"""What a subprocess assigned before its error end event is there after the error boundary that
catches it (one namespace, as DESIGN promises), in the embedded engine and in moto's Step
Functions interpreter alike: caught by the subprocess's own boundary, and by the boundary of a
subprocess around it when its own does not match."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import moto_support as support
import pytest

from automations.asl import ComponentResolver, run_execution
from automations.service.outcome import readable_cause
from automations.service.scenarios import compile_bpmn

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:auto="urn:automations:bpmn:1" id="D" targetNamespace="urn:t">
  <bpmn:error id="Invalid" errorCode="order.invalid"/>
  <bpmn:error id="Other" errorCode="order.other"/>
  <bpmn:process id="caught" isExecutable="true">
    <bpmn:startEvent id="Begin"/>
"""
TAIL = """
    <bpmn:task id="After">
      <bpmn:extensionElements>
        <auto:output name="seen" value="{% $checked &amp; '/' &amp; $string($tries) %}"/>
      </bpmn:extensionElements>
    </bpmn:task>
    <bpmn:endEvent id="Done"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Begin" targetRef="Outer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Outer" targetRef="Done"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Caught" targetRef="After"/>
    <bpmn:sequenceFlow id="f4" sourceRef="After" targetRef="Done"/>
  </bpmn:process>
</bpmn:definitions>
"""


def task(element_id: str, name: str, value: str) -> str:
    return (
        f'<bpmn:task id="{element_id}"><bpmn:extensionElements>'
        f'<auto:output name="{name}" value="{value}"/></bpmn:extensionElements></bpmn:task>'
    )


# Outer's body: Check assigns, then ends in the error (its own boundary catches it).
OWN = (
    '<bpmn:subProcess id="Outer"><bpmn:startEvent id="In"/>'
    + task("Check", "checked", "{% 'yes' %}")
    + task("Count", "tries", "{% $tries + 1 %}")
    + '<bpmn:endEvent id="Broken" name="The order is not valid">'
    '<bpmn:errorEventDefinition errorRef="Invalid"/></bpmn:endEvent>'
    '<bpmn:sequenceFlow id="i1" sourceRef="In" targetRef="Check"/>'
    '<bpmn:sequenceFlow id="i2" sourceRef="Check" targetRef="Count"/>'
    '<bpmn:sequenceFlow id="i3" sourceRef="Count" targetRef="Broken"/>'
    "</bpmn:subProcess>"
)
# Outer's body: Check assigns, then Inner (whose boundary waits for another error) assigns
# and ends in the error: Outer's catch-all boundary catches it.
NESTED = (
    '<bpmn:subProcess id="Outer"><bpmn:startEvent id="In"/>'
    + task("Check", "checked", "{% 'yes' %}")
    + '<bpmn:subProcess id="Inner"><bpmn:startEvent id="InnerIn"/>'
    + task("Count", "tries", "{% $tries + 1 %}")
    + '<bpmn:endEvent id="Broken" name="The order is not valid">'
    '<bpmn:errorEventDefinition errorRef="Invalid"/></bpmn:endEvent>'
    '<bpmn:sequenceFlow id="n1" sourceRef="InnerIn" targetRef="Count"/>'
    '<bpmn:sequenceFlow id="n2" sourceRef="Count" targetRef="Broken"/>'
    "</bpmn:subProcess>"
    '<bpmn:boundaryEvent id="NotThis" attachedToRef="Inner">'
    '<bpmn:errorEventDefinition errorRef="Other"/></bpmn:boundaryEvent>'
    '<bpmn:endEvent id="InnerOut"/><bpmn:endEvent id="OtherOut"/>'
    '<bpmn:sequenceFlow id="i1" sourceRef="In" targetRef="Check"/>'
    '<bpmn:sequenceFlow id="i2" sourceRef="Check" targetRef="Inner"/>'
    '<bpmn:sequenceFlow id="i3" sourceRef="Inner" targetRef="InnerOut"/>'
    '<bpmn:sequenceFlow id="i4" sourceRef="NotThis" targetRef="OtherOut"/>'
    "</bpmn:subProcess>"
)


def boundary(error_ref: str | None) -> str:
    definition = (
        f'<bpmn:errorEventDefinition errorRef="{error_ref}"/>'
        if error_ref
        else "<bpmn:errorEventDefinition/>"
    )
    return (
        '<bpmn:boundaryEvent id="Caught" attachedToRef="Outer"><bpmn:extensionElements>'
        '<auto:output name="reason" value="{% $error.code &amp; \': \' &amp; $error.message %}"/>'
        f"</bpmn:extensionElements>{definition}</bpmn:boundaryEvent>"
    )


SCENARIOS = {
    "own": HEAD + OWN + boundary("Invalid") + TAIL,
    "nested": HEAD + NESTED + boundary(None) + TAIL,
}
EXPECTED = {
    "checked": "yes",
    "tries": 4,
    "seen": "yes/4",
    "reason": "order.invalid: The order is not valid",
}


def machine(name: str) -> dict[str, Any]:
    _, definition = compile_bpmn(SCENARIOS[name], file=f"{name}.bpmn")
    return definition


@pytest.fixture(scope="module")
def moto() -> Iterator[support.MotoStepFunctions]:
    with support.moto_step_functions() as harness:
        yield harness


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_engine_keeps_what_the_subprocess_assigned(name: str) -> None:
    result = run_execution(machine(name), {"tries": 3}, resolver=ComponentResolver())
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {**result.output, **EXPECTED}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_aws_keeps_what_the_subprocess_assigned(moto: support.MotoStepFunctions, name: str) -> None:
    run = moto.run(moto.machine_arn(name, machine), {"tries": 3})
    assert run.status == "SUCCEEDED", (run.cause, run.logged)
    assert run.output == {**run.output, **EXPECTED}
    here = run_execution(machine(name), {"tries": 3}, resolver=ComponentResolver())
    assert here.output == run.output


def test_an_uncaught_error_end_still_reads_as_its_message() -> None:
    # Without a matching boundary the carrying cause reaches the process: it says the message.
    uncaught = SCENARIOS["own"].replace(
        'errorRef="Invalid"/></bpmn:boundaryEvent>', 'errorRef="Other"/></bpmn:boundaryEvent>'
    )
    result = run_execution(
        compile_bpmn(uncaught, file="u.bpmn")[1], {"tries": 3}, resolver=ComponentResolver()
    )
    assert (result.status, result.error) == ("FAILED", "order.invalid")
    assert readable_cause(result.cause) == "The order is not valid"
