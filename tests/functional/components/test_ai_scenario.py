"""`ai.request` in a whole scenario, as `automations run` runs it: a connection of
`AUTOMATIONS_CONNECTIONS` (its key a secret of its own), the JSON answer assigned to variables,
and an error boundary on the call catching the service's refusal of the key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from automations.adapters.local.connections import VARIABLE
from automations.adapters.local.scenario_files import run_file
from automations.components.address_guard import ALLOW_HOSTS_ENV, ALLOW_PRIVATE_ENV
from support.ai_servers import AiStandIn

KEY = "sk-scenario-key-0123456789"

SCENARIO = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:auto="urn:automations:bpmn:1" id="Defs" targetNamespace="urn:test">
  <bpmn:error id="Err_Refused" name="The AI service refused the key" errorCode="ai.auth"/>
  <bpmn:process id="ai-tone" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:serviceTask id="Classify" name="Find the tone">
      <bpmn:extensionElements>
        <auto:component type="ai.request"/>
        <auto:input name="connection" value="assistant"/>
        <auto:input name="context" value="{% {'task': 'Classify the tone of a support message',
          'tones': ['positive', 'neutral', 'negative']} %}"/>
        <auto:input name="prompt" value="{% $message %}"/>
        <auto:input name="creativity" value="{% 0 %}"/>
        <auto:input name="resultType" value="json"/>
        <auto:output name="tone" value="{% $result.answer.tone %}"/>
        <auto:output name="tokens" value="{% $result.usage.totalTokens %}"/>
        <auto:output name="aiError" value="{% null %}"/>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="KeyRefused" attachedToRef="Classify">
      <bpmn:extensionElements>
        <auto:output name="aiError" value="{% $error.code %}"/>
        <auto:output name="aiMessage" value="{% $error.message %}"/>
      </bpmn:extensionElements>
      <bpmn:errorEventDefinition errorRef="Err_Refused"/>
    </bpmn:boundaryEvent>
    <bpmn:task id="ToneUnknown">
      <bpmn:extensionElements>
        <auto:output name="tone" value="unknown"/>
      </bpmn:extensionElements>
    </bpmn:task>
    <bpmn:endEvent id="End"/>
    <bpmn:endEvent id="EndUnknown"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Classify"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Classify" targetRef="End"/>
    <bpmn:sequenceFlow id="f3" sourceRef="KeyRefused" targetRef="ToneUnknown"/>
    <bpmn:sequenceFlow id="f4" sourceRef="ToneUnknown" targetRef="EndUnknown"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[AiStandIn]:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    stand_in = AiStandIn(key=KEY, reply=lambda body: '{"tone": "negative"}')
    yield stand_in
    stand_in.close()


def _scenario(folder: Path) -> Path:
    path = folder / "ai-tone.bpmn"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def _connection(server: AiStandIn, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    # The URL without its key; the key a secret of its own (AUTOMATIONS_SECRET_<NAME>).
    url = server.connection_url("deepseek").replace(f":{KEY}@", "")
    monkeypatch.setenv("AUTOMATIONS_SECRET_DEEPSEEK_KEY", key)
    monkeypatch.setenv(
        VARIABLE, json.dumps({"assistant": {"url": url, "passwordSecret": "deepseek_key"}})
    )


def test_the_answer_becomes_variables(
    server: AiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _connection(server, monkeypatch, KEY)
    run = run_file(_scenario(tmp_path), {"message": "The parcel came broken, again."})
    assert run.status == "completed", run
    assert run.output["tone"] == "negative"
    assert run.output["tokens"] > 0
    assert run.output["aiError"] is None
    assert server.problems == []
    [seen] = server.chats()
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.json["messages"][-1] == {
        "role": "user",
        "content": "The parcel came broken, again.",
    }
    assert seen.json["temperature"] == 0.0
    assert KEY not in json.dumps(run.output)


def test_the_boundary_catches_a_refused_key(
    server: AiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "sk-revoked-key-555555"
    _connection(server, monkeypatch, wrong)
    run = run_file(_scenario(tmp_path), {"message": "Thanks a lot!"})
    assert run.status == "completed", run
    assert run.output["aiError"] == "ai.auth"
    assert run.output["tone"] == "unknown"
    assert "KeyRefused" in run.trace and "ToneUnknown" in run.trace
    assert wrong not in json.dumps(run.output) and KEY not in json.dumps(run.output)
