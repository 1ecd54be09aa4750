"""The messenger components in a whole scenario, as `automations run` runs it: the connection
from `AUTOMATIONS_CONNECTIONS`, the message's id in a variable, a refusal caught by an error
boundary on its code (and the token in no variable, error or output)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from automations.adapters.local.connections import VARIABLE
from automations.adapters.local.scenario_files import run_file
from support.bpmn_documents import make_xml
from support.messenger_servers import TELEGRAM_TOKEN, TelegramServer, telegram_error

SCENARIO = """<bpmn:startEvent id="Start"/>
<bpmn:serviceTask id="Notify">
  <bpmn:extensionElements>
    <auto:component type="telegram.send"/>
    <auto:input name="connection" value="shop-bot"/>
    <auto:input name="chatId" value="{% $chat %}"/>
    <auto:input name="text" value="{% 'Заказ № ' &amp; $orderNumber &amp; ' готов' %}"/>
    <auto:output name="sentId" value="{% $result.message_id %}"/>
  </bpmn:extensionElements>
</bpmn:serviceTask>
<bpmn:boundaryEvent id="Blocked" attachedToRef="Notify">
  <bpmn:extensionElements>
    <auto:output name="notSent" value="{% $error %}"/>
  </bpmn:extensionElements>
  <bpmn:errorEventDefinition errorRef="Err_Blocked"/>
</bpmn:boundaryEvent>
<bpmn:endEvent id="Sent"/>
<bpmn:endEvent id="NotSent"/>
<bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Notify"/>
<bpmn:sequenceFlow id="f2" sourceRef="Notify" targetRef="Sent"/>
<bpmn:sequenceFlow id="f3" sourceRef="Blocked" targetRef="NotSent"/>"""
ERROR = '<bpmn:error id="Err_Blocked" errorCode="telegram.forbidden"/>\n'


@pytest.fixture
def telegram(monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramServer]:
    with TelegramServer() as server:
        monkeypatch.setenv("AUTOMATIONS_HTTP_ALLOW_HOSTS", "127.0.0.1")
        monkeypatch.setenv(VARIABLE, json.dumps({"shop-bot": server.connection}))
        yield server


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "notify.bpmn"
    document = make_xml(SCENARIO, after=ERROR, process='id="notify" isExecutable="true"')
    path.write_text(document, encoding="utf-8")
    return path


def test_the_message_is_sent_and_its_id_kept(telegram: TelegramServer, scenario: Path) -> None:
    run = run_file(scenario, {"chat": 4242, "orderNumber": 42})
    assert run.status == "completed", run
    assert run.output["sentId"] == 1
    assert telegram.requests[0].json == {"chat_id": 4242, "text": "Заказ № 42 готов"}
    assert TELEGRAM_TOKEN not in json.dumps(run.output)


def test_a_blocked_bot_is_caught_by_its_boundary(telegram: TelegramServer, scenario: Path) -> None:
    telegram.answer_next(*telegram_error(403, "Forbidden: bot was blocked by the user"))
    run = run_file(scenario, {"chat": 4242, "orderNumber": 42})
    assert run.status == "completed", run
    assert run.output["notSent"]["code"] == "telegram.forbidden"
    assert "bot was blocked by the user" in run.output["notSent"]["message"]
    assert "Blocked" in run.trace and "Sent" not in run.trace
    assert TELEGRAM_TOKEN not in json.dumps(run.output)


def test_an_uncaught_refusal_ends_the_run_in_its_error(
    telegram: TelegramServer, scenario: Path
) -> None:
    telegram.answer_next(*telegram_error(400, "Bad Request: chat not found"))
    run = run_file(scenario, {"chat": 4242, "orderNumber": 42})
    assert run.status == "error", run
    assert run.error is not None and run.error.code == "telegram.bad_request"
    assert TELEGRAM_TOKEN not in str(run)
