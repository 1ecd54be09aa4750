from __future__ import annotations

from collections.abc import Callable
from typing import Any

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.outbox import SqliteChangeFeed
from automations.asl.clock import VirtualClock
from automations.model.record import Record

Add = Callable[[dict[str, Any]], Record]


def test_pending_is_in_write_order_and_limited(
    db: Database, clock: VirtualClock, add_record: Add
) -> None:
    ids = [add_record({"1": str(i)}).id for i in range(5)]
    feed = SqliteChangeFeed(db, clock)
    assert [e.record_id for e in feed.pending(limit=3)] == ids[:3]


def test_mark_delivered_is_idempotent_and_keeps_the_first_time(
    db: Database, clock: VirtualClock, add_record: Add
) -> None:
    add_record({"1": "a"})
    add_record({"1": "b"})
    feed = SqliteChangeFeed(db, clock)
    first = feed.pending()[0]
    feed.mark_delivered([first.id])
    clock.advance_to(clock.now() + 60)
    feed.mark_delivered([first.id, "no-such-event"])
    again = feed.get(first.id)
    assert again is not None and again.delivered_at is not None
    assert again.delivered_at.timestamp() == clock.now() - 60
    assert [e.values for e in feed.pending()] == [{"1": "b"}]


def test_get_unknown_event_is_none(db: Database, clock: VirtualClock) -> None:
    assert SqliteChangeFeed(db, clock).get("nope") is None
