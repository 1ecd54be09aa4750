"""Retry from the failed element, on the embedded runtime through the API: the same process (id,
scenario version) goes on from where it failed, with the variables it held (some corrected),
and what completed before it is not run again (a test HTTP server counts the calls).

The AWS side (RedriveExecution, which moto does not implement) is in
tests/functional/aws/test_redrive.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.api.app import build_app
from automations.cli import main
from automations.components.address_guard import ALLOW_PRIVATE_ENV
from automations.model.event import EventType
from automations.model.process import ProcessRecord, ProcessStatus
from automations.model.user import Role
from automations.service.errors import ProcessNotRetryable
from automations.service.processes import Start
from automations.service.scenarios import save_scenario
from automations.service.variables import Trigger
from automations.settings import Settings
from support.api import BASIC, LOGIN, PASSWORD, basic, proxy_event
from support.json_server import JsonServer

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:auto="urn:automations:bpmn:1" id="D" targetNamespace="urn:t">
  <bpmn:process id="order" isExecutable="true">
    <bpmn:startEvent id="Begin"/>
    <bpmn:serviceTask id="Notify">
      <bpmn:extensionElements>
        <auto:component type="http.request"/>
        <auto:input name="url" value="{% $base &amp; '/notify' %}"/>
        <auto:output name="notified" value="{% $result.status %}"/>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:task id="Convert">
      <bpmn:extensionElements>
        <auto:output name="amount" value="{% $number($order.code) %}"/>
      </bpmn:extensionElements>
    </bpmn:task>
    <bpmn:serviceTask id="Charge">
      <bpmn:extensionElements>
        <auto:component type="http.request"/>
        <auto:input name="url" value="{% $base &amp; '/charge' %}"/>
        <auto:output name="charged" value="{% $result.status %}"/>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="Done"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Begin" targetRef="Notify"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Notify" targetRef="Convert"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Convert" targetRef="Charge"/>
    <bpmn:sequenceFlow id="f4" sourceRef="Charge" targetRef="Done"/>
  </bpmn:process>
</bpmn:definitions>
"""
WAIT_SECONDS = 20.0


