"""`file.upload`: files from a loopback HTTP server (allowed only when configured, as the guard
requires) and from content, kept in a real file store; then a scenario on the embedded server
that downloads a file into a record's file field and keeps a text file by its id."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.files import SqliteFileStore
from automations.asl.clock import RealClock
from automations.components import invoke, registry
from automations.components.errors import ComponentFailed, ComponentInputInvalid
from automations.components.registry import ComponentContext
from automations.settings import Settings
from support.api import BASIC, proxy_event
from support.file_server import FileServer
from support.runtime_api import runtime_api

SCENARIO = Path(__file__).parent / "scenarios" / "file-upload.bpmn"
XML = {"Content-Type": "application/xml"}
ALLOW_HOSTS_ENV = "AUTOMATIONS_HTTP_ALLOW_HOSTS"
# Every byte value, so that nothing on the way can change one unnoticed.
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
LIMIT = 4 * 1024


@pytest.fixture
def files(tmp_path: Path) -> Iterator[SqliteFileStore]:
    db = Database(tmp_path / "files.db")
    try:
        yield SqliteFileStore(db, tmp_path / "files", RealClock(), max_bytes=LIMIT)
    finally:
        db.close()


@pytest.fixture
def web() -> Iterator[FileServer]:
    server = FileServer()
    server.files["/scans/%D1%81%D0%BA%D0%B0%D0%BD%2017.pdf"] = ("application/pdf", PDF)
    server.files["/big.bin"] = ("application/octet-stream", b"x" * (LIMIT + 1))
    server.files["/big-unsized.bin"] = ("application/octet-stream", b"y" * (LIMIT * 3))
    server.unsized.add("/big-unsized.bin")
    try:
        yield server
    finally:
        server.close()


SCAN = "/scans/%D1%81%D0%BA%D0%B0%D0%BD%2017.pdf"  # скан 17.pdf


def upload(files: SqliteFileStore, inputs: dict[str, Any]) -> dict[str, Any]:
    spec = registry.get("file.upload")
    context = ComponentContext(process_id="p1", element_id="Keep", services={"files": files})
    result: dict[str, Any] = invoke.run(spec, invoke.parse_input(spec, inputs), context)
    return result


def failure(files: SqliteFileStore, inputs: dict[str, Any]) -> ComponentFailed:
    with pytest.raises(ComponentFailed) as caught:
        upload(files, inputs)
    return caught.value


def kept(files: SqliteFileStore, result: dict[str, Any]) -> bytes:
    found = files.read(result["fileId"])
    assert found is not None
    assert found[0].name == result["name"] and found[0].type == result["type"]
    assert found[0].size == result["size"] == len(found[1])
    return found[1]


def test_a_file_from_a_url_is_kept_with_the_name_and_type_it_came_with(
    files: SqliteFileStore, web: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")

    result = upload(files, {"url": web.base + SCAN})

    assert result["name"] == "скан 17.pdf" and result["type"] == "application/pdf"
    assert result["url"] == f"/api/v1/files/{result['fileId']}"
    assert kept(files, result) == PDF


def test_a_name_and_type_given_win(
    files: SqliteFileStore, web: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    result = upload(
        files, {"url": web.base + SCAN, "fileName": "Акт.pdf", "type": "application/x-pdf"}
    )
    assert (result["name"], result["type"]) == ("Акт.pdf", "application/x-pdf")


@pytest.mark.parametrize(
    ("inputs", "name", "media", "data"),
    [
        ({"content": "a;b\n1;2\n", "fileName": "Отчёт.csv"}, "Отчёт.csv", "text/csv; charset=utf-8",
         b"a;b\n1;2\n"),
        ({"content": "<p>Привет</p>", "fileName": "Отчёт.htm"}, "Отчёт.htm",
         "text/html; charset=utf-8", "<p>Привет</p>".encode()),
        ({"content": "просто текст"}, "file.txt", "text/plain; charset=utf-8",
         "просто текст".encode()),
        ({"contentBase64": base64.b64encode(PDF).decode(), "fileName": "a.pdf"}, "a.pdf",
         "application/pdf", PDF),
        ({"contentBase64": base64.b64encode(b"\x00\x01").decode()}, "file",
         "application/octet-stream", b"\x00\x01"),
    ],
)  # fmt: skip
def test_a_file_made_from_content_is_kept(
    files: SqliteFileStore, inputs: dict[str, Any], name: str, media: str, data: bytes
) -> None:
    result = upload(files, inputs)
    assert (result["name"], result["type"]) == (name, media)
    assert kept(files, result) == data


def test_loopback_is_refused_unless_configured_and_before_any_request(
    files: SqliteFileStore, web: FileServer
) -> None:
    failed = failure(files, {"url": web.base + SCAN})
    assert failed.code == "file.forbidden_address"
    assert "127.0.0.1 is a loopback address" in failed.message
    assert web.requests == []


@pytest.mark.parametrize("target", ["http://10.1.2.3/x.pdf", "http://169.254.169.254/latest"])
def test_a_redirect_to_a_private_address_is_refused(
    files: SqliteFileStore, web: FileServer, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    web.redirects["/moved"] = target

    failed = failure(files, {"url": f"{web.base}/moved"})

    assert failed.code == "file.forbidden_address"
    assert target.split("/")[2] in failed.message
    assert web.requests == ["/moved"]


def test_a_redirect_to_an_allowed_place_is_followed(
    files: SqliteFileStore, web: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    web.redirects["/latest.pdf"] = SCAN
    result = upload(files, {"url": f"{web.base}/latest.pdf"})
    assert kept(files, result) == PDF
    assert result["name"] == "latest.pdf"  # the name of the URL asked for
    assert web.requests == ["/latest.pdf", SCAN]


@pytest.mark.parametrize("path", ["/big.bin", "/big-unsized.bin"])
def test_a_file_over_the_store_limit_is_refused_while_downloading(
    files: SqliteFileStore,
    web: FileServer,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    failed = failure(files, {"url": web.base + path})
    assert failed.code == "file.too_large"
    assert f"larger than {LIMIT} bytes" in failed.message
    assert list((tmp_path / "files").iterdir()) == []  # nothing kept


def test_content_over_the_limit_is_file_too_large(files: SqliteFileStore) -> None:
    failed = failure(files, {"content": "я" * LIMIT, "fileName": "long.txt"})
    assert failed.code == "file.too_large"
    assert f"over the limit of {LIMIT} bytes" in failed.message


@pytest.mark.parametrize(
    ("inputs", "says"),
    [
        ({"contentBase64": "not base64!"}, "not base64"),
        ({"url": "http://127.0.0.1:9/closed.pdf"}, "cannot connect"),
        ({"url": "/missing.pdf"}, "answered 404"),
        ({"url": "ftp://example.com/a.pdf"}, "not an absolute http:// or https:// URL"),
    ],
)
def test_a_file_that_cannot_be_had_is_file_source(
    files: SqliteFileStore,
    web: FileServer,
    monkeypatch: pytest.MonkeyPatch,
    inputs: dict[str, Any],
    says: str,
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    if inputs.get("url", "").startswith("/"):
        inputs = {"url": web.base + inputs["url"]}
    failed = failure(files, inputs)
    assert failed.code == "file.source"
    assert says in failed.message


@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {"url": "https://example.com/a", "content": "x"},
        {"content": "x", "catalogId": 1, "recordId": 2},  # fieldId missing
        {"content": "x", "type": "not a type"},
        {"content": "x", "fileName": "a\nb.txt"},
    ],
)
def test_inputs_that_make_no_single_file_are_refused(
    files: SqliteFileStore, inputs: dict[str, Any]
) -> None:
    with pytest.raises(ComponentInputInvalid):
        upload(files, inputs)


def test_without_a_file_store_the_component_says_so() -> None:
    spec = registry.get("file.upload")
    with pytest.raises(ComponentFailed) as caught:
        invoke.run(spec, invoke.parse_input(spec, {"content": "x"}), ComponentContext())
    assert caught.value.code == "file.source"
    assert "no file store" in caught.value.message


# ---------------------------------------------------------------------------------------------
# Through the engine


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Any, Any, str, str]]:
    with runtime_api(tmp_path / "app.db", Settings(demo=False, max_file_bytes=LIMIT)) as (
        api,
        runtime,
    ):
        saved = api.call(
            "PUT", "/api/v1/scenarios/keep-scan", raw_body=SCENARIO.read_text(), headers=XML
        )
        assert saved.status == 200, saved.body
        catalog = api.catalog([{"name": "Title", "type": "text"}, {"name": "Scan", "type": "file"}])
        old = api.call(
            "POST", "/api/v1/files", raw_body="old", query={"name": "old.txt"}, headers={}
        ).body
        made = api.call(
            "POST",
            f"/api/v1/catalogs/{catalog}/records",
            {"values": {"1": "A", "2": [{"id": old["id"], "title": "old.txt"}]}},
        )
        assert made.status == 200, made.body
        yield api, runtime, catalog, made.body["id"]


def test_a_scenario_downloads_into_the_records_field_replacing_its_file(
    site: tuple[Any, Any, str, str], web: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, runtime, catalog, record = site
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    start = {"url": web.base + SCAN, "catalogId": catalog, "recordId": record, "fieldId": 2}

    ran = api.call("POST", "/api/v1/scenarios/keep-scan/run", {"input": start})

    assert ran.status == 200, ran.body
    output = ran.body["output"]
    assert output.get("failure") is None, output
    scan, note = output["scan"], output["note"]
    got = api.call("GET", f"/api/v1/catalogs/{catalog}/records/{record}")
    assert got.body["values"]["2"] == [
        {
            "id": scan["fileId"],
            "title": "скан 17.pdf",
            "mimeType": "application/pdf",
            "size": len(PDF),
        }
    ]
    # The result's url is where the API serves the file.
    served = runtime.app().resolve(_get(scan["url"]), None)
    assert served["statusCode"] == 200
    assert base64.b64decode(served["body"]) == PDF
    # The second task kept a text file and only returned its id.
    found = runtime.services.files.read(note["fileId"])
    assert found[1].decode() == f"Скан скан 17.pdf, {len(PDF)} байт"
    assert (note["name"], note["type"]) == ("заметка.txt", "text/plain; charset=utf-8")


def _get(path: str) -> dict[str, Any]:
    return proxy_event("GET", path, None, headers={"Authorization": BASIC})


@pytest.mark.parametrize(
    ("change", "code", "says"),
    [
        ({"url": "/big.bin"}, "file.too_large", "larger than"),
        ({"url": "/moved"}, "file.forbidden_address", "10.9.9.9"),
        ({"recordId": "999"}, "file.record", "record 999 not found"),
        ({"fieldId": "1"}, "file.record", "not a file field"),
        ({"fieldId": "7"}, "file.record", "has no field 7"),
    ],
)
def test_failures_in_a_scenario_are_caught_by_code_and_leave_the_field_alone(
    site: tuple[Any, Any, str, str],
    web: FileServer,
    monkeypatch: pytest.MonkeyPatch,
    change: dict[str, str],
    code: str,
    says: str,
) -> None:
    api, _, catalog, record = site
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    web.redirects["/moved"] = "http://10.9.9.9/x.pdf"
    start = {"url": web.base + SCAN, "catalogId": catalog, "recordId": record, "fieldId": "2"}
    start |= {k: web.base + v if k == "url" else v for k, v in change.items()}

    ran = api.call("POST", "/api/v1/scenarios/keep-scan/run", {"input": start})

    assert ran.status == 200, ran.body
    assert ran.body["output"]["failure"] == code
    assert says in ran.body["output"]["why"]
    got = api.call("GET", f"/api/v1/catalogs/{catalog}/records/{record}")
    assert [f["title"] for f in got.body["values"]["2"]] == ["old.txt"]
