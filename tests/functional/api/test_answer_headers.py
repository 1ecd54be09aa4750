"""A web request's scenario answering headers HTTP cannot carry: the process fails with
`Response.BadHeader` and the caller gets 502 saying which header, on Lambda's route (the API
resolver) and on the dev server's loop route alike; headers with ext-value parameters are sent
encoded per RFC 8187."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.devserver.http import ResolverAsgi
from automations.devserver.webroute import WebRequestRoute
from automations.model.process import ProcessStatus
from automations.ports import ProcessQuery
from automations.service.scenarios import save_scenario
from automations.service.webrequests import create_endpoint
from automations.settings import Settings

SCENARIOS = Path(__file__).parent / "scenarios"
MAX_BODY = 10_000
# `now`: a machine that never waits (run on the loop); `later`: one with a timer (a thread).
ENDPOINTS = {"now": "answer-headers", "later": "answer-headers-later"}


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "headers.db", Settings(demo=False, max_body_bytes=MAX_BODY))
    automation = built.automation
    for url_id, scenario_id in ENDPOINTS.items():
        text = (SCENARIOS / f"{scenario_id}.bpmn").read_text(encoding="utf-8")
        save_scenario(automation.scenarios, scenario_id, text)
        create_endpoint(automation.webrequests, automation.scenarios, url_id, scenario_id)
    yield built
    built.close()


def apps(runtime: LocalRuntime) -> dict[str, ResolverAsgi]:
    deps = runtime.automation.webrequest_deps()
    return {
        "resolver": ResolverAsgi(runtime.app(), MAX_BODY),
        "loop": ResolverAsgi(runtime.app(), MAX_BODY, web=WebRequestRoute(deps, MAX_BODY)),
    }


def call(
    app: ResolverAsgi, path: str, body: bytes, content_type: str
) -> tuple[int, dict[str, str], bytes]:
    """One POST through the ASGI app; header values read as the Latin-1 bytes they are."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", content_type.encode())],
        "client": ("127.0.0.1", 5000),
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, end = sent
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    return start["status"], headers, end["body"]


def ask(app: ResolverAsgi, url_id: str, headers: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    body = json.dumps({"headers": headers}).encode()
    status, sent, data = call(app, f"/api/webrequest/{url_id}", body, "application/json")
    return (
        status,
        sent,
        json.loads(data) if sent.get("content-type") == "application/json" else data,
    )


def only_process(runtime: LocalRuntime, scenario_id: str) -> Any:
    found = runtime.automation.processes.find(ProcessQuery(scenario_id=scenario_id))
    assert len(found) == 1
    return found[0]


BAD = [
    ({"X-Echo": "Ж"}, "'X-Echo'", "U+0416"),
    ({"X-Ok": "1", "X-Bad": "a\r\nSet-Cookie: admin=1"}, "'X-Bad'", "header injection"),
    ({"X-Nul": "a\u0000b"}, "'X-Nul'", "U+0000"),
    ({"Bad Name": "v"}, "'Bad Name'", "not an HTTP token"),
]


@pytest.mark.parametrize("route", ["resolver", "loop"])
@pytest.mark.parametrize("url_id", sorted(ENDPOINTS))
@pytest.mark.parametrize(("headers", "header", "why"), BAD)
def test_a_header_that_cannot_be_sent_fails_the_process_and_answers_502(
    runtime: LocalRuntime, route: str, url_id: str, headers: dict[str, str], header: str, why: str
) -> None:
    status, sent, body = ask(apps(runtime)[route], url_id, headers)

    assert status == 502
    assert body["code"] == "process_failed"
    assert "Response.BadHeader" in body["message"]
    assert header in body["message"] and why in body["message"]
    assert "x-bad" not in sent and "set-cookie" not in sent
    process = only_process(runtime, ENDPOINTS[url_id])
    assert body["processId"] == process.id
    assert process.status is ProcessStatus.ERROR
    assert process.error is not None
    assert process.error.code == "Response.BadHeader"
    assert header in process.error.message


@pytest.mark.parametrize("route", ["resolver", "loop"])
def test_undecodable_request_bytes_echoed_in_a_header_are_a_502(
    runtime: LocalRuntime, route: str
) -> None:
    # The text body's bad bytes reach the scenario as U+FFFD, which it echoes in X-Echo.
    status, _, data = call(apps(runtime)[route], "/api/webrequest/now", b"caf\xe9", "text/plain")
    assert status == 502
    assert "'X-Echo' holds U+FFFD" in json.loads(data)["message"]


@pytest.mark.parametrize("route", ["resolver", "loop"])
@pytest.mark.parametrize("url_id", sorted(ENDPOINTS))
def test_ext_value_parameters_are_encoded_and_latin1_is_sent(
    runtime: LocalRuntime, route: str, url_id: str
) -> None:
    headers = {"Content-Disposition": 'attachment; filename="Жук.txt"', "X-Latin": "café"}
    status, sent, body = ask(apps(runtime)[route], url_id, headers)

    assert (status, body) == (200, b"ok")
    assert sent["content-disposition"] == "attachment; filename*=UTF-8''%D0%96%D1%83%D0%BA.txt"
    assert sent["x-latin"] == "café"
    assert only_process(runtime, ENDPOINTS[url_id]).status is ProcessStatus.COMPLETED
