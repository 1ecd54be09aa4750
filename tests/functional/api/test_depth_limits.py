"""Bodies nesting too deep or too large are refused at the edge, on the dev server's loop route,
on the resolver's route (the one Lambda serves) and on the API, with a code naming the limit;
nothing unreadable is stored, so the process list and every process keep answering."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.demo import seed_demo
from automations.devserver.http import ResolverAsgi
from automations.devserver.server import ensure_admin
from automations.devserver.webroute import WebRequestRoute
from automations.settings import Settings
from support.asgi import call

MAX_BODY = 1024 * 1024
DEPTHS = [200, 260, 1000, 100_000]
SETTINGS = Settings(max_body_bytes=MAX_BODY)
AUTH = (
    "Basic "
    + base64.b64encode(f"{SETTINGS.admin_email}:{SETTINGS.admin_password}".encode()).decode()
)
JSON = {"content_type": "application/json"}


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "limits.db", SETTINGS)
    ensure_admin(built)
    seed_demo(built.automation)
    yield built
    built.close()


@pytest.fixture(params=["loop", "resolver"])
def app(request: pytest.FixtureRequest, runtime: LocalRuntime) -> ResolverAsgi:
    """The dev server as it serves web requests (on its loop), or through the resolver only."""
    if request.param == "resolver":
        return ResolverAsgi(runtime.app(), MAX_BODY)
    route = WebRequestRoute(runtime.automation.webrequest_deps(), MAX_BODY)
    return ResolverAsgi(runtime.app(), MAX_BODY, web=route)


def nested(depth: int) -> str:
    """A JSON object nesting `depth` levels: `{"total": [[...]]}`."""
    return '{"total": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def api(app: ResolverAsgi, method: str, path: str, body: bytes = b"") -> tuple[int, Any]:
    status, _, data = call(app, method, path, body, authorization=AUTH, **JSON)
    return status, json.loads(data) if data else None


@pytest.mark.parametrize("depth", DEPTHS)
def test_deep_bodies_are_400_everywhere_and_every_process_still_reads(
    app: ResolverAsgi, depth: int
) -> None:
    body = nested(depth).encode()
    manual = b'{"input": ' + body + b', "async": false}'
    answers = [
        call(app, "POST", "/api/webrequest/quote", body, **JSON),
        call(app, "POST", "/api/webrequest/quote?async=true", body, **JSON),
        call(app, "POST", "/api/v1/scenarios/demo-quote/run", manual, authorization=AUTH, **JSON),
    ]
    for status, _, data in answers:
        answer = json.loads(data)
        assert (status, answer["code"], answer["fieldId"]) == (400, "body.too_deep", "body")
        assert "deeper than the 64 levels allowed" in answer["message"]
    # The demo still answers, and what it stored reads back (one process per answer).
    quoted = call(app, "GET", "/api/webrequest/quote?total=1500")
    assert (quoted[0], json.loads(quoted[2])["payable"]) == (200, 1350)
    status, listed = api(app, "GET", "/api/v1/processes")
    assert status == 200 and len(listed) == 1
    for process in listed:
        assert api(app, "GET", f"/api/v1/processes/{process['id']}")[0] == 200


def test_a_body_at_the_limit_runs_and_reads_back(app: ResolverAsgi) -> None:
    at_limit = '{"total": 1500, "deep": ' + "[" * 63 + "]" * 63 + "}"  # 64 levels

    status, _, data = call(app, "POST", "/api/webrequest/quote", at_limit.encode(), **JSON)

    assert (status, json.loads(data)["payable"]) == (200, 1350)
    listed = api(app, "GET", "/api/v1/processes")[1]
    assert len(listed) == 1
    status, stored = api(app, "GET", f"/api/v1/processes/{listed[0]['id']}")
    assert status == 200
    assert stored["input"]["body"] == json.loads(at_limit)


def test_deep_text_that_is_not_json_is_plain_text(app: ResolverAsgi) -> None:
    text = ("[" * 1000).encode()

    status, _, data = call(app, "POST", "/api/webrequest/quote", text, content_type="text/plain")

    assert status == 400  # the demo's own answer: no total in a text body
    assert "code" not in json.loads(data)


def test_oversized_bodies_are_413_on_every_route(app: ResolverAsgi) -> None:
    huge = b'{"total": 1, "pad": "' + b"x" * MAX_BODY + b'"}'
    answers = [
        call(app, "POST", "/api/webrequest/quote", huge, **JSON),
        call(app, "POST", "/api/v1/scenarios/demo-quote/run", huge, authorization=AUTH, **JSON),
    ]
    for status, _, data in answers:
        answer = json.loads(data)
        assert (status, answer["code"]) == (413, "body.too_large")
        assert f"larger than {MAX_BODY} bytes" in answer["message"]
    assert api(app, "GET", "/api/v1/processes") == (200, [])


def test_an_unreadable_stored_process_is_listed_as_an_error(
    runtime: LocalRuntime, app: ResolverAsgi
) -> None:
    # As a version without the depth limit stored a 300-level body: no reader takes it.
    body = '{"id": "old", "input": {"body": ' + "[" * 300 + "]" * 300 + "}}"
    with runtime.db.transaction() as conn:
        conn.execute(
            "INSERT INTO processes (id, scenario_id, status, queued_at, body)"
            " VALUES ('old', 'demo-quote', 'completed', '2026-01-02T03:04:05.000Z', ?)",
            (body,),
        )

    status, listed = api(app, "GET", "/api/v1/processes")
    shown = api(app, "GET", "/api/v1/processes/old")

    assert status == 200 and [p["id"] for p in listed] == ["old"]
    assert shown[0] == 200 and listed[0]["status"] == "error"
    assert (shown[1]["status"], shown[1]["scenarioId"], shown[1]["queuedAt"]) == (
        "error",
        "demo-quote",
        "2026-01-02T03:04:05.000Z",
    )
    assert shown[1]["error"]["code"] == "Process.RecordUnreadable"
