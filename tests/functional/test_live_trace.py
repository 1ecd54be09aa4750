"""The path of a running process, on the embedded runtime through the API: a background run
stores the elements it entered and left as it goes (at each wait: a component call, a timer),
so `GET /api/v1/processes/{id}` of a process waiting on a timer shows where it stands, before
and after a restart of the runtime, and the list shows a summary of it.

The AWS side is in tests/functional/aws/test_live_trace_aws.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.api.app import build_app
from automations.components.address_guard import ALLOW_PRIVATE_ENV
from automations.model.event import EventType
from automations.model.user import Role
from automations.service.live_trace import TraceBuilder
from automations.service.outcome import trace_steps
from automations.service.processes import Start
from automations.service.scenarios import save_scenario
from automations.service.variables import Trigger
from automations.settings import Settings
from support.api import BASIC, LOGIN, PASSWORD, proxy_event
from support.json_server import JsonServer

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:auto="urn:automations:bpmn:1" id="D" targetNamespace="urn:t">
  <bpmn:process id="slow" isExecutable="true">
    <bpmn:startEvent id="Begin"/>
    <bpmn:task id="Note">
      <bpmn:extensionElements>
        <auto:output name="noted" value="{% 1 %}"/>
      </bpmn:extensionElements>
    </bpmn:task>
    <bpmn:serviceTask id="Call">
      <bpmn:extensionElements>
        <auto:component type="http.request"/>
        <auto:input name="url" value="{% $base &amp; '/held' %}"/>
        <auto:output name="called" value="{% $result.status %}"/>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:intermediateCatchEvent id="Hold">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="Done"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Begin" targetRef="Note"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Note" targetRef="Call"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Call" targetRef="Hold"/>
    <bpmn:sequenceFlow id="f4" sourceRef="Hold" targetRef="Done"/>
  </bpmn:process>
</bpmn:definitions>
"""
WAIT_SECONDS = 20.0


class HeldServer:
    """Answers `/held` with 200 once `release` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.http = JsonServer(self._answer)
        self.base = self.http.base

    def _answer(self, _method: str, _path: str) -> tuple[int, Any]:
        self.release.wait(WAIT_SECONDS)
        return 200, {}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldServer]:
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")  # the test server is on loopback
    held = HeldServer()
    yield held
    held.release.set()
    held.http.close()


class Api:
    """The processes API through the resolver, as an admin."""

    def __init__(self, runtime: LocalRuntime, *, first: bool = True) -> None:
        if first:
            runtime.services.users.create(LOGIN, PASSWORD, role=Role.ADMIN)
        self._app = build_app(runtime.services)

    def call(self, method: str, path: str) -> Any:
        event = proxy_event(method, path, None, headers={"Authorization": BASIC})
        response = self._app.resolve(event, None)
        assert response["statusCode"] == 200, response.get("body")
        return json.loads(response["body"])

    def process(self, process_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.call("GET", f"/api/v1/processes/{process_id}")
        return answer


def until(
    read: Callable[[], dict[str, Any]], holds: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """`read()` once `holds` says yes of it (failing, with the last answer, if it never does)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        answer = read()
        if holds(answer):
            return answer
        assert time.monotonic() < deadline, answer
        time.sleep(0.02)


def path(process: dict[str, Any]) -> list[tuple[str, bool]]:
    """(element, left) per step."""
    return [(step["element"], step["exitedAt"] is not None) for step in process["trace"]]


def start(runtime: LocalRuntime, base: str) -> str:
    trigger = Trigger(EventType.MANUAL, "test", None, sync=False, facts={"base": base})
    queued = runtime.automation.processes.enqueue(Start("slow", trigger))
    assert queued is not None
    runtime.automation.processes.pump()
    return queued.id


