"""The web app's files served by the API resolver outside `/api/` (docs/web-api.md "Static
files"), from a bundle folder made here: the same resolver serves them on the dev server and,
behind API Gateway's stage, on Lambda."""

from __future__ import annotations

import base64
import http.client
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from automations.api.services import ApiConfig
from automations.api.webapp import CSP
from automations.devserver.http import BackgroundServer
from support.api import LOGIN, PASSWORD, Api, MakeApi, proxy_event

INDEX = """<!doctype html>
<html><head><base href="/"><link rel="stylesheet" href="app.css"></head>
<body><script type="module" src="app-BERBR5OM.js"></script></body></html>
"""
SECRET = "TOP-SECRET-OUTSIDE-THE-BUNDLE"


@dataclass
class Served:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def serve(api: Api, path: str, *, method: str = "GET", stage: str | None = "prod") -> Served:
    event = proxy_event(method, path)  # a browser loading the page sends no credentials
    if stage is None:  # the dev server: the browser's path is the function's path
        event["requestContext"]["path"] = path
        event["requestContext"]["stage"] = "local"
    response: dict[str, Any] = api.app.resolve(event, None)
    headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    headers |= response.get("headers") or {}
    raw = response.get("body") or ""
    body = base64.b64decode(raw) if response.get("isBase64Encoded") else raw.encode("utf-8")
    return Served(response["statusCode"], headers, body)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    (tmp_path / "secret.txt").write_text(SECRET)
    root = tmp_path / "web" / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "app-BERBR5OM.js").write_text("console.log('app')")
    (root / "app.css").write_text("body{margin:0}")
    (root / "chunk-ab12cd34ef.css").write_text("p{}")
    (root / "assets" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / "assets" / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\x00")
    (root / ".env").write_text(SECRET)
    (root / "assets" / "outside.txt").symlink_to(tmp_path / "secret.txt")
    return root


@pytest.fixture
def web(make_api: MakeApi, bundle: Path) -> Api:
    return make_api(config=ApiConfig(web_root=bundle))


def test_the_index_has_its_base_rewritten_to_the_stage(web: Api) -> None:
    page = serve(web, "/")
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<base href="/prod/">' in page.text and '<base href="/">' not in page.text
    assert page.headers["Cache-Control"] == "no-cache"


def test_on_the_dev_server_the_base_stays_at_the_root(web: Api) -> None:
    page = serve(web, "/scenarios/new", stage=None)
    assert page.status == 200 and '<base href="/">' in page.text


@pytest.mark.parametrize(
    "route", ["/scenarios/new", "/scenarios/order-approval", "/processes/p-1", "/index.html"]
)
def test_app_routes_answer_the_index(web: Api, route: str) -> None:
    page = serve(web, route)
    assert page.status == 200 and '<base href="/prod/">' in page.text
    assert page.headers["Cache-Control"] == "no-cache"


def test_hashed_names_are_immutable_and_others_are_asked_again(web: Api) -> None:
    script = serve(web, "/app-BERBR5OM.js")
    chunk = serve(web, "/chunk-ab12cd34ef.css")
    style = serve(web, "/app.css")
    logo = serve(web, "/assets/logo.svg")
    assert (script.status, script.text) == (200, "console.log('app')")
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert chunk.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert (style.headers["Cache-Control"], style.headers["Content-Type"]) == (
        "no-cache",
        "text/css; charset=utf-8",
    )
    assert logo.headers["Content-Type"] == "image/svg+xml" and logo.text.startswith("<svg")


def test_a_binary_file_comes_base64_encoded(web: Api) -> None:
    icon = serve(web, "/assets/icon.png")
    assert (icon.status, icon.headers["Content-Type"]) == (200, "image/png")
    assert icon.body == b"\x89PNG\r\n\x1a\n\xff\x00"


@pytest.mark.parametrize("path", ["/", "/scenarios/new", "/app.css", "/nope/../x", "/.env"])
def test_every_answer_forbids_sniffing_and_carries_the_policy(web: Api, path: str) -> None:
    served = serve(web, path)
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP
    assert "unsafe-eval" not in CSP


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e%5c..%5csecret.txt",
        "/.env",
        "/assets/%2eenv",
        "/assets/outside.txt",  # a symbolic link that leads out of the bundle
        "/assets/x%00.js",
        "/%ff%fe",
    ],
)
def test_nothing_outside_the_bundle_is_served(web: Api, path: str) -> None:
    served = serve(web, path)
    assert served.status == 404, path
    assert SECRET not in served.body.decode("utf-8", "replace")
    assert served.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "path", ["//etc/passwd", "/etc/passwd", "/%2Fetc%2Fpasswd", "/%252e%252e/secret.txt"]
)
def test_an_absolute_or_twice_encoded_path_is_read_inside_the_bundle(web: Api, path: str) -> None:
    served = serve(web, path)
    # Decoded once: either not found or the app's page (a route of the app), never a file
    # outside the bundle.
    assert served.status in (200, 404)
    text = served.body.decode("utf-8", "replace")
    assert "root:" not in text and SECRET not in text
    if served.status == 200:
        assert '<base href="/prod/">' in served.text


