"""A web request's credentials never reach the stored process: the values of Authorization,
Cookie and the like are `***` in the process's input (and so to its scenario), on Lambda's route
(the API resolver, as the webhook function serves it) and on the dev server's loop route alike;
other headers, and the names of the redacted ones, arrive as sent."""

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
from automations.ports import ProcessQuery
from automations.service.redaction import is_secret_header
from automations.service.scenarios import save_scenario
from automations.service.webrequests import create_endpoint
from automations.settings import Settings

SCENARIO = Path(__file__).parent / "scenarios" / "echo-request.bpmn"
MAX_BODY = 10_000
SENT = [
    (b"host", b"testserver"),
    (b"authorization", b"Basic YWRtaW46aHVudGVyMg=="),
    (b"cookie", b"session=abc123; theme=dark"),
    (b"x-api-key", b"k-42"),
    (b"x-gitlab-token", b"glpat-1"),
    (b"x-request-id", b"r-7"),
    (b"user-agent", b"curl/8"),
]
SECRETS = ("YWRtaW46aHVudGVyMg==", "abc123", "dark", "k-42", "glpat-1")


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "secrets.db", Settings(demo=False, max_body_bytes=MAX_BODY))
    automation = built.automation
    save_scenario(automation.scenarios, "echo-request", SCENARIO.read_text(encoding="utf-8"))
    create_endpoint(automation.webrequests, automation.scenarios, "echo", "echo-request")
    yield built
    built.close()


def app(runtime: LocalRuntime, route: str) -> ResolverAsgi:
    if route == "resolver":
        return ResolverAsgi(runtime.app(), MAX_BODY)
    deps = runtime.automation.webrequest_deps()
    return ResolverAsgi(runtime.app(), MAX_BODY, web=WebRequestRoute(deps, MAX_BODY))


def get(asgi: ResolverAsgi, path: str) -> tuple[int, Any]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": SENT,
        "client": ("127.0.0.1", 5000),
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(asgi(scope, receive, send))
    start, end = sent
    return start["status"], json.loads(end["body"])


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


@pytest.mark.parametrize("route", ["resolver", "loop"])
def test_credentials_in_headers_and_cookies_are_stored_as_stars(
    runtime: LocalRuntime, route: str
) -> None:
    status, seen = get(app(runtime, route), "/api/webrequest/echo")

    assert status == 200, seen
    [process] = runtime.automation.processes.find(ProcessQuery(scenario_id="echo-request"))
    stored = runtime.automation.processes.get(process.id)
    assert stored is not None
    text = json.dumps(stored.input) + json.dumps(stored.output)
    assert not [secret for secret in SECRETS if secret in text]
    for headers in (lower(stored.input["headers"]), lower(seen["headers"])):
        assert headers["authorization"] == headers["cookie"] == "***"
        assert headers["x-api-key"] == headers["x-gitlab-token"] == "***"
        assert (headers["x-request-id"], headers["user-agent"]) == ("r-7", "curl/8")
    assert stored.input["cookies"] == seen["cookies"] == {"session": "***", "theme": "***"}


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("Authorization", True),
        ("PROXY-AUTHORIZATION", True),
        ("Set-Cookie", True),
        ("X-Auth-Token", True),
        ("X-Upstream-Secret", True),
        ("X-Apikey", True),
        ("Content-Type", False),
        ("X-Hub-Signature-256", False),
        ("Accept", False),
    ],
)
def test_which_header_names_are_credentials(name: str, secret: bool) -> None:
    assert is_secret_header(name) is secret
