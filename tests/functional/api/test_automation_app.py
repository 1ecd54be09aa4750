"""The API with the automation side wired (the dev server's app), called in-process."""

from __future__ import annotations

import base64
import json
import threading
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


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "app.db", Settings(demo=False))
    built.services.users.create(LOGIN, PASSWORD, role=Role.ADMIN)
    yield built
    built.close()


def call(app: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = app.resolve(proxy_event(method, path, body, headers=AUTH), None)
    text = response.get("body") or ""
    return response["statusCode"], json.loads(text) if text else None


def test_resolvers_on_two_threads_never_see_each_others_request(runtime: LocalRuntime) -> None:
    apps = [runtime.app(), runtime.app()]
    ids = [call(apps[0], "POST", "/api/v1/catalogs", {"name": f"C{i}"})[1]["id"] for i in range(2)]
    wrong: list[tuple[str, Any]] = []

    def ask(app: Any, catalog_id: str) -> None:
        for _ in range(150):
            status, body = call(app, "GET", f"/api/v1/catalogs/{catalog_id}")
            if status != 200 or body["id"] != catalog_id:
                wrong.append((catalog_id, body))

    threads = [threading.Thread(target=ask, args=pair) for pair in zip(apps, ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_the_document_lists_the_management_api(runtime: LocalRuntime) -> None:
    status, document = call(runtime.app(), "GET", "/api/v1/openapi.json")
    assert status == 200
    paths = document["paths"]
    for path in (
        "/api/v1/scenarios/{scenarioId}",
        "/api/v1/scenarios/{scenarioId}/run",
        "/api/v1/subscriptions",
        "/api/v1/webrequests",
        "/api/v1/schedules",
        "/api/v1/processes",
        "/api/v1/processes/{processId}",
        "/api/v1/processes/{processId}/stop",
        "/api/v1/catalogs/{catalogId}/records/{recordId}/updating",
    ):
        assert path in paths, path
    put = paths["/api/v1/scenarios/{scenarioId}"]["put"]
    assert "application/xml" in put["requestBody"]["content"] and "422" in put["responses"]
    assert not any(p.startswith("/api/webrequest") for p in paths)


def test_forms_are_refused_where_json_is_read(runtime: LocalRuntime) -> None:
    event = proxy_event(
        "POST",
        "/api/v1/catalogs",
        raw_body="a=1",
        headers=AUTH | {"Content-Type": "multipart/form-data"},
    )
    assert runtime.app().resolve(event, None)["statusCode"] == 415
