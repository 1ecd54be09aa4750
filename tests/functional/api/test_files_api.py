"""`POST /api/v1/files` and `GET /api/v1/files/{id}` on the embedded server's app: in process as
API Gateway events, and over real HTTP through the dev server."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.devserver.http import BackgroundServer
from automations.model.user import Role
from automations.settings import Settings
from support.api import basic, proxy_event

ADMIN = basic("admin@example.com", "admin-passw0rd")
MEMBER = basic("member@example.com", "member-passw0rd")
FILE_LIMIT = 4096
BODY_LIMIT = 1024
BINARY = bytes(range(256)) * 8  # 2048 bytes, not UTF-8: API Gateway sends it as base64


class Server:
    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        self.app = runtime.app()

    def call(
        self,
        method: str,
        path: str,
        data: bytes | None = None,
        *,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        auth: str | None = ADMIN,
    ) -> dict[str, Any]:
        sent = ({"Authorization": auth} if auth else {}) | (headers or {})
        event = proxy_event(method, path, query=query, headers=sent)
        if data is not None:
            try:
                event["body"], event["isBase64Encoded"] = data.decode("utf-8"), False
            except UnicodeDecodeError:
                event["body"], event["isBase64Encoded"] = base64.b64encode(data).decode(), True
        return self.app.resolve(event, None)  # type: ignore[no-any-return]

    def upload(self, data: bytes, name: str, content_type: str | None, **kw: Any) -> Any:
        headers = {"Content-Type": content_type} if content_type else {}
        if content_type is None:
            headers = {"Content-Type": ""}
        return self.call("POST", "/api/v1/files", data, query={"name": name}, headers=headers, **kw)


def body_of(response: dict[str, Any]) -> bytes:
    text = response.get("body") or ""
    return base64.b64decode(text) if response.get("isBase64Encoded") else text.encode("utf-8")


def json_of(response: dict[str, Any]) -> Any:
    return json.loads(body_of(response))


def header_of(response: dict[str, Any], name: str) -> str | None:
    merged = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    for key, values in (response.get("multiValueHeaders") or {}).items():
        merged[key.lower()] = values[-1]
    return merged.get(name.lower())


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    settings = Settings(demo=False, max_file_bytes=FILE_LIMIT, max_body_bytes=BODY_LIMIT)
    runtime = build_runtime(tmp_path / "app.db", settings)
    runtime.services.users.create("admin@example.com", "admin-passw0rd", role=Role.ADMIN)
    runtime.services.users.create("member@example.com", "member-passw0rd")
    yield runtime
    runtime.close()


@pytest.fixture
def server(runtime: LocalRuntime) -> Server:
    return Server(runtime)


def test_a_file_goes_in_and_comes_back_byte_for_byte_as_an_attachment(
    server: Server, tmp_path: Path
) -> None:
    created = server.upload(BINARY, "Счёт №7.pdf", "application/pdf")
    stored = json_of(created)
    read = server.call("GET", f"/api/v1/files/{stored['id']}")

    assert created["statusCode"] == 201
    assert {k: stored[k] for k in ("name", "type", "size")} == {
        "name": "Счёт №7.pdf",
        "type": "application/pdf",
        "size": len(BINARY),
    }
    assert read["statusCode"] == 200
    assert body_of(read) == BINARY
    assert header_of(read, "Content-Type") == "application/pdf"
    assert header_of(read, "X-Content-Type-Options") == "nosniff"
    assert header_of(read, "Content-Disposition") == (
        'attachment; filename="____ _7.pdf"; '
        "filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82%20%E2%84%967.pdf"
    )
    # Kept beside the database, named by the id alone.
    assert (tmp_path / "app.files" / stored["id"]).read_bytes() == BINARY


def test_a_text_file_keeps_its_charset_and_a_quote_in_its_name_is_not_a_header_break(
    server: Server,
) -> None:
    stored = json_of(server.upload(b"a;b\n1;2\n", 'say "hi".csv', "text/csv; charset=utf-8"))
    read = server.call("GET", f"/api/v1/files/{stored['id']}")
    assert body_of(read) == b"a;b\n1;2\n"
    assert header_of(read, "Content-Type") == "text/csv; charset=utf-8"
    assert header_of(read, "Content-Disposition") == (
        "attachment; filename=\"say _hi_.csv\"; filename*=UTF-8''say%20%22hi%22.csv"
    )


@pytest.mark.parametrize(
    ("sent", "name", "stored"),
    [
        ("application/x-www-form-urlencoded", "scan.png", "image/png"),  # curl's default type
        (None, "notes.txt", "text/plain"),
        (None, "data.unknown-ext", "application/octet-stream"),
    ],
)
def test_without_a_type_of_its_own_a_file_takes_the_one_its_name_suggests(
    server: Server, sent: str | None, name: str, stored: str
) -> None:
    assert json_of(server.upload(b"x", name, sent))["type"] == stored


def test_a_multipart_form_is_refused_saying_what_to_send(server: Server) -> None:
    form = (
        b'--b\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nx\r\n--b--\r\n'
    )
    refused = server.upload(form, "a.txt", "multipart/form-data; boundary=b")
    assert refused["statusCode"] == 415
    assert "not a multipart form" in json_of(refused)["message"]


@pytest.mark.parametrize(
    ("query", "headers", "words"),
    [
        ({}, {"Content-Type": "text/plain"}, "query parameter name"),
        ({"name": "  "}, {"Content-Type": "text/plain"}, "query parameter name"),
        ({"name": "a\x07.txt"}, {"Content-Type": "text/plain"}, "control character"),
        ({"name": "x" * 256}, {"Content-Type": "text/plain"}, "longer than 255"),
        ({"name": "a.txt"}, {"Content-Type": "not a type"}, "is not a media type"),
    ],
)
def test_a_bad_name_or_type_is_a_400_naming_it(
    server: Server, query: dict[str, str], headers: dict[str, str], words: str
) -> None:
    answer = server.call("POST", "/api/v1/files", b"x", query=query, headers=headers)
    assert answer["statusCode"] == 400
    assert words in json_of(answer)["message"]


def test_a_file_over_the_file_limit_is_413_naming_the_limit(server: Server) -> None:
    refused = server.upload(b"x" * (FILE_LIMIT + 1), "big.bin", "application/octet-stream")
    body = json_of(refused)
    assert (refused["statusCode"], body["code"]) == (413, "file.too_large")
    assert f"{FILE_LIMIT} bytes" in body["message"]
    assert "AUTOMATIONS_MAX_FILE_BYTES" in body["message"]
    folder = Path(server.runtime.db.path).with_name("app.files")
    assert list(folder.iterdir()) == []


def test_an_upload_is_held_to_the_file_limit_and_every_other_body_to_the_body_limit(
    server: Server,
) -> None:
    between = b"y" * (BODY_LIMIT + 100)  # over the body limit, under the file limit
    uploaded = server.upload(between, "mid.bin", "application/octet-stream")
    other = server.call(
        "POST",
        "/api/v1/catalogs",
        b'{"name": "' + b"n" * BODY_LIMIT + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert uploaded["statusCode"] == 201
    assert (other["statusCode"], json_of(other)["code"]) == (413, "body.too_large")


def test_an_unknown_or_malformed_id_is_404(server: Server) -> None:
    for wrong in ("0123456789abcdef0123456789abcdef", "..%2F..%2Fapp.db", "x1"):
        answer = server.call("GET", f"/api/v1/files/{wrong}")
        assert (answer["statusCode"], json_of(answer)["code"]) == (404, "not_found")


def test_files_need_credentials_and_members_may_store_and_read_them(server: Server) -> None:
    anonymous = server.upload(b"x", "a.txt", "text/plain", auth=None)
    stored = json_of(server.upload(b"member's", "a.txt", "text/plain", auth=MEMBER))
    by_admin = server.call("GET", f"/api/v1/files/{stored['id']}")
    by_nobody = server.call("GET", f"/api/v1/files/{stored['id']}", auth=None)
    assert anonymous["statusCode"] == 401
    assert body_of(by_admin) == b"member's"
    assert by_nobody["statusCode"] == 401


def test_the_document_lists_the_file_routes(server: Server) -> None:
    document = json_of(server.call("GET", "/api/v1/openapi.json", auth=None))
    upload = document["paths"]["/api/v1/files"]["post"]
    download = document["paths"]["/api/v1/files/{fileId}"]["get"]
    assert (upload["x-role"], download["x-role"]) == ("member", "member")
    assert "413" in upload["responses"] and "*/*" in upload["requestBody"]["content"]


def test_over_real_http_curl_style_bytes_round_trip(runtime: LocalRuntime) -> None:
    limit = max(runtime.settings.max_body_bytes, runtime.settings.max_file_bytes)
    with BackgroundServer(runtime.app(), max_body_bytes=limit) as http:
        auth = ("member@example.com", "member-passw0rd")
        name = "отчёт 2026.bin"
        created = httpx.post(
            f"{http.url}/api/v1/files?name={quote(name)}",
            content=BINARY,
            headers={"Content-Type": "application/octet-stream"},
            auth=auth,
        )
        read = httpx.get(f"{http.url}/api/v1/files/{created.json()['id']}", auth=auth)
        too_big = httpx.post(
            f"{http.url}/api/v1/files?name=big", content=b"z" * (FILE_LIMIT + 1), auth=auth
        )
    assert created.status_code == 201 and created.json()["name"] == name
    assert read.content == BINARY
    assert read.headers["content-disposition"].endswith(f"filename*=UTF-8''{quote(name)}")
    assert read.headers["x-content-type-options"] == "nosniff"
    assert too_big.status_code == 413 and too_big.json()["code"] == "file.too_large"


def test_a_records_file_field_holds_the_id_of_a_stored_file(server: Server) -> None:
    stored = json_of(server.upload(b"%PDF-1.7", "contract.pdf", "application/pdf"))
    json_headers = {"Content-Type": "application/json"}
    catalog = json_of(
        server.call(
            "POST",
            "/api/v1/catalogs",
            json.dumps(
                {"name": "Deals", "fields": [{"name": "Contract", "type": "file"}]}
            ).encode(),
            headers=json_headers,
        )
    )
    values = {"values": {"1": [{"id": stored["id"], "title": "contract.pdf"}]}}
    created = server.call(
        "POST",
        f"/api/v1/catalogs/{catalog['id']}/records",
        json.dumps(values).encode(),
        headers=json_headers,
    )
    record = json_of(
        server.call("GET", f"/api/v1/catalogs/{catalog['id']}/records/{json_of(created)['id']}")
    )
    (kept,) = record["values"]["1"]
    assert kept["id"] == stored["id"]
    assert body_of(server.call("GET", f"/api/v1/files/{kept['id']}")) == b"%PDF-1.7"


def test_a_name_a_component_kept_with_line_breaks_cannot_break_the_header(
    server: Server,
) -> None:
    files = server.runtime.services.files
    assert files is not None
    stored = files.put("a\r\nSet-Cookie: x=1.txt", "text/plain", b"x")
    disposition = header_of(server.call("GET", f"/api/v1/files/{stored.id}"), "Content-Disposition")
    assert disposition is not None and "\r" not in disposition and "\n" not in disposition
    assert disposition.endswith("filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1.txt")
