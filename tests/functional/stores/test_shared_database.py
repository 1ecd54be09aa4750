"""One SQLite file served by several server processes: each `Database` here stands for one
process (its own connections, its own lock, its own mapping of the shared generation)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path

import pytest

from automations.adapters.local.db import Database
from automations.adapters.local.group_commit import GroupCommit
from automations.adapters.local.processes import SqliteProcessStore
from automations.adapters.local.scenarios import SqliteScenarioStore
from automations.adapters.local.webrequests import SqliteWebRequestStore
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


def test_group_commit_stores_every_write_and_reports_each_alone(tmp_path: Path) -> None:
    db = Database(tmp_path / "group.db")
    group = GroupCommit(db)
    store = SqliteProcessStore(db, group)
    try:
        with db.transaction():  # hold the writer: everything queued meanwhile is one batch
            first = store.create_soon(process("p-1"))
            again = store.create_soon(process("p-1"))
            broken: Future[int] = group.submit("INSERT INTO processes (id) VALUES (?)", ("p-2",))
            others = [store.create_soon(process()) for _ in range(20)]
        assert first.result(5) is True
        assert again.result(5) is False  # the id exists: as `create` says
        with pytest.raises(Exception, match="NOT NULL"):
            broken.result(5)
        assert all(f.result(5) for f in others)
        rows = db.connection().execute("SELECT COUNT(*) FROM processes").fetchone()[0]
        assert rows == 21
    finally:
        group.close()
        db.close()


def test_group_commit_from_many_threads(tmp_path: Path) -> None:
    db = Database(tmp_path / "group.db")
    group = GroupCommit(db)
    store = SqliteProcessStore(db, group)
    results: list[bool] = []

    def write() -> None:
        futures = [store.create_soon(process()) for _ in range(50)]
        results.extend(f.result(10) for f in futures)

    threads = [threading.Thread(target=write) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    group.close()
    assert results == [True] * 600
    assert db.connection().execute("SELECT COUNT(*) FROM processes").fetchone()[0] == 600
    with pytest.raises(RuntimeError, match="closed"):
        group.submit("SELECT 1", ())
    db.close()
