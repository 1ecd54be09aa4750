"""What the API says about a request it cannot take: where a JSON body breaks (line and
column), which type a route wants, and that a BPMN file may come as curl sends it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.model.user import Role
from automations.settings import Settings
from support.api import proxy_event

LOGIN, PASSWORD = "admin@example.com", "pw"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()}
EXAMPLE = Path(__file__).parents[3] / "examples" / "order-approval.bpmn"


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "messages.db", Settings(demo=False))
    built.services.users.create(LOGIN, PASSWORD, role=Role.ADMIN)
    yield built
    built.close()


def call(runtime: LocalRuntime, method: str, path: str, text: str, content_type: str) -> Any:
    event = proxy_event(method, path, headers=AUTH | {"Content-Type": content_type}, raw_body=text)
    response = runtime.app().resolve(event, None)
    return response["statusCode"], json.loads(response["body"])


def test_malformed_json_says_at_which_line_and_column(runtime: LocalRuntime) -> None:
    text = '{"name": "Deals",\n "fields": [}'
    status, body = call(runtime, "POST", "/api/v1/catalogs", text, "application/json")

    assert status == 400
    assert body["message"].startswith("body: malformed JSON at line 2, column 13: ")


def test_a_form_where_json_is_read_is_415_naming_json(runtime: LocalRuntime) -> None:
    status, body = call(
        runtime, "POST", "/api/v1/catalogs", "name=Deals", "application/x-www-form-urlencoded"
    )
    assert (status, body["code"]) == (415, "unsupported_content_type")
    assert "application/json" in body["message"]


def test_a_bpmn_file_is_taken_whatever_type_curl_gives_it(runtime: LocalRuntime) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for content_type in ("application/x-www-form-urlencoded", "text/plain", "application/xml"):
        status, body = call(runtime, "PUT", "/api/v1/scenarios/order-approval", text, content_type)
        assert (status, body["id"]) == (200, "order-approval"), content_type
    assert runtime.automation.scenarios.latest("order-approval").version == 3