def test_a_running_process_shows_its_path_as_it_goes_and_after_a_restart(
    tmp_path: Path, server: HeldServer
) -> None:
    db = tmp_path / "live.db"
    first = build_runtime(db, Settings(demo=False))
    save_scenario(first.automation.scenarios, "slow", BPMN)
    first.start()
    api = Api(first)
    process_id = start(first, server.base)

    # In the component call: the elements before it left, the call entered.
    calling = until(lambda: api.process(process_id), lambda p: len(p["trace"]) == 3)
    assert calling["status"] == "running"
    assert path(calling) == [("Begin", True), ("Note", True), ("Call", False)]

    # Then waiting on the timer: the call left, the timer entered (read from the events since
    # the call only; the steps before are the same ones, with the same times).
    server.release.set()
    waiting = until(lambda: api.process(process_id), lambda p: len(p["trace"]) == 4)
    assert waiting["status"] == "running"
    assert path(waiting) == [("Begin", True), ("Note", True), ("Call", True), ("Hold", False)]
    assert waiting["trace"][:2] == calling["trace"][:2]
    listed = next(p for p in api.call("GET", "/api/v1/processes") if p["id"] == process_id)
    assert listed["path"] == {"steps": 4, "lastElement": "Hold"}
    assert "trace" not in listed
    first.close()

    # A restart: the stored path is there at once, and the resumed run keeps it as it was.
    second = build_runtime(db, Settings(demo=False))
    api = Api(second, first=False)
    assert api.process(process_id)["trace"] == waiting["trace"]
    second.start()  # resumes the run from its checkpoint, back in the timer
    try:
        resumed = until(
            lambda: api.process(process_id),
            lambda p: p["status"] == "running" and len(p["trace"]) == 4,
        )
        assert path(resumed) == path(waiting)
        stopped = api.call("POST", f"/api/v1/processes/{process_id}/stop")
        assert stopped["status"] == "aborted"
        assert path(stopped) == path(waiting)  # where it was when it was stopped
    finally:
        second.close()


def test_a_run_someone_waits_for_is_not_traced_until_it_ends(
    tmp_path: Path, server: HeldServer
) -> None:
    """Only background runs store their path as they go: a caller waiting for a run gets the
    whole path with the answer (no write per step on that hot path)."""
    runtime = build_runtime(tmp_path / "sync.db", Settings(demo=False))
    save_scenario(runtime.automation.scenarios, "slow", BPMN.replace("PT1H", "PT0S"))
    runtime.start()
    try:
        server.release.set()
        trigger = Trigger(EventType.MANUAL, "t", None, sync=True, facts={"base": server.base})
        done = runtime.automation.processes.run_sync(Start("slow", trigger))
        assert done.status == "completed", done.error
        assert [step.element for step in done.trace] == ["Begin", "Note", "Call", "Hold", "Done"]
    finally:
        runtime.close()


def test_the_live_path_read_a_few_events_at_a_time_is_the_final_one() -> None:
    """Fed in pieces, resumed from its cursor (as an AWS invocation goes on from the last), the
    builder gives the path that reading the whole history gives: a Map's iterations keep its
    step open, a retry enters elements anew."""
    names = ["Begin", "Loop", "Loop__item", "Loop__item", "Loop__item", "Loop__item", "Loop"]
    kinds = ["Entered", "Entered", "Entered", "Entered", "Exited", "Exited", "Exited"]
    events: list[dict[str, Any]] = [{"id": 1, "timestamp": 1.0, "type": "ExecutionStarted"}]
    for name, kind in zip(names, kinds, strict=True):
        key = "stateEnteredEventDetails" if kind == "Entered" else "stateExitedEventDetails"
        events.append({"id": len(events) + 1, "timestamp": float(len(events)), key: {"name": name}})
    events.append({"id": len(events) + 1, "timestamp": 20.0, "executionRedrivenEventDetails": {}})
    events.append(
        {"id": len(events) + 1, "timestamp": 21.0, "stateEnteredEventDetails": {"name": "Loop"}}
    )
    whole = trace_steps(events)
    assert [(s.element, s.exited_at is not None, s.retry) for s in whole] == [
        ("Begin", False, None),
        ("Loop", True, None),
        ("Loop", False, 1),
    ]
    for cut in range(len(events) + 1):
        builder = TraceBuilder()
        builder.feed(events[:cut])
        again = TraceBuilder.resumed(builder.steps(), json.loads(json.dumps(builder.cursor())))
        again.feed(events[max(0, cut - 2) :])  # overlapping what was read: read once
        assert again.steps() == whole, cut
