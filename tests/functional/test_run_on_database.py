"""`automations run --db`: one run whose components reach a local database, as a process of
`automations dev` on that database would: records read, a message written on a record, a file
stored, all there afterwards for the server and the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from automations.adapters.local.runtime import build_runtime
from automations.cli import main
from automations.settings import Settings
from support.runtime_api import runtime_api

SCENARIO = Path(__file__).parent / "components" / "scenarios" / "message-send.bpmn"


def test_a_run_on_a_database_writes_where_the_server_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "app.db"
    with runtime_api(db) as (api, _):
        catalog = api.catalog()
        record = api.call("POST", f"/api/v1/catalogs/{catalog}/records", {"values": {"1": "A-1"}})
    variables = {
        "catalogId": catalog,
        "recordId": record.body["id"],
        "total": 1500,
        "userId": "1",
        "userName": "Admin",
        "files": [],
    }

    code = main(["run", str(SCENARIO), "--db", str(db), "--input", json.dumps(variables), "--json"])

    result = json.loads(capsys.readouterr().out)
    assert (code, result["status"]) == (0, "completed"), result
    runtime = build_runtime(db, Settings(demo=False))
    try:
        assert runtime.services.messages is not None
        messages = runtime.services.messages.page(catalog, record.body["id"], limit=10).messages
    finally:
        runtime.close()
    assert [m.id for m in messages] == [result["output"]["messageId"]]
    assert messages[0].text.startswith("Checked, total 1500.")
    assert (messages[0].author.kind, messages[0].author.title) == (
        "process",
        "message-send",
    )  # the file names the scenario
    assert messages[0].author.id.startswith("run-")


def test_without_a_database_the_same_run_says_records_are_unavailable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    variables = {"catalogId": "1", "recordId": "1", "total": 1, "userId": "1", "userName": "A"}

    code = main(["run", str(SCENARIO), "--input", json.dumps(variables | {"files": []}), "--json"])

    result = json.loads(capsys.readouterr().out)
    assert code == 0  # the boundary event catches it
    assert result["output"]["failure"] == "message.unavailable"
