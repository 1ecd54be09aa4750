"""`DELETE /api/v1/scenarios/{id}`: refused (409, nothing changed) while a subscription, web
request endpoint, schedule or another scenario's call activity would still start the scenario,
each named; once nothing does, the scenario is gone from the list and from new starts, while
its processes stay readable and one already queued still runs its version. A browser session
needs its CSRF token, as for every other change."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.model.event import EventType
from automations.model.process import ProcessStatus
from automations.model.user import Role
from automations.service.processes import Start
from automations.service.variables import Trigger
from automations.settings import Settings
from support.api import proxy_event

EXAMPLES = Path(__file__).parents[3] / "examples"
LOGIN, PASSWORD = "admin@example.com", "pw"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()}


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "delete.db", Settings(demo=False))
    built.services.users.create(LOGIN, PASSWORD, role=Role.ADMIN)
    yield built
    built.close()


def call(
    runtime: LocalRuntime,
    method: str,
    path: str,
    body: Any = None,
    *,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str | list[str]] | None = None,
) -> tuple[int, Any]:
    event = proxy_event(
        method,
        path,
        body,
        raw_body=raw_body,
        headers=AUTH if headers is None else headers,
        query=query,
    )
    response = runtime.app().resolve(event, None)
    text = response.get("body") or ""
    try:
        return response["statusCode"], json.loads(text)
    except ValueError:  # the BPMN of GET /scenarios/{id}
        return response["statusCode"], text


def save(runtime: LocalRuntime, name: str) -> None:
    bpmn = (EXAMPLES / f"{name}.bpmn").read_text(encoding="utf-8")
    status, body = call(runtime, "PUT", f"/api/v1/scenarios/{name}", raw_body=bpmn)
    assert status == 200, body


def listed(runtime: LocalRuntime) -> list[str]:
    return [s["id"] for s in call(runtime, "GET", "/api/v1/scenarios")[1]]


def test_an_unknown_scenario_is_404(runtime: LocalRuntime) -> None:
    status, body = call(runtime, "DELETE", "/api/v1/scenarios/nothing-here")
    assert (status, body["code"]) == (404, "not_found")
    assert "nothing-here" in body["message"]


def test_a_scenario_still_used_is_refused_naming_every_use(runtime: LocalRuntime) -> None:
    save(runtime, "discount-calculator")
    save(runtime, "call-discount")  # its call activity starts discount-calculator
    catalog = call(runtime, "POST", "/api/v1/catalogs", {"name": "Orders", "fields": []})[1]["id"]
    made = [
        call(
            runtime,
            "POST",
            "/api/v1/subscriptions",
            {
                "catalogId": catalog,
                "events": ["$record.after.create"],
                "scenarioId": "discount-calculator",
            },
        ),
        call(
            runtime,
            "POST",
            "/api/v1/webrequests",
            {"urlId": "discount", "scenarioId": "discount-calculator", "active": False},
        ),
        call(
            runtime,
            "POST",
            "/api/v1/schedules",
            {"expression": "rate(1 hour)", "scenarioId": "discount-calculator"},
        ),
    ]
    assert [status for status, _ in made] == [200, 200, 200], made

    status, body = call(runtime, "DELETE", "/api/v1/scenarios/discount-calculator")

    assert (status, body["code"]) == (409, "scenario_in_use")
    assert [(use["kind"], use["id"]) for use in body["errors"]] == [
        ("subscription", made[0][1]["id"]),
        ("webrequest", made[1][1]["id"]),
        ("schedule", made[2][1]["id"]),
        ("scenario", "call-discount"),
    ]
    for words in (
        f"catalog {catalog}",
        "/api/webrequest/discount",
        "rate(1 hour)",
        "call-discount",
    ):
        assert words in body["message"]
    assert "discount-calculator" in listed(runtime)  # nothing changed

    call(runtime, "DELETE", f"/api/v1/subscriptions/{made[0][1]['id']}")
    call(runtime, "DELETE", f"/api/v1/webrequests/{made[1][1]['id']}")
    call(runtime, "DELETE", f"/api/v1/schedules/{made[2][1]['id']}")
    status, body = call(runtime, "DELETE", "/api/v1/scenarios/discount-calculator")
    assert (status, [u["kind"] for u in body["errors"]]) == (409, ["scenario"])

    assert call(runtime, "DELETE", "/api/v1/scenarios/call-discount") == (
        200,
        {"id": "call-discount"},
    )
    assert call(runtime, "DELETE", "/api/v1/scenarios/discount-calculator")[0] == 200
    assert listed(runtime) == []


def test_after_deleting_its_processes_stay_readable_and_a_queued_one_still_runs(
    runtime: LocalRuntime,
) -> None:
    save(runtime, "discount-calculator")
    status, done = call(
        runtime, "POST", "/api/v1/scenarios/discount-calculator/run", {"input": {"total": 200}}
    )
    assert (status, done["status"]) == (200, "completed"), done
    processes = runtime.automation.processes
    trigger = Trigger(EventType.MANUAL, "by-hand", None, sync=False, facts={"total": 200})
    queued = processes.enqueue(Start("discount-calculator", trigger))
    assert queued is not None and queued.status is ProcessStatus.QUEUED

    assert call(runtime, "DELETE", "/api/v1/scenarios/discount-calculator")[0] == 200

    assert call(runtime, "GET", "/api/v1/scenarios/discount-calculator")[0] == 404
    run = call(runtime, "POST", "/api/v1/scenarios/discount-calculator/run", {"input": {}})
    assert run[0] == 404
    status, shown = call(runtime, "GET", f"/api/v1/processes/{done['id']}")
    assert (status, shown["status"], shown["scenarioVersion"]) == (200, "completed", 1)
    status, bpmn = call(
        runtime, "GET", "/api/v1/scenarios/discount-calculator", query={"version": "1"}
    )
    assert status == 200 and "discount-calculator" in bpmn  # the viewer draws the process

    processes.pump()
    deadline = time.monotonic() + 20
    while (found := processes.get(queued.id)) is not None and found.status in (
        ProcessStatus.QUEUED,
        ProcessStatus.RUNNING,
    ):
        assert time.monotonic() < deadline, "the queued process never finished"
        time.sleep(0.02)
    assert found is not None and found.status is ProcessStatus.COMPLETED, found

    save(runtime, "discount-calculator")  # saved again: it is back, as version 2
    status, _ = call(runtime, "GET", "/api/v1/scenarios/discount-calculator")
    assert (status, listed(runtime)) == (200, ["discount-calculator"])


def test_a_browser_session_needs_its_csrf_token(runtime: LocalRuntime) -> None:
    save(runtime, "discount-calculator")
    signed = runtime.app().resolve(
        proxy_event("POST", "/api/v1/session", {"email": LOGIN, "password": PASSWORD}), None
    )
    jar: SimpleCookie = SimpleCookie()
    for line in signed["multiValueHeaders"]["Set-Cookie"]:
        jar.load(line)
    cookie = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in jar.items())}
    csrf = json.loads(signed["body"])["csrfToken"]

    refused = call(runtime, "DELETE", "/api/v1/scenarios/discount-calculator", headers=cookie)
    assert (refused[0], refused[1]["code"]) == (403, "csrf")
    assert "discount-calculator" in listed(runtime)
    allowed = call(
        runtime,
        "DELETE",
        "/api/v1/scenarios/discount-calculator",
        headers=cookie | {"X-CSRF-Token": csrf},
    )
    assert allowed == (200, {"id": "discount-calculator"})
