"""A process row whose body cannot be read back (planted here as an older version could write it)
never breaks a list: both stores answer it as an `error` stand-in keeping what still reads, and
`automations repair` rewrites such rows in SQLite into readable ones."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from moto_env import fake_aws

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.processes import SqliteProcessStore, repair_processes
from automations.cli import main
from automations.model.base import utc_iso
from automations.model.process import (
    EventRef,
    ProcessChange,
    ProcessRecord,
    ProcessStatus,
    TraceStep,
)
from automations.model.unreadable import RECORD_UNREADABLE, readable
from automations.ports import ProcessQuery

T = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
WHEN = utc_iso(T)


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def record(process_id: str, status: ProcessStatus = ProcessStatus.COMPLETED) -> ProcessRecord:
    return ProcessRecord(
        id=process_id,
        scenario_id="s1",
        scenario_version=3,
        event=EventRef(id="e1", type="$webRequest"),
        input={"n": 1},
        status=status,
        queued_at=T,
        started_at=T,
        finished_at=T,
        duration_ms=7,
        output={"ok": True},
        trace=[TraceStep(element="Start", entered_at=WHEN, exited_at=WHEN)],
    )


def with_output(process: ProcessRecord, output_text: str) -> str:
    """The process's body with its output replaced by raw JSON text."""
    text = process.model_dump_json()
    head, _, tail = text.partition('"output":{"ok":true}')
    assert tail, "the output is where the test expects it"
    return f'{head}"output":{output_text}{tail}'


# What older versions could store: a body pydantic refuses (250 levels), one no parser takes
# (100,000 levels), one cut short.
BROKEN = {
    "deep250": with_output(record("deep250"), '{"v": ' + deep(250) + "}"),
    "deep100k": with_output(record("deep100k"), '{"v": ' + deep(100_000) + "}"),
    "cut": record("cut").model_dump_json()[:40],
}


@pytest.fixture
def planted(db: Database) -> SqliteProcessStore:
    store = SqliteProcessStore(db)
    store.create(record("fine"))
    with db.transaction() as conn:
        for process_id, body in BROKEN.items():
            conn.execute(
                "INSERT INTO processes (id, scenario_id, status, queued_at, body)"
                " VALUES (?, 's1', 'completed', ?, ?)",
                (process_id, WHEN, body),
            )
    return store


def test_a_list_with_unreadable_rows_answers_them_as_errors(planted: SqliteProcessStore) -> None:
    listed = {p.id: p for p in planted.find(ProcessQuery())}

    assert listed["fine"] == record("fine")
    for process_id in BROKEN:
        stand_in = listed[process_id]
        assert stand_in.status is ProcessStatus.ERROR
        assert stand_in.error is not None and stand_in.error.code == RECORD_UNREADABLE
        assert f"process {process_id} could not be read back" in stand_in.error.message
        assert (stand_in.scenario_id, stand_in.queued_at) == ("s1", T)
        assert planted.get(process_id) == stand_in
    # What still reads is kept: a 250-level output is left out, the rest stays.
    kept = listed["deep250"]
    assert (kept.output, kept.input, kept.finished_at, kept.trace) == (
        None,
        {"n": 1},
        T,
        record("x").trace,
    )
    assert "left out: output (nested deeper than 128 levels)" in str(kept.error)
    assert listed["deep100k"].finished_at is None  # not even parsed: nothing but the columns
    assert listed["cut"].input == {}


def test_a_members_list_skips_unreadable_rows_instead_of_failing(
    planted: SqliteProcessStore,
) -> None:
    # A member's list filters on the initiator inside the body, which a broken body lacks.
    mine = planted.find(ProcessQuery(initiator_id="nobody-here"))
    assert mine == []


def test_an_unreadable_queued_row_is_never_started(db: Database) -> None:
    store = SqliteProcessStore(db)
    store.create(record("next", ProcessStatus.QUEUED))
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO processes (seq, id, scenario_id, status, queued_at, body)"
            " VALUES (0, 'old', 's1', 'queued', ?, 'not json')",
            (WHEN,),
        )

    claimed = store.claim_queued(10, T)

    assert [p.id for p in claimed] == ["next"]
    assert store.count(ProcessStatus.QUEUED) == 0
    old = store.get("old")
    assert old is not None and old.status is ProcessStatus.ERROR


