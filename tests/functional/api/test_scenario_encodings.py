"""`PUT /api/v1/scenarios/{id}` takes the BPMN file's bytes as the CLI reads a file: a UTF-16
file (with its byte order mark) is accepted, stored as text, and compiles to what the CLI
compiles; a body that is not XML gets a message in a user's terms."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.model.user import Role
from automations.service.scenarios import compile_bpmn
from automations.settings import Settings
from support.api import proxy_event

LOGIN, PASSWORD = "admin@example.com", "pw"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()}
EXAMPLE = Path(__file__).parents[3] / "examples" / "order-approval.bpmn"
# The example with a name outside ASCII, declared as the UTF-16 file it will be.
TEXT = (
    EXAMPLE.read_text(encoding="utf-8")
    .replace('name="Order approval"', 'name="Согласование заказа"')
    .replace('encoding="UTF-8"', 'encoding="UTF-16"')
)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "encodings.db", Settings(demo=False))
    built.services.users.create(LOGIN, PASSWORD, role=Role.ADMIN)
    yield built
    built.close()


def put(runtime: LocalRuntime, scenario_id: str, data: bytes) -> tuple[int, Any]:
    """PUT the bytes as API Gateway hands a body that is not UTF-8 over: base64-encoded."""
    event = proxy_event(
        "PUT",
        f"/api/v1/scenarios/{scenario_id}",
        headers=AUTH | {"Content-Type": "application/xml"},
    )
    event |= {"body": base64.b64encode(data).decode(), "isBase64Encoded": True}
    app: Any = runtime.app()
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_accepted_as_the_cli_accepts_it(
    runtime: LocalRuntime, tmp_path: Path, codec: str
) -> None:
    data = ("\ufeff" + TEXT).encode(codec)
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    file = tmp_path / "order-approval.bpmn"
    file.write_bytes(data)
    _, by_cli = compile_bpmn(file, file="order-approval.bpmn")

    status, answer = put(runtime, "order-approval", data)

    assert status == 200, answer
    assert answer["version"] == 1
    stored = runtime.automation.scenarios.latest("order-approval")
    assert stored is not None
    assert stored.compiled["STANDARD"] == by_cli
    # Kept as the text it is, now declared as the UTF-8 it is served in.
    assert stored.bpmn == TEXT.replace('encoding="UTF-16"', 'encoding="UTF-8"')
    assert "Согласование заказа" in stored.bpmn


def test_a_utf8_file_is_stored_as_sent(runtime: LocalRuntime) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    status, answer = put(runtime, "order-approval", text.encode())
    assert status == 200, answer
    stored = runtime.automation.scenarios.latest("order-approval")
    assert stored is not None and stored.bpmn == text


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"examples/order-approval.bpmn", "not well-formed XML: the file does not start with '<'"),
        (b'{"bpmn": "<definitions/>"}', "not well-formed XML: the file does not start with '<'"),
        (TEXT.encode("utf-8"), "not well-formed XML"),  # says UTF-16, is not
        (b"<?xml version='1.0'?><a>\xff</a>", "not well-formed XML"),  # not UTF-8
    ],
)
def test_a_body_that_is_not_a_bpmn_file_gets_a_users_message(
    runtime: LocalRuntime, data: bytes, says: str
) -> None:
    status, answer = put(runtime, "broken", data)
    assert status == 422
    assert answer["message"].startswith(says)
    assert "Path" not in answer["message"]
    assert runtime.automation.scenarios.latest("broken") is None
