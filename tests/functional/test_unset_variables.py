"""A value that is not there reads as null, in both runtimes: a missing property in an output,
an input, a loop's outputElement and a boundary's output gives null instead of failing the
process with Step Functions' "returned nothing (undefined)".

The AWS side runs the compiled machine in moto's Step Functions interpreter (the differential
harness of tests/functional/differential), which fails a field giving nothing exactly as AWS
does: the first test shows it on the author's text left unguarded, so the others mean something.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import moto_support as support
import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.asl import ComponentResolver, VirtualClock, run_execution
from automations.model.event import EventType
from automations.model.process import ProcessStatus
from automations.service.processes import Start
from automations.service.scenarios import compile_bpmn, save_scenario
from automations.service.variables import Trigger
from automations.settings import Settings

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:auto="urn:automations:bpmn:1" id="D" targetNamespace="urn:t">
  <bpmn:error id="Bad" errorCode="parse.invalid_query"/>
  <bpmn:process id="unset" isExecutable="true">
    <bpmn:startEvent id="Begin"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id="Read">
      <bpmn:extensionElements>
        <auto:output name="missing" value="{% $order.missing %}"/>
        <auto:output name="deeper" value="{% $order.missing.deeper %}"/>
        <auto:output name="total" value="{% $order.total %}"/>
        <auto:output name="seenNull" value="{% $missing = null %}"/>
      </bpmn:extensionElements>
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:task>
    <bpmn:task id="Lines">
      <bpmn:extensionElements>
        <auto:loop inputCollection="{% $order.lines %}" inputElement="line"
                   outputCollection="notes" outputElement="{% $line.note %}"/>
      </bpmn:extensionElements>
      <bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true"/>
    </bpmn:task>
    <bpmn:serviceTask id="Parse">
      <bpmn:extensionElements>
        <auto:component type="parse"/>
        <auto:input name="data" value="{% $order.missing %}"/>
        <auto:input name="query" value="{% $order.query %}"/>
        <auto:output name="parsed" value="{% $result.value %}"/>
      </bpmn:extensionElements>
      <bpmn:incoming>F3</bpmn:incoming><bpmn:outgoing>F4</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="Caught" attachedToRef="Parse">
      <bpmn:extensionElements>
        <auto:output name="why" value="{% $error.missing %}"/>
      </bpmn:extensionElements>
      <bpmn:outgoing>F5</bpmn:outgoing>
      <bpmn:errorEventDefinition errorRef="Bad"/>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="Done"><bpmn:incoming>F4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="Failed"><bpmn:incoming>F5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Begin" targetRef="Read"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Read" targetRef="Lines"/>
    <bpmn:sequenceFlow id="F3" sourceRef="Lines" targetRef="Parse"/>
    <bpmn:sequenceFlow id="F4" sourceRef="Parse" targetRef="Done"/>
    <bpmn:sequenceFlow id="F5" sourceRef="Caught" targetRef="Failed"/>
  </bpmn:process>
</bpmn:definitions>
"""
LINES = [{"note": "first"}, {"qty": 2}]
# A query that parses: the parse component finds nothing in null and gives null.
FOUND = {"order": {"total": 5, "lines": LINES, "query": "$.a"}}
# A query that does not parse: the boundary catches parse.invalid_query.
REFUSED = {"order": {"total": 5, "lines": LINES, "query": "$["}}
READ = {"missing": None, "deeper": None, "total": 5, "seenNull": True, "notes": ["first", None]}


def machine() -> dict[str, Any]:
    _, definition = compile_bpmn(BPMN, file="unset.bpmn")
    return definition


@pytest.fixture(scope="module")
def moto() -> Iterator[support.MotoStepFunctions]:
    with support.moto_step_functions() as harness:
        yield harness


def test_aws_fails_a_field_that_gives_nothing(moto: support.MotoStepFunctions) -> None:
    bare = {
        "QueryLanguage": "JSONata",
        "StartAt": "Read",
        "States": {"Read": {"Type": "Pass", "Assign": {"v": "{% $order.missing %}"}, "End": True}},
    }
    run = moto.run(moto.machine_arn("bare", lambda _: bare), {"order": {}})
    assert (run.status, run.error) == ("FAILED", "States.QueryEvaluationError")
    assert "returned nothing (undefined)" in str(run.cause)


@pytest.mark.parametrize(("start", "branch"), [(FOUND, "Done"), (REFUSED, "Failed")])
def test_aws_reads_what_is_missing_as_null(
    moto: support.MotoStepFunctions, start: dict[str, Any], branch: str
) -> None:
    run = moto.run(moto.machine_arn("unset", lambda _: machine()), start)
    assert run.status == "SUCCEEDED", run.cause
    assert run.output == {**run.output, **READ}
    assert {"Parse", branch} <= set(run.entered)
    assert (run.output["parsed"], run.output["why"]) == (None, None)


@pytest.mark.parametrize(("start", "branch"), [(FOUND, "Done"), (REFUSED, "Failed")])
def test_the_engine_agrees_with_aws(
    moto: support.MotoStepFunctions, start: dict[str, Any], branch: str
) -> None:
    on_aws = moto.run(moto.machine_arn("unset", lambda _: machine()), start)
    here = run_execution(machine(), start, resolver=ComponentResolver(), clock=VirtualClock())
    assert (here.status, here.error, here.output) == (on_aws.status, on_aws.error, on_aws.output)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "unset.db", Settings(demo=False))
    save_scenario(built.automation.scenarios, "unset", BPMN)
    yield built
    built.close()


def test_a_process_reads_what_is_missing_as_null(runtime: LocalRuntime) -> None:
    trigger = Trigger(EventType.MANUAL, "test", None, sync=True, facts=REFUSED)
    process = runtime.automation.processes.run_sync(Start("unset", trigger))

    assert process.status is ProcessStatus.COMPLETED, process.error
    assert process.output is not None
    assert process.output == {**process.output, **READ, "parsed": None, "why": None}
    assert "Failed" in [step.element for step in process.trace]
