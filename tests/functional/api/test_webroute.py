"""Web requests served on the dev server's event loop answer exactly as the API resolver's route
(the one Lambda serves) does: the same request through both gives the same answer."""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.devserver.http import ResolverAsgi
from automations.devserver.webroute import WebRequestRoute, _plain_pairs
from automations.service.scenarios import save_scenario
from automations.service.webrequests import create_endpoint
from automations.settings import Settings
from support.asgi import call

SCENARIOS = Path(__file__).parents[2] / "e2e" / "scenarios"
MAX_BODY = 2_000


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "web.db", Settings(demo=False, max_body_bytes=MAX_BODY))
    for name in ("web-echo", "wait-two-seconds"):
        text = (SCENARIOS / f"{name}.bpmn").read_text(encoding="utf-8")
        save_scenario(built.automation.scenarios, name, text)
    create_endpoint(built.automation.webrequests, built.automation.scenarios, "echo", "web-echo")
    yield built
    built.close()


REQUESTS: list[tuple[str, str, bytes, dict[str, str]]] = [
    ("GET", "/api/webrequest/echo?sort=id&limit=10&sort=name", b"", {"cookie": "a=1; b=two"}),
    (
        "POST",
        "/api/webrequest/echo",
        b'{"email": "x@example.com"}',
        {"content_type": "application/json"},
    ),
    (
        "PUT",
        "/api/webrequest/echo/",
        b"a=1&b=2",
        {"content_type": "application/x-www-form-urlencoded"},
    ),
    ("DELETE", "/api/webrequest/echo", "текст".encode(), {"content_type": "text/plain"}),
    ("GET", "/api/webrequest/nobody", b"", {}),
    ("GET", "/api/webrequest/echo/deeper", b"", {}),
    ("TRACE", "/api/webrequest/echo", b"", {}),
    ("POST", "/api/webrequest/echo", b"x" * (MAX_BODY + 1), {"content_type": "text/plain"}),
]


@pytest.mark.parametrize(("method", "path", "body", "headers"), REQUESTS)
def test_the_loop_route_answers_as_the_resolver_does(
    runtime: LocalRuntime, method: str, path: str, body: bytes, headers: dict[str, str]
) -> None:
    resolver = ResolverAsgi(runtime.app(), MAX_BODY)
    on_loop = ResolverAsgi(
        runtime.app(), MAX_BODY, web=WebRequestRoute(runtime.automation.webrequest_deps(), MAX_BODY)
    )
    expected = call(resolver, method, path, body, **headers)
    answered = call(on_loop, method, path, body, **headers)

    assert answered[0] == expected[0]
    assert answered[1].get("content-type") == expected[1].get("content-type")
    assert answered[1].get("x-echo") == expected[1].get("x-echo")
    assert json.loads(answered[2]) == json.loads(expected[2])


def test_queued_and_waiting_runs(runtime: LocalRuntime) -> None:
    create_endpoint(
        runtime.automation.webrequests, runtime.automation.scenarios, "slow", "wait-two-seconds"
    )
    app = ResolverAsgi(
        runtime.app(), MAX_BODY, web=WebRequestRoute(runtime.automation.webrequest_deps(), MAX_BODY)
    )
    queued = call(app, "GET", "/api/webrequest/echo?async=true")
    waited = call(app, "GET", "/api/webrequest/slow")  # a timer: run on a thread, not the loop

    assert queued[0] == 202
    process = runtime.automation.processes.get(json.loads(queued[2])["processId"])
    assert process.event.async_ is True
    assert waited[0] == 200  # no $response: an empty 200
    slow = runtime.automation.processes.find(
        __import__("automations.ports").ports.ProcessQuery(scenario_id="wait-two-seconds")
    )
    assert [p.status.value for p in slow] == ["completed"]
    assert [step.element for step in slow[0].trace] == ["Start", "Before", "Wait", "After", "End"]


def test_plain_queries_take_a_shortcut_that_parses_and_encodes_them_alike() -> None:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "._~-=&%+ ;/?é"
    taken = 0
    for _ in range(50_000):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        pairs = _plain_pairs(query)
        if pairs is None:
            continue
        taken += 1
        parsed = parse_qsl(query, keep_blank_values=True)
        assert (pairs, urlencode(parsed)) == (parsed, query)
    assert taken > 500  # the shortcut was exercised, not skipped every time
    assert _plain_pairs("n=21&m=") == [("n", "21"), ("m", "")]
    assert _plain_pairs("n=1&n=2") is None  # repeated names are grouped the long way
