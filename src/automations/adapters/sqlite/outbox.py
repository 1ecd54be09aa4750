"""ChangeFeed on SQLite: the `outbox` table, read in write order (`seq`), marked when delivered."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from automations.adapters.sqlite.db import Database, dumps, loads
from automations.asl.ports import Clock
from automations.model.base import from_epoch, utc_iso
from automations.model.event import ChangeEvent, EventType


def insert_event(conn: sqlite3.Connection, event: ChangeEvent) -> None:
    """Add an event inside the caller's transaction (the record write it reports)."""
    conn.execute(
        "INSERT INTO outbox (id, type, catalog_id, record_id, field_values, prev_values, user_id,"
        " depth, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            event.id,
            str(event.type),
            event.catalog_id,
            event.record_id,
            dumps(event.values),
            None if event.prev_values is None else dumps(event.prev_values),
            event.user_id,
            event.depth,
            utc_iso(event.created_at),
        ),
    )


class SqliteChangeFeed:
    """Pending events oldest first; delivery marks are idempotent."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def pending(self, limit: int = 100) -> list[ChangeEvent]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT * FROM outbox WHERE delivered_at IS NULL ORDER BY seq LIMIT ?", (limit,)
            )
            .fetchall()
        )
        return [_event(row) for row in rows]

    def get(self, event_id: str) -> ChangeEvent | None:
        row = (
            self._db.connection()
            .execute("SELECT * FROM outbox WHERE id = ?", (event_id,))
            .fetchone()
        )
        return None if row is None else _event(row)

    def mark_delivered(self, event_ids: Sequence[str]) -> None:
        now = utc_iso(from_epoch(self._clock.now()))
        with self._db.transaction() as conn:
            # Only the first mark counts: a redelivered event keeps its first delivery time.
            conn.executemany(
                "UPDATE outbox SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL",
                [(now, event_id) for event_id in event_ids],
            )


def _event(row: sqlite3.Row) -> ChangeEvent:
    delivered = row["delivered_at"]
    return ChangeEvent(
        id=row["id"],
        type=EventType(row["type"]),
        catalog_id=row["catalog_id"],
        record_id=row["record_id"],
        values=loads(row["field_values"]),
        prev_values=loads(row["prev_values"]),
        user_id=row["user_id"],
        depth=row["depth"],
        created_at=datetime.fromisoformat(row["created_at"]),
        delivered_at=None if delivered is None else datetime.fromisoformat(delivered),
    )