class CountingServer:
    """Answers 200 and counts each path; `/charge` answers 503 while `charge_down`."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.charge_down = False
        self.charge_held = threading.Event()  # /charge answers once set
        self.charge_held.set()
        self.http = JsonServer(self._answer)
        self.base = self.http.base

    def _answer(self, _method: str, path: str) -> tuple[int, Any]:
        self.calls[path] += 1
        if path == "/charge":
            self.charge_held.wait(WAIT_SECONDS)
        return (503 if path == "/charge" and self.charge_down else 200), {"path": path}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingServer]:
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")  # the counting server is on loopback
    counting = CountingServer()
    yield counting
    counting.http.close()


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "retry.db", Settings(demo=False))
    save_scenario(built.automation.scenarios, "order", BPMN)
    built.start()
    yield built
    built.close()


class RetryApi:
    """`POST /api/v1/processes/{id}/retry` through the API resolver, as an admin."""

    def __init__(self, runtime: LocalRuntime) -> None:
        runtime.services.users.create(LOGIN, PASSWORD, role=Role.ADMIN)
        self._app = build_app(runtime.services)

    def retry(self, process_id: str, body: Any = None, auth: str = BASIC) -> tuple[int, Any]:
        event = proxy_event(
            "POST", f"/api/v1/processes/{process_id}/retry", body, headers={"Authorization": auth}
        )
        response = self._app.resolve(event, None)
        text = response.get("body") or ""
        return response["statusCode"], json.loads(text) if text else None


@pytest.fixture
def api(runtime: LocalRuntime) -> RetryApi:
    return RetryApi(runtime)


def background(runtime: LocalRuntime, facts: dict[str, Any]) -> ProcessRecord:
    """A background (`$manual`, not waited for) run, once it has ended."""
    trigger = Trigger(EventType.MANUAL, "test", None, sync=False, facts=facts)
    queued = runtime.automation.processes.enqueue(Start("order", trigger))
    assert queued is not None
    runtime.automation.processes.pump()
    return ended(runtime, queued.id)


def ended(runtime: LocalRuntime, process_id: str) -> ProcessRecord:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        process = runtime.automation.processes.get(process_id)
        if process.status in (ProcessStatus.COMPLETED, ProcessStatus.ERROR, ProcessStatus.ABORTED):
            return process
        assert time.monotonic() < deadline, f"{process_id} is still {process.status}"
        time.sleep(0.02)


def test_a_retry_goes_on_from_the_failed_element_with_corrected_variables(
    runtime: LocalRuntime, api: RetryApi, server: CountingServer
) -> None:
    failed = background(runtime, {"base": server.base, "order": {"code": "abc"}})
    assert (failed.status, failed.error and failed.error.element) == (
        ProcessStatus.ERROR,
        "Convert",
    )
    assert server.calls == Counter({"/notify": 1})

    status, body = api.retry(failed.id, {"variables": {"order": {"code": "42"}}})
    assert status == 200, body
    assert (body["id"], body["status"]) == (failed.id, "running")

    done = ended(runtime, failed.id)
    assert done.status is ProcessStatus.COMPLETED, done.error
    assert (done.id, done.scenario_version, done.retries) == (failed.id, failed.scenario_version, 1)
    assert done.error is None and done.finished_at is not None
    assert done.output is not None
    assert (done.output["amount"], done.output["notified"], done.output["charged"]) == (
        42,
        200,
        200,
    )
    # Notify completed before the failure: it is not called again; Charge runs once.
    assert server.calls == Counter({"/notify": 1, "/charge": 1})
    # The trace: the first run up to the failure, then the retry from Convert on.
    steps = [(step.element, step.retry) for step in done.trace]
    assert steps == [
        ("Begin", None),
        ("Notify", None),
        ("Convert", None),
        ("Convert", 1),
        ("Charge", 1),
        ("Done", 1),
    ]
    assert done.trace[2].exited_at is None  # where it failed


def test_a_retry_without_variables_runs_the_failed_call_again(
    runtime: LocalRuntime, api: RetryApi, server: CountingServer
) -> None:
    server.charge_down = True
    failed = background(runtime, {"base": server.base, "order": {"code": "7"}})
    assert failed.error is not None and (failed.error.code, failed.error.element) == (
        "http.status",
        "Charge",
    )
    server.charge_down = False
    assert api.retry(failed.id)[0] == 200
    done = ended(runtime, failed.id)
    assert done.status is ProcessStatus.COMPLETED, done.error
    assert done.output is not None and done.output["amount"] == 7
    assert server.calls == Counter({"/notify": 1, "/charge": 2})


def test_a_process_that_did_not_fail_or_is_being_retried_is_refused(
    runtime: LocalRuntime, api: RetryApi, server: CountingServer
) -> None:
    completed = background(runtime, {"base": server.base, "order": {"code": "1"}})
    status, refused = api.retry(completed.id)
    assert (status, refused["code"]) == (409, "not_retryable")
    assert "is completed: only a process that ended in error can be retried" in refused["message"]

    failed = background(runtime, {"base": server.base, "order": {"code": "x"}})
    processes = runtime.automation.processes
    server.charge_held.clear()  # the retried run waits in Charge: still running below
    first = processes.retry(failed.id, {"order": {"code": "2"}})
    assert first.status is ProcessStatus.RUNNING
    status, again = api.retry(failed.id)
    server.charge_held.set()
    assert (status, again["code"]) == (409, "not_retryable")
    assert "is running (retried 1 time(s)): wait until it ends" in again["message"]
    assert ended(runtime, failed.id).status is ProcessStatus.COMPLETED
    assert server.calls["/charge"] == 2  # the completed run's and the retried one's


def test_a_run_someone_waited_for_cannot_be_retried(
    runtime: LocalRuntime, server: CountingServer
) -> None:
    trigger = Trigger(
        EventType.MANUAL,
        "test",
        None,
        sync=True,
        facts={"base": server.base, "order": {"code": "x"}},
    )
    failed = runtime.automation.processes.run_sync(Start("order", trigger))
    assert failed.status is ProcessStatus.ERROR
    with pytest.raises(ProcessNotRetryable, match="ran while its caller waited"):
        runtime.automation.processes.retry(failed.id)
    assert runtime.automation.processes.get(failed.id).status is ProcessStatus.ERROR


def test_a_retry_survives_a_restart(tmp_path: Path, server: CountingServer) -> None:
    """The failed run's checkpoint is kept in the database: a server started afterwards still
    retries it from where it failed."""
    first = build_runtime(tmp_path / "kept.db", Settings(demo=False))
    save_scenario(first.automation.scenarios, "order", BPMN)
    first.start()
    failed = background(first, {"base": server.base, "order": {"code": "abc"}})
    first.close()

    second = build_runtime(tmp_path / "kept.db", Settings(demo=False))
    second.start()
    try:
        second.automation.processes.retry(failed.id, {"order": {"code": "5"}})
        done = ended(second, failed.id)
    finally:
        second.close()
    assert done.status is ProcessStatus.COMPLETED, done.error
    assert server.calls == Counter({"/notify": 1, "/charge": 1})


def test_the_command_line_retries_through_the_api(
    runtime: LocalRuntime,
    api: RetryApi,
    server: CountingServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`automations retry ID --variables JSON` posts to the server's retry route (here the
    API resolver itself stands behind httpx) and exits 0, or 1 with the refusal printed."""
    sent: list[tuple[str, Any]] = []

    def post(url: str, *, json: Any, auth: tuple[str, str], timeout: float) -> httpx.Response:
        sent.append((url, json))
        status, body = api.retry(url.split("/")[-2], json)
        return httpx.Response(status, json=body)

    monkeypatch.setattr(httpx, "post", post)
    failed = background(runtime, {"base": server.base, "order": {"code": "abc"}})

    code = main(["retry", failed.id, "--variables", '{"order": {"code": "9"}}'])
    assert code == 0, capsys.readouterr()
    assert sent == [
        (
            f"http://127.0.0.1:8000/api/v1/processes/{failed.id}/retry",
            {"variables": {"order": {"code": "9"}}},
        )
    ]
    assert ended(runtime, failed.id).status is ProcessStatus.COMPLETED
    capsys.readouterr()

    assert main(["retry", failed.id]) == 1
    assert "only a process that ended in error can be retried" in capsys.readouterr().out


def test_a_member_may_not_retry_what_someone_else_started(
    runtime: LocalRuntime, api: RetryApi, server: CountingServer
) -> None:
    runtime.services.users.create("ann@example.com", "ann-passw0rd", role=Role.MEMBER)
    failed = background(runtime, {"base": server.base, "order": {"code": "abc"}})
    status, body = api.retry(failed.id, auth=basic("ann@example.com", "ann-passw0rd"))
    assert (status, body["code"]) == (404, "not_found")
    assert runtime.automation.processes.get(failed.id).status is ProcessStatus.ERROR
