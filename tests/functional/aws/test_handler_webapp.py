"""functions/api on moto as the web app uses it: its page and files behind the `prod` stage, a
browser session on the Sessions table, and nothing asked of AWS that the template does not
grant the API function (iam_support records every call)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import handler_support as support
import iam_support as iam
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
COOKIE = "automations_session"


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tables: dict[str, str], tmp_path: Path) -> Iterator[Any]:
    bundle = tmp_path / "web"
    bundle.mkdir()
    (bundle / "index.html").write_text('<html><head><base href="/"></head></html>')
    (bundle / "app-BERBR5OM.js").write_text("export {}")
    support.handler_env(monkeypatch, tables, AUTOMATIONS_WEB_ROOT=str(bundle))
    recorder = iam.Recorder(tables)
    support.install_runtime(session=recorder.session)
    handler = support.load_handler("api").handler

    def call(
        method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        resource = "/api/v1/{proxy+}" if path.startswith("/api/v1/") else "/{proxy+}"
        event = support.proxy_event(
            method,
            path,
            body=None if body is None else json.dumps(body),
            headers={"Content-Type": "application/json"} | (headers or {}),
            resource=resource,
        )
        with recorder.recording():
            answer: dict[str, Any] = handler(event, support.LambdaContext())
        return answer

    yield call
    assert iam.denied("ApiFunction", recorder.requests) == []
    assert any(r.resource == "SessionsTable" for r in recorder.requests)


def cookie_of(answer: dict[str, Any]) -> str:
    jar: SimpleCookie = SimpleCookie()
    for line in answer["multiValueHeaders"]["Set-Cookie"]:
        jar.load(line)
    return jar[COOKIE].value


def test_the_page_and_its_files_behind_the_stage(api: Any) -> None:
    page = api("GET", "/scenarios/new")
    script = api("GET", "/app-BERBR5OM.js")
    missing_api = api("GET", "/api/nothing")
    assert page["statusCode"] == 200 and '<base href="/prod/">' in page["body"]
    assert script["multiValueHeaders"]["Cache-Control"] == ["public, max-age=31536000, immutable"]
    assert missing_api["statusCode"] in (401, 404)
    assert support.json_body(missing_api)["code"] in ("unauthorized", "not_found")
    # A session, so that the fixture sees the Sessions table used within the rights.
    assert (
        api("POST", "/api/v1/session", {"email": support.ADMIN, "password": "x"})["statusCode"]
        == 401
    )


def test_a_browser_session_on_dynamodb_from_sign_in_to_password_change(api: Any) -> None:
    signed_in = api(
        "POST", "/api/v1/session", {"email": support.ADMIN, "password": support.PASSWORD}
    )
    assert signed_in["statusCode"] == 200, signed_in["body"]
    assert "Secure" in signed_in["multiValueHeaders"]["Set-Cookie"][0]  # API Gateway: https
    cookie = {"Cookie": f"{COOKIE}={cookie_of(signed_in)}"}
    csrf = support.json_body(api("GET", "/api/v1/session", headers=cookie))["csrfToken"]
    assert csrf == support.json_body(signed_in)["csrfToken"]
    catalog = {"name": "Deals", "fields": [{"name": "Title", "type": "text"}]}
    refused = api("POST", "/api/v1/catalogs", catalog, headers=cookie)
    made = api("POST", "/api/v1/catalogs", catalog, headers=cookie | {"X-CSRF-Token": csrf})
    assert (refused["statusCode"], support.json_body(refused)["code"]) == (403, "csrf")
    assert made["statusCode"] == 200
    me = support.json_body(signed_in)["user"]["id"]
    changed = api(
        "PATCH",
        f"/api/v1/users/{me}",
        {"password": "a-new-passw0rd"},
        headers=cookie | {"X-CSRF-Token": csrf},
    )
    assert changed["statusCode"] == 200
    assert api("GET", "/api/v1/session", headers=cookie)["statusCode"] == 401


def test_five_failures_pause_sign_in_on_dynamodb_too(api: Any) -> None:
    for _ in range(5):
        api("POST", "/api/v1/session", {"email": support.ADMIN, "password": "guess"})
    paused = api("POST", "/api/v1/session", {"email": support.ADMIN, "password": support.PASSWORD})
    assert paused["statusCode"] == 429
    assert int(paused["multiValueHeaders"]["Retry-After"][0]) > 0
