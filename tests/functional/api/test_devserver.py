"""The same API over real HTTP: the dev server on a free port, called with httpx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from automations.api.services import ApiConfig
from automations.devserver.http import BackgroundServer

AUTH = ("admin@example.ru", "s3cret пароль")


@pytest.fixture
def served(make_api: Any) -> Iterator[tuple[Any, httpx.Client]]:
    api = make_api(config=ApiConfig(max_body_bytes=10_000))
    with (
        BackgroundServer(api.app, max_body_bytes=10_000) as server,
        httpx.Client(base_url=server.url, auth=AUTH, timeout=10) as client,
    ):
        yield api, client


def test_basic_auth_over_http(served: tuple[Any, httpx.Client]) -> None:
    _, client = served
    anonymous = httpx.get(client.base_url.join("/api/v1/catalogs"), timeout=10)
    wrong = httpx.get(
        client.base_url.join("/api/v1/catalogs"), auth=("admin@example.ru", "x"), timeout=10
    )
    right = client.get("/api/v1/catalogs")
    assert (anonymous.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert anonymous.headers["content-type"] == "application/json"


def test_every_route_over_http(served: tuple[Any, httpx.Client]) -> None:
    api, client = served
    created = client.post(
        "/api/v1/catalogs",
        json={
            "name": "Клиенты",
            "fields": [{"name": "Имя", "type": "text"}, {"name": "Сумма", "type": "number"}],
        },
    )
    catalog_id = created.json()["id"]
    patched = client.patch(f"/api/v1/catalogs/{catalog_id}", json={"icon": "users-10"})
    listed = client.get("/api/v1/catalogs")
    one = client.get(f"/api/v1/catalogs/{catalog_id}")
    record_id = client.post(
        f"/api/v1/catalogs/{catalog_id}/records", json={"values": {"1": "Анна", "2": 5}}
    ).json()["id"]
    changed = client.patch(
        f"/api/v1/catalogs/{catalog_id}/records/{record_id}", json={"values": {"2": 6}}
    )
    found = client.get(
        f"/api/v1/catalogs/{catalog_id}/records",
        params={
            "filters[0][fieldId]": "1",
            "filters[0][value]": "анн",
            "sortField": "2",
            "sortType": "-1",
        },
    )
    read = client.get(f"/api/v1/catalogs/{catalog_id}/records/{record_id}")
    deleted = client.delete(f"/api/v1/catalogs/{catalog_id}/records/{record_id}")
    gone = client.get(f"/api/v1/catalogs/{catalog_id}/records/{record_id}")
    statuses = [
        r.status_code for r in (created, patched, listed, one, changed, found, read, deleted, gone)
    ]
    assert statuses == [200, 200, 200, 200, 200, 200, 200, 200, 404]
    assert (one.json()["icon"], found.json()[0]["values"], read.json()["title"]) == (
        "users-10",
        {"1": "Анна", "2": 6},
        "Анна",
    )
    assert [e.type for e in api.events()] == [
        "$record.after.create",
        "$record.after.update",
        "$record.after.delete",
    ]


def test_bad_value_over_http_is_400_and_nothing_is_stored(served: tuple[Any, httpx.Client]) -> None:
    api, client = served
    catalog_id = api.catalog()
    answer = client.post(
        f"/api/v1/catalogs/{catalog_id}/records", json={"values": {"1": "x", "2": "много"}}
    )
    assert (answer.status_code, answer.json()["fieldId"]) == (400, "2")
    assert (client.get(f"/api/v1/catalogs/{catalog_id}/records").json(), api.events()) == ([], [])


def test_malformed_and_non_utf8_bodies_over_http(served: tuple[Any, httpx.Client]) -> None:
    api, client = served
    catalog_id = api.catalog()
    url = f"/api/v1/catalogs/{catalog_id}/records"
    malformed = client.post(
        url, content=b'{"values": ', headers={"content-type": "application/json"}
    )
    latin1 = client.post(
        url,
        content='{"values": {"1": "é"}}'.encode("latin-1"),
        headers={"content-type": "application/json"},
    )
    assert (malformed.status_code, latin1.status_code) == (400, 400)
    assert client.get(url).json() == []


def test_oversized_upload_is_cut_off_and_refused(served: tuple[Any, httpx.Client]) -> None:
    api, client = served
    catalog_id = api.catalog()
    huge = b'{"values": {"1": "' + b"x" * 200_000 + b'"}}'
    answer = client.post(
        f"/api/v1/catalogs/{catalog_id}/records",
        content=huge,
        headers={"content-type": "application/json"},
    )
    assert (answer.status_code, answer.json()["code"]) == (413, "body.too_large")
    assert api.events() == []


def test_wrong_method_and_openapi_over_http(served: tuple[Any, httpx.Client]) -> None:
    _, client = served
    assert client.put("/api/v1/catalogs", json={}).status_code == 405
    document = httpx.get(client.base_url.join("/api/v1/openapi.json"), timeout=10)
    assert (
        document.status_code == 200
        and "/api/v1/catalogs/{catalogId}/records" in document.json()["paths"]
    )


def test_server_stops_and_frees_the_port(make_api: Any) -> None:
    api = make_api()
    server = BackgroundServer(api.app).start()
    url = server.url
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/api/v1/openapi.json", timeout=2)
