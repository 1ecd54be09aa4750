"""A process that fails keeps its variables as they were where it broke off, in the embedded
runtime (background and synchronous runs alike); the AWS path reads the same from its history
(tests/functional/aws/test_history.py compares both over every example)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.model.event import EventType
from automations.model.process import ProcessStatus
from automations.service.outcome import variables_at_end
from automations.service.processes import Start
from automations.service.scenarios import save_scenario
from automations.service.variables import Trigger
from automations.settings import Settings

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:auto="urn:automations:bpmn:1" id="D" targetNamespace="urn:t">
  <bpmn:process id="breaks" isExecutable="true">
    <bpmn:startEvent id="Begin"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id="Prepare">
      <bpmn:extensionElements>
        <auto:output name="step" value="{% 'prepared' %}"/>
        <auto:output name="doubled" value="{% $order.total * 2 %}"/>
      </bpmn:extensionElements>
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:task>
    <bpmn:task id="Convert">
      <bpmn:extensionElements>
        <auto:output name="step" value="{% 'converted' %}"/>
        <auto:output name="amount" value="{% $number($order.code) %}"/>
      </bpmn:extensionElements>
      <bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing>
    </bpmn:task>
    <bpmn:endEvent id="Done"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Begin" targetRef="Prepare"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Prepare" targetRef="Convert"/>
    <bpmn:sequenceFlow id="F3" sourceRef="Convert" targetRef="Done"/>
  </bpmn:process>
</bpmn:definitions>
"""
ORDER = {"order": {"total": 21, "code": "abc"}}


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "failing.db", Settings(demo=False))
    save_scenario(built.automation.scenarios, "breaks", BPMN)
    yield built
    built.close()


def trigger(*, sync: bool) -> Trigger:
    return Trigger(EventType.MANUAL, "test", None, sync=sync, facts=ORDER)


def test_a_synchronous_run_that_fails_keeps_what_it_held(runtime: LocalRuntime) -> None:
    process = runtime.automation.processes.run_sync(Start("breaks", trigger(sync=True)))

    assert process.status is ProcessStatus.ERROR
    assert process.error is not None and process.error.element == "Convert"
    assert process.output is not None
    # Prepare's values are there; Convert assigned nothing, it failed while evaluating (every
    # variable of the scenario is declared, null, from the start).
    assert (process.output["step"], process.output["doubled"]) == ("prepared", 42)
    assert process.output["amount"] is None and process.output["order"] == ORDER["order"]
    stored = runtime.automation.processes.get(process.id)
    assert stored.output == process.output


def test_a_background_run_that_fails_keeps_what_it_held(runtime: LocalRuntime) -> None:
    processes = runtime.automation.processes
    runtime.start()
    queued = processes.enqueue(Start("breaks", trigger(sync=False)))
    assert queued is not None
    processes.pump()
    deadline = time.monotonic() + 30
    while processes.get(queued.id).status not in (ProcessStatus.ERROR, ProcessStatus.COMPLETED):
        assert time.monotonic() < deadline, "the process never ended"
        time.sleep(0.02)
    process = processes.get(queued.id)

    assert process.status is ProcessStatus.ERROR
    assert process.output is not None and process.output["doubled"] == 42


def test_variables_past_the_data_limit_are_not_kept() -> None:
    big = '"' + "x" * 600 + '"'
    history = [
        {"executionStartedEventDetails": {"input": '{"a": 1}'}},
        {"stateExitedEventDetails": {"name": "S", "assignedVariables": {"b": "2", "c": big}}},
    ]
    assert variables_at_end(history, max_bytes=10_000) == {"a": 1, "b": 2, "c": "x" * 600}
    assert variables_at_end(history, max_bytes=500) == {}
