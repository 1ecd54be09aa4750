"""Opening a database written when record ids were global (schema 6) with per-catalog ids
(schema 7): every record keeps its id, each catalog continues after the largest id it ever had,
and record events, old and new, still start the processes their subscriptions name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.adapters.sqlite import schema
from automations.adapters.sqlite.records import SqliteRecordStore
from automations.asl.clock import VirtualClock
from automations.model.event import ChangeEvent, EventType
from automations.model.record import Record
from automations.model.user import Role
from automations.service.dispatch import dispatch_pending
from automations.settings import Settings
from support.api import LOGIN, PASSWORD, Api
from support.bootstrap import LocalServices

GLOBAL_IDS = 6  # the last schema version whose record ids came from one global counter
EXAMPLES = Path(__file__).parents[3] / "examples"
START = 1_767_323_045.0  # 2026-01-02T03:04:05Z
T = datetime(2026, 1, 2, tzinfo=UTC)


@contextmanager
def opened(path: Path) -> Iterator[tuple[Api, LocalRuntime]]:
    """The embedded server's app over this file, nothing started (no loops run)."""
    clock = VirtualClock(start=START)
    runtime = build_runtime(path, Settings(demo=False), clock=clock)
    try:
        local = LocalServices(services=runtime.services, db=runtime.db)
        yield Api(local=local, app=runtime.app(), clock=clock), runtime
    finally:
        runtime.close()


def _write_as_before(records: SqliteRecordStore, catalog_id: str, record_id: int) -> Record:
    """A record as the code of schema 6 stored it: its id from the global counter."""
    record = Record(
        id=str(record_id),
        catalog_id=catalog_id,
        values={"1": f"r{record_id}"},
        created_at=T,
        updated_at=T,
    )
    records.create(record, _event(record, EventType.AFTER_CREATE))
    return record


def _event(record: Record, kind: EventType) -> ChangeEvent:
    return ChangeEvent(
        id=f"old-{kind}-{record.id}",
        type=kind,
        catalog_id=record.catalog_id,
        record_id=record.id,
        values=record.values,
        created_at=T,
    )


@pytest.fixture
def old_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    """A schema-6 file: catalog A holds records 1 and 3, catalog B records 2 and 4 (and had 5,
    deleted); a subscription of B to `$record.after.create`; the events not yet delivered."""
    path = tmp_path / "old.db"
    with monkeypatch.context() as old_code:
        old_code.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:GLOBAL_IDS])
        with opened(path) as (api, runtime):
            runtime.services.users.create(LOGIN, PASSWORD, name="Admin", role=Role.ADMIN)
            first, second = api.catalog([{"name": "Title", "type": "text"}]), api.catalog()
            bpmn = (EXAMPLES / "discount-calculator.bpmn").read_text(encoding="utf-8")
            saved = api.call("PUT", "/api/v1/scenarios/discount-calculator", raw_body=bpmn)
            assert saved.status == 200, saved.body
            # The subscription as schema 6 stored it (today's store writes later columns too).
            with runtime.db.transaction() as conn:
                conn.execute(
                    "INSERT INTO subscriptions (id, catalog_id, events, fields, scenario_id,"
                    " active) VALUES ('old-sub', ?, '[\"$record.after.create\"]', '[]',"
                    " 'discount-calculator', 1)",
                    (second,),
                )
            records = SqliteRecordStore(runtime.db)
            for catalog_id, record_id in ((first, 1), (second, 2), (first, 3), (second, 4)):
                _write_as_before(records, catalog_id, record_id)
            gone = _write_as_before(records, second, 5)
            assert records.delete(gone, _event(gone, EventType.AFTER_DELETE), expected_revision=1)
            with runtime.db.transaction() as conn:
                conn.execute("INSERT INTO id_sequences (name, value) VALUES ('records', 5)")
            version = runtime.db.connection().execute("SELECT MAX(version) FROM schema_version")
            assert version.fetchone()[0] == GLOBAL_IDS
    return path, first, second


def test_records_keep_their_ids_and_each_catalog_continues_after_its_largest(
    old_database: tuple[Path, str, str],
) -> None:
    path, first, second = old_database
    with opened(path) as (api, runtime):
        kept = {
            (c, r): api.call("GET", f"/api/v1/catalogs/{c}/records/{r}").body["values"]
            for c, r in ((first, "1"), (first, "3"), (second, "2"), (second, "4"))
        }
        missing = [
            api.call("GET", f"/api/v1/catalogs/{c}/records/{r}").status
            for c, r in ((first, "2"), (second, "3"), (second, "5"))
        ]
        third = api.catalog()
        created = [
            api.call("POST", f"/api/v1/catalogs/{c}/records", {"values": {"1": "new"}}).body["id"]
            for c in (first, second, third, first, third)
        ]
        version = runtime.db.connection().execute("SELECT MAX(version) FROM schema_version")
        assert version.fetchone()[0] == len(schema.MIGRATIONS)
    assert kept == {
        (first, "1"): {"1": "r1"},
        (first, "3"): {"1": "r3"},
        (second, "2"): {"1": "r2"},
        (second, "4"): {"1": "r4"},
    }
    assert missing == [404, 404, 404]
    # B's deleted 5 is not handed out again: an old event or process names it.
    assert created == ["4", "6", "1", "5", "2"]


def test_old_and_new_record_events_still_start_their_subscriptions_processes(
    old_database: tuple[Path, str, str],
) -> None:
    path, first, second = old_database
    with opened(path) as (api, runtime):
        new = api.call("POST", f"/api/v1/catalogs/{second}/records", {"values": {"1": "new"}})
        api.call("POST", f"/api/v1/catalogs/{first}/records", {"values": {"1": "not watched"}})
        assert runtime.automation is not None
        delivered = dispatch_pending(runtime.automation.dispatch_deps())
        processes = api.call("GET", "/api/v1/processes").body
        pending = api.events()
    assert new.body["id"] == "6"
    # Six old events (five creates, a delete) and the two new creates; only B's creates start.
    assert (delivered, pending) == (8, [])
    started = sorted((p["input"]["catalogId"], p["input"]["recordId"]) for p in processes)
    assert started == [(second, "2"), (second, "4"), (second, "5"), (second, "6")]
