"""What the processes page reads of the ProcessStore, on SQLite and on DynamoDB (moto): the
event-type and time filters of `find`, and `stats` (counts per hour and status, percentiles)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from moto_env import fake_aws

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.processes import SqliteProcessStore
from automations.adapters.sqlite.schema import MIGRATIONS
from automations.model.base import utc_iso
from automations.model.process import EventRef, Initiator, ProcessRecord, ProcessStatus
from automations.ports import ProcessQuery, ProcessStore

T = datetime(2026, 1, 2, 10, tzinfo=UTC)
ENDED = {ProcessStatus.COMPLETED, ProcessStatus.ERROR, ProcessStatus.ABORTED}


def process(
    number: int,
    *,
    minutes: float = 0,
    status: ProcessStatus = ProcessStatus.QUEUED,
    duration_ms: int | None = None,
    scenario: str = "s1",
    event_type: str = "$record.after.create",
    user: str | None = None,
) -> ProcessRecord:
    return ProcessRecord(
        id=f"p{number:06d}",
        scenario_id=scenario,
        scenario_version=1,
        event=EventRef(id=f"e{number}", type=event_type),
        initiator=Initiator(user_id=user),
        status=status,
        queued_at=T + timedelta(minutes=minutes),
        duration_ms=duration_ms if status in ENDED else None,
    )


def ids(found: list[ProcessRecord]) -> list[str]:
    return [p.id for p in found]


def test_find_by_event_type_newest_first(process_store: ProcessStore) -> None:
    kinds = ["$manual", "$webRequest", "$manual", "$schedule", "$manual"]
    for number, kind in enumerate(kinds):
        process_store.create(process(number, minutes=number, event_type=kind))
    manual = process_store.find(ProcessQuery(event_type="$manual"))
    assert ids(manual) == ["p000004", "p000002", "p000000"]
    paged = process_store.find(ProcessQuery(event_type="$manual", limit=2, offset=1))
    assert ids(paged) == ["p000002", "p000000"]
    assert process_store.find(ProcessQuery(event_type="$record.before.create")) == []


def test_find_by_event_type_with_the_other_filters(process_store: ProcessStore) -> None:
    process_store.create(process(1, event_type="$manual", status=ProcessStatus.COMPLETED))
    process_store.create(process(2, event_type="$manual", scenario="s2", user="7"))
    process_store.create(process(3, event_type="$webRequest", scenario="s2", user="7"))
    by_scenario = process_store.find(ProcessQuery(event_type="$manual", scenario_id="s2"))
    by_status = process_store.find(
        ProcessQuery(event_type="$manual", status=ProcessStatus.COMPLETED)
    )
    by_user = process_store.find(ProcessQuery(event_type="$webRequest", initiator_id="7"))
    assert (ids(by_scenario), ids(by_status), ids(by_user)) == (
        ["p000002"],
        ["p000001"],
        ["p000003"],
    )


def test_find_between_two_times_includes_both_ends(process_store: ProcessStore) -> None:
    for number in range(6):
        process_store.create(process(number, minutes=10 * number))
    found = process_store.find(
        ProcessQuery(since=T + timedelta(minutes=10), until=T + timedelta(minutes=30))
    )
    assert ids(found) == ["p000003", "p000002", "p000001"]


def test_stats_counts_per_hour_and_status(process_store: ProcessStore) -> None:
    rows = [
        (0, ProcessStatus.COMPLETED),
        (5, ProcessStatus.COMPLETED),
        (59, ProcessStatus.ERROR),
        (60, ProcessStatus.RUNNING),
        (61, ProcessStatus.QUEUED),
        (150, ProcessStatus.ABORTED),
    ]
    for number, (minutes, status) in enumerate(rows):
        process_store.create(process(number, minutes=minutes, status=status, duration_ms=10))
    found = process_store.stats(T, T + timedelta(hours=3), None)
    assert {hour: dict(counts) for hour, counts in found.per_hour.items()} == {
        "2026-01-02T10": {"completed": 2, "error": 1},
        "2026-01-02T11": {"running": 1, "queued": 1},
        "2026-01-02T12": {"aborted": 1},
    }
    assert (found.ended, found.complete) == (4, True)


def test_stats_keeps_to_the_window_and_the_scenario(process_store: ProcessStore) -> None:
    process_store.create(process(1, minutes=-1, status=ProcessStatus.COMPLETED, duration_ms=1))
    process_store.create(process(2, minutes=30, status=ProcessStatus.COMPLETED, duration_ms=2))
    process_store.create(
        process(3, minutes=30, status=ProcessStatus.COMPLETED, duration_ms=3, scenario="s2")
    )
    process_store.create(process(4, minutes=61, status=ProcessStatus.COMPLETED, duration_ms=4))
    window = process_store.stats(T, T + timedelta(hours=1), None)
    scenario = process_store.stats(T, T + timedelta(hours=1), "s2")
    assert (window.ended, dict(window.per_hour["2026-01-02T10"])) == (2, {"completed": 2})
    assert (scenario.ended, scenario.percentiles_ms["p50"]) == (1, 3)
    assert process_store.stats(T, T + timedelta(hours=1), "none").per_hour == {}


def test_stats_percentiles_are_nearest_rank_over_the_ended(process_store: ProcessStore) -> None:
    # 1..100 ms in a shuffled order, and processes still going (no duration) beside them.
    for number in range(100):
        duration = (number * 37) % 100 + 1
        process_store.create(
            process(
                number, minutes=number % 50, status=ProcessStatus.COMPLETED, duration_ms=duration
            )
        )
    for number in range(100, 110):
        process_store.create(process(number, status=ProcessStatus.RUNNING))
    found = process_store.stats(T, T + timedelta(hours=1), None)
    assert dict(found.percentiles_ms) == {"p50": 50, "p90": 90, "p99": 99}
    assert found.ended == 100


def test_stats_of_nothing(process_store: ProcessStore) -> None:
    process_store.create(process(1, status=ProcessStatus.RUNNING))
    found = process_store.stats(T, T + timedelta(hours=1), None)
    assert dict(found.percentiles_ms) == {"p50": None, "p90": None, "p99": None}
    assert found.ended == 0 and found.per_hour["2026-01-02T10"] == {"running": 1}


def test_a_finished_process_is_counted_by_its_status_now(process_store: ProcessStore) -> None:
    from automations.model.process import ProcessChange

    process_store.create(process(1))
    process_store.change(
        "p000001",
        frozenset({ProcessStatus.QUEUED}),
        ProcessChange(status=ProcessStatus.COMPLETED, finished_at=T, duration_ms=42),
    )
    found = process_store.stats(T, T + timedelta(hours=1), None)
    assert dict(found.per_hour["2026-01-02T10"]) == {"completed": 1}
    assert found.percentiles_ms["p50"] == 42


def test_dynamodb_stats_read_a_bounded_number_of_items_the_newest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boto3
    from moto import mock_aws

    from automations.adapters.aws import processes as dynamo_processes
    from automations.adapters.aws.tables import create_tables

    fake_aws(monkeypatch)
    with mock_aws():
        client = boto3.client("dynamodb")
        table = create_tables(client, {"Records": "r", "Automations": "a"})["Automations"]
        _bounded_stats(monkeypatch, dynamo_processes.DynamoProcessStore(client, table))


def _bounded_stats(monkeypatch: pytest.MonkeyPatch, process_store: ProcessStore) -> None:
    from automations.adapters.aws import processes as dynamo_processes

    monkeypatch.setattr(dynamo_processes, "STATS_MAX_ITEMS", 5)
    statuses = [ProcessStatus.COMPLETED, ProcessStatus.QUEUED, ProcessStatus.ERROR]
    for number in range(9):  # one every 10 minutes, statuses taking turns
        status = statuses[number % 3]
        process_store.create(process(number, minutes=10 * number, status=status, duration_ms=1))
    found = process_store.stats(T, T + timedelta(hours=2), None)
    assert found.complete is False
    # The newest five: minutes 80, 70, 60 (hour 11) and 50, 40 (hour 10).
    assert {h: sum(c.values()) for h, c in found.per_hour.items()} == {
        "2026-01-02T10": 2,
        "2026-01-02T11": 3,
    }
    monkeypatch.setattr(dynamo_processes, "STATS_MAX_ITEMS", 9)
    assert process_store.stats(T, T + timedelta(hours=2), None).complete is True


def test_an_old_database_gets_the_event_type_and_duration_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for version, script in enumerate(MIGRATIONS[:3], start=1):
        old.executescript(script)
        old.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
    stored = process(1, status=ProcessStatus.COMPLETED, duration_ms=77, event_type="$manual")
    old.execute(
        "INSERT INTO processes (id, scenario_id, status, queued_at, body) VALUES (?, ?, ?, ?, ?)",
        (stored.id, "s1", "completed", utc_iso(stored.queued_at), stored.model_dump_json()),
    )
    old.execute(
        "INSERT INTO processes (id, scenario_id, status, queued_at, body)"
        " VALUES ('broken', 's1', 'error', ?, '{not json')",
        (utc_iso(T),),
    )
    old.commit()
    old.close()
    db = Database(path)
    try:
        store = SqliteProcessStore(db)
        assert ids(store.find(ProcessQuery(event_type="$manual"))) == ["p000001"]
        found = store.stats(T, T + timedelta(hours=1), None)
        assert (found.ended, found.percentiles_ms["p50"]) == (1, 77)
        assert dict(found.per_hour["2026-01-02T10"]) == {"completed": 1, "error": 1}
    finally:
        db.close()
