"""ScheduleStore on SQLite: next runs as UTC text, so that they compare in SQL."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from automations.adapters.sqlite.db import Database
from automations.model.base import utc_iso
from automations.model.scenario import Schedule


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else utc_iso(moment)


class SqliteScheduleStore:
    """Schedules in `schedules`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def put(self, schedule: Schedule) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO schedules (id, expression, scenario_id, active, next_run_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " expression = excluded.expression, scenario_id = excluded.scenario_id,"
                " active = excluded.active, next_run_at = excluded.next_run_at",
                (
                    schedule.id,
                    schedule.expression,
                    schedule.scenario_id,
                    int(schedule.active),
                    _text(schedule.next_run_at),
                ),
            )

    def get(self, schedule_id: str) -> Schedule | None:
        row = (
            self._db.connection()
            .execute("SELECT * FROM schedules WHERE id = ?", (schedule_id,))
            .fetchone()
        )
        return None if row is None else _schedule(row)

    def delete(self, schedule_id: str) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,))
        return cursor.rowcount > 0

    def all(self) -> list[Schedule]:
        rows = self._db.connection().execute("SELECT * FROM schedules ORDER BY id").fetchall()
        return [_schedule(row) for row in rows]

    def due(self, now: datetime) -> list[Schedule]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT * FROM schedules WHERE active = 1 AND next_run_at IS NOT NULL"
                " AND next_run_at <= ? ORDER BY next_run_at, id",
                (utc_iso(now),),
            )
            .fetchall()
        )
        return [_schedule(row) for row in rows]

    def set_next_run(
        self, schedule_id: str, previous: datetime | None, following: datetime
    ) -> bool:
        with self._db.transaction() as conn:
            # Compare-and-set: of two runners that saw the same due time, one moves it.
            cursor = conn.execute(
                "UPDATE schedules SET next_run_at = ? WHERE id = ? AND next_run_at IS ?",
                (utc_iso(following), schedule_id, _text(previous)),
            )
        return cursor.rowcount > 0


def _schedule(row: sqlite3.Row) -> Schedule:
    next_run = row["next_run_at"]
    return Schedule(
        id=row["id"],
        expression=row["expression"],
        scenario_id=row["scenario_id"],
        active=bool(row["active"]),
        next_run_at=None if next_run is None else datetime.fromisoformat(next_run),
    )