def test_the_end_of_an_unreadable_running_row_is_still_recorded(db: Database) -> None:
    store = SqliteProcessStore(db)
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO processes (id, scenario_id, status, queued_at, body)"
            " VALUES ('r', 's1', 'running', ?, ?)",
            (WHEN, with_output(record("r", ProcessStatus.RUNNING), deep(300))),
        )

    ended = store.change(
        "r",
        frozenset({ProcessStatus.RUNNING}),
        ProcessChange(status=ProcessStatus.COMPLETED, finished_at=T, output={"done": 1}),
    )

    assert ended is not None and ended.output == {"done": 1}
    assert store.get("r") == ended and store.count(ProcessStatus.RUNNING) == 0


def _bodies(db: Database) -> dict[str, tuple[str, str]]:
    rows = db.connection().execute("SELECT id, status, body FROM processes").fetchall()
    return {row["id"]: (row["status"], row["body"]) for row in rows}


def test_repair_rewrites_unreadable_rows_keeping_their_status(
    planted: SqliteProcessStore, db: Database
) -> None:
    before = _bodies(db)

    repaired = repair_processes(db)

    assert sorted(p.id for p in repaired) == sorted(BROKEN)
    after = _bodies(db)
    assert after["fine"] == before["fine"]
    for process_id, (status, body) in after.items():
        assert readable(body), process_id
        assert status == "completed"
        assert ProcessRecord.model_validate_json(body).status is ProcessStatus.COMPLETED
    assert repair_processes(db) == []


def test_the_repair_command_prints_what_it_fixed(
    planted: SqliteProcessStore, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["repair", "--db", db.path])
    printed = capsys.readouterr().out.splitlines()

    assert code == 0
    assert sorted(line.split()[1] for line in printed[:-1]) == sorted(BROKEN)
    assert "repaired deep250 (scenario s1, completed): " in printed[0] + printed[1] + printed[2]
    assert printed[-1] == f"{db.path}: 3 unreadable process record(s) rewritten"
    assert main(["repair", "--db", db.path]) == 0
    assert capsys.readouterr().out == f"{db.path}: 0 unreadable process record(s) rewritten\n"


def test_the_repair_command_names_a_missing_or_foreign_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "notes.db"
    foreign.write_text("not a database, just text that is long enough" * 20)

    assert main(["repair", "--db", str(tmp_path / "absent.db")]) == 2
    assert main(["repair", "--db", str(foreign)]) == 1
    errors = capsys.readouterr().err
    assert "absent.db: no such file" in errors
    assert "notes.db: not an automations database" in errors


# --- DynamoDB ------------------------------------------------------------------------------


@pytest.fixture
def dynamo(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any, str]]:
    import boto3
    from moto import mock_aws

    from automations.adapters.aws.processes import DynamoProcessStore
    from automations.adapters.aws.tables import create_tables

    fake_aws(monkeypatch)
    with mock_aws():
        client = boto3.client("dynamodb")
        table = create_tables(client, {"Records": "records-t", "Automations": "automations-t"})[
            "Automations"
        ]
        yield DynamoProcessStore(client, table), client, table


def test_dynamodb_answers_an_unreadable_item_as_an_error(dynamo: tuple[Any, Any, str]) -> None:
    store, client, table = dynamo
    store.create(record("fine"))
    store.create(record("deep"))
    item = client.get_item(
        TableName=table, Key={"pk": {"S": "PROCESS#deep"}, "sk": {"S": "PROCESS"}}
    )
    broken = zlib.compress(with_output(record("deep"), deep(100_000)).encode())
    client.put_item(TableName=table, Item=item["Item"] | {"body": {"B": broken}})

    listed = {p.id: p for p in store.find(ProcessQuery())}

    assert listed["fine"] == record("fine")
    stand_in = listed["deep"]
    assert stand_in.status is ProcessStatus.ERROR
    assert stand_in.error is not None and stand_in.error.code == RECORD_UNREADABLE
    assert (stand_in.scenario_id, stand_in.queued_at) == ("s1", T)
    assert store.get("deep") == stand_in
    assert json.loads(stand_in.model_dump_json())["id"] == "deep"