def test_api_paths_stay_the_apis_and_answer_json(web: Api) -> None:
    for path in ("/api/v1/nothing", "/api/nothing", "/api"):
        served = serve(web, path)
        body = json.loads(served.text)
        assert served.status in (401, 404), path
        assert served.headers["Content-Type"] == "application/json", path
        assert body["code"] in ("not_found", "unauthorized"), path
    answer = web.call("GET", "/api/v1/nothing")
    assert (answer.status, answer.body["code"]) == (404, "not_found")
    assert web.call("GET", "/api/v1/catalogs").status == 200


def test_only_get_and_head_are_served(web: Api) -> None:
    head = serve(web, "/", method="HEAD")
    post = serve(web, "/scenarios/new", method="POST")
    assert (head.status, head.body) == (200, b"")
    assert (post.status, post.headers["Allow"]) == (405, "GET, HEAD")


def test_an_unbuilt_bundle_says_how_to_build_it(make_api: MakeApi, tmp_path: Path) -> None:
    api = make_api(config=ApiConfig(web_root=tmp_path / "missing"))
    served = serve(api, "/")
    assert served.status == 503 and "npm --prefix web" in served.text
    assert served.headers["Cache-Control"] == "no-store"


def test_a_hostile_stage_path_cannot_inject_into_the_base(web: Api) -> None:
    event = proxy_event("GET", "/x")
    event["requestContext"]["path"] = '/"><script>alert(1)</script>/x'
    response = web.app.resolve(event, None)
    assert '<base href="/">' in response["body"] and "<script>alert" not in response["body"]


def test_without_a_bundle_folder_configured_nothing_is_served(api: Api) -> None:
    served = serve(api, "/")
    assert served.status == 401  # only the API: the root is one of its (unknown) paths
    assert served.headers["Content-Type"] == "application/json"


def raw_get(url: str, path: str) -> tuple[int, dict[str, str], str]:
    """A GET of `path` exactly as written (no client normalises its dots away)."""
    parts = httpx.URL(url)
    connection = http.client.HTTPConnection(parts.host, parts.port, timeout=10)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_over_real_http_the_app_its_session_and_no_traversal(web: Api) -> None:
    with BackgroundServer(web.app) as server:
        status, headers, page = raw_get(server.url, "/scenarios/new")
        assert status == 200 and '<base href="/">' in page
        assert headers["x-content-type-options"] == "nosniff"
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2F..%2Fsecret.txt"):
            status, _, body = raw_get(server.url, path)
            assert status == 404 and SECRET not in body, path
        with httpx.Client(base_url=server.url, timeout=10) as browser:
            signed_in = browser.post("/api/v1/session", json={"email": LOGIN, "password": PASSWORD})
            assert signed_in.status_code == 200
            assert "Secure" not in signed_in.headers["set-cookie"]  # plain http on 127.0.0.1
            token = browser.get("/api/v1/session").json()["csrfToken"]
            catalog = {"name": "Deals", "fields": [{"name": "Title", "type": "text"}]}
            refused = browser.post("/api/v1/catalogs", json=catalog)
            made = browser.post("/api/v1/catalogs", json=catalog, headers={"X-CSRF-Token": token})
            assert (refused.status_code, refused.json()["code"]) == (403, "csrf")
            assert made.status_code == 200
            assert (
                browser.delete("/api/v1/session", headers={"X-CSRF-Token": token}).status_code
                == 200
            )
            assert browser.get("/api/v1/catalogs").status_code == 401
