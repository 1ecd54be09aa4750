"""One SQLite file served by several server processes: each `Database` here stands for one
process (its own connections, its own lock, its own mapping of the shared generation)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.group_commit import GroupCommit
from automations.adapters.sqlite.processes import SqliteProcessStore
from automations.adapters.sqlite.scenarios import SqliteScenarioStore
from automations.adapters.sqlite.webrequests import SqliteWebRequestStore
from automations.asl.clock import VirtualClock
from automations.model.process import EventRef, ProcessRecord, ProcessStatus
from automations.model.scenario import WebRequestEndpoint

T = datetime(2026, 1, 2, tzinfo=UTC)


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    first, second = Database(tmp_path / "shared.db"), Database(tmp_path / "shared.db")
    yield first, second
    first.close()
    second.close()


def process(process_id: str | None = None) -> ProcessRecord:
    return ProcessRecord(
        id=process_id or uuid.uuid4().hex,
        scenario_id="s",
        scenario_version=1,
        event=EventRef.model_validate({"id": "e", "type": "$webRequest", "async": False}),
        status=ProcessStatus.COMPLETED,
        queued_at=T,
    )


def test_an_endpoint_changed_by_one_process_is_seen_by_the_other(
    two: tuple[Database, Database],
) -> None:
    here, there = SqliteWebRequestStore(two[0]), SqliteWebRequestStore(two[1])
    there.put(WebRequestEndpoint(id="1", url_id="quote", scenario_id="s"))
    remembered = here.by_url_id("quote")  # now answered from this process's memory
    there.put(WebRequestEndpoint(id="1", url_id="quote", scenario_id="s", active=False))
    after_change = here.by_url_id("quote")
    there.delete("1")

    assert remembered is not None and remembered.active
    assert after_change is not None and not after_change.active
    assert here.by_url_id("quote") is None


def test_a_version_saved_by_one_process_is_the_others_latest(
    two: tuple[Database, Database],
) -> None:
    clock = VirtualClock(start=1_767_323_045.0)
    here, there = SqliteScenarioStore(two[0], clock), SqliteScenarioStore(two[1], clock)
    nothing = here.latest("quote")
    there.add_version("quote", "<bpmn/>", {})
    first = here.latest("quote")
    there.add_version("quote", "<bpmn v2/>", {})
    second = here.latest("quote")

    assert nothing is None
    assert first is not None and first.version == 1
    assert second is not None and second.version == 2


def test_writers_of_two_processes_all_commit(
    two: tuple[Database, Database],
) -> None:
    with two[0].transaction() as conn:
        conn.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
        conn.execute("INSERT INTO counter VALUES (0)")
    failures: list[BaseException] = []

    def add(db: Database) -> None:
        try:
            for _ in range(150):
                with db.transaction() as conn:
                    (n,) = conn.execute("SELECT n FROM counter").fetchone()
                    conn.execute("UPDATE counter SET n = ?", (n + 1,))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=add, args=(two[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert two[1].connection().execute("SELECT n FROM counter").fetchone()[0] == 8 * 150


def test_the_writes_of_one_turn_are_one_transaction_and_fail_alone(tmp_path: Path) -> None:
    db = Database(tmp_path / "group.db")
    group = GroupCommit(db)
    store = SqliteProcessStore(db, group)
    transactions = 0
    plain = db.transaction

    @contextmanager
    def counted() -> Iterator[sqlite3.Connection]:
        nonlocal transactions
        transactions += 1
        with plain() as conn:
            yield conn

    db.transaction = counted  # type: ignore[method-assign]

    async def write() -> list[Any]:
        return await asyncio.gather(
            store.create_async(process("p-1")),
            store.create_async(process("p-1")),
            group.execute("INSERT INTO processes (id) VALUES (?)", ("p-2",)),
            *(store.create_async(process()) for _ in range(20)),
            return_exceptions=True,
        )

    try:
        first, again, broken, *others = asyncio.run(write())
        assert transactions == 1
        assert first is True
        assert again is False  # the id exists: as `create` says
        assert isinstance(broken, sqlite3.IntegrityError) and "NOT NULL" in str(broken)
        assert others == [True] * 20
        rows = db.connection().execute("SELECT COUNT(*) FROM processes").fetchone()[0]
        assert rows == 21
    finally:
        db.close()


def test_writes_from_loops_on_many_threads_are_all_stored(tmp_path: Path) -> None:
    db = Database(tmp_path / "group.db")
    store = SqliteProcessStore(db, GroupCommit(db))
    results: list[bool] = []

    async def write() -> list[bool]:
        return list(await asyncio.gather(*(store.create_async(process()) for _ in range(50))))

    def on_own_loop() -> None:
        results.extend(asyncio.run(write()))

    threads = [threading.Thread(target=on_own_loop) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 400
    assert db.connection().execute("SELECT COUNT(*) FROM processes").fetchone()[0] == 400
    db.close()
