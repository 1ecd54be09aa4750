"""ProcessStore on SQLite: the process as one JSON document, with its searchable parts as columns.

Status changes are compare-and-set inside one write transaction, so two workers can never both
take a queued process or both finish a running one.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from automations.adapters.local.db import Database
from automations.adapters.local.group_commit import GroupCommit
from automations.model.base import utc_iso
from automations.model.process import ProcessChange, ProcessRecord, ProcessStatus
from automations.ports import ProcessQuery


class SqliteProcessStore:
    """Processes in `processes`, ordered by `seq` (the order they were queued).

    `create_async` joins the group commit when one is given (the server's); alone, it writes at
    once.
    """

    def __init__(self, db: Database, group: GroupCommit | None = None) -> None:
        self._db = db
        self._group = group

    def create(self, process: ProcessRecord) -> bool:
        with self._db.transaction() as conn:
            return _insert(conn, process)

    async def create_async(self, process: ProcessRecord) -> bool:
        if self._group is None:
            return self.create(process)
        return await self._group.execute(_INSERT, _insert_params(process)) > 0

    def get(self, process_id: str) -> ProcessRecord | None:
        row = (
            self._db.connection()
            .execute("SELECT body FROM processes WHERE id = ?", (process_id,))
            .fetchone()
        )
        return None if row is None else _process(row)

    def change(
        self, process_id: str, expected: frozenset[ProcessStatus], change: ProcessChange
    ) -> ProcessRecord | None:
        with self._db.transaction() as conn:
            row = conn.execute("SELECT body FROM processes WHERE id = ?", (process_id,)).fetchone()
            if row is None:
                return None
            current = _process(row)
            if current.status not in expected:
                return None
            updated = change.applied_to(current)
            _write(conn, updated)
        return updated

    def find(self, query: ProcessQuery) -> list[ProcessRecord]:
        conditions: list[str] = []
        params: list[object] = []
        for column, op, value in (
            ("scenario_id", "=", query.scenario_id),
            ("status", "=", None if query.status is None else str(query.status)),
            ("queued_at", ">=", None if query.since is None else utc_iso(query.since)),
            ("queued_at", "<=", None if query.until is None else utc_iso(query.until)),
        ):
            if value is not None:
                conditions.append(f"{column} {op} ?")
                params.append(value)
        where = " AND ".join(conditions) or "1"
        rows = (
            self._db.connection()
            .execute(
                f"SELECT body FROM processes WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?",  # noqa: S608
                [*params, query.limit, query.offset],
            )
            .fetchall()
        )
        return [_process(row) for row in rows]

    def count(self, status: ProcessStatus) -> int:
        row = (
            self._db.connection()
            .execute("SELECT COUNT(*) FROM processes WHERE status = ?", (str(status),))
            .fetchone()
        )
        return int(row[0])

    def claim_queued(self, max_running: int, now: datetime) -> list[ProcessRecord]:
        # Looked at first without the write lock: the pump runs whether or not anything waits,
        # and a write transaction for nothing holds back every writer (a queued process found
        # missing here is started by the pump its enqueuer rings).
        if self._db.connection().execute(_ANY_QUEUED).fetchone() is None:
            return []
        with self._db.transaction() as conn:
            running = conn.execute(
                "SELECT COUNT(*) FROM processes WHERE status = 'running'"
            ).fetchone()[0]
            free = max(0, max_running - running)
            rows = conn.execute(
                "SELECT body FROM processes WHERE status = 'queued' ORDER BY seq LIMIT ?", (free,)
            ).fetchall()
            claimed = [
                _process(row).model_copy(
                    update={"status": ProcessStatus.RUNNING, "started_at": now}
                )
                for row in rows
            ]
            for process in claimed:
                _write(conn, process)
        return claimed

    def admit(self, process: ProcessRecord, max_running: int) -> bool:
        running = process.model_copy(update={"status": ProcessStatus.RUNNING})
        with self._db.transaction() as conn:
            count = conn.execute(
                "SELECT COUNT(*) FROM processes WHERE status = 'running'"
            ).fetchone()[0]
            if count >= max_running:
                return False
            return _insert(conn, running)


_ANY_QUEUED = "SELECT 1 FROM processes WHERE status = 'queued' LIMIT 1"
_INSERT = (
    "INSERT INTO processes (id, scenario_id, status, queued_at, body)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
)


def _insert_params(process: ProcessRecord) -> tuple[str, str, str, str, str]:
    return (
        process.id,
        process.scenario_id,
        str(process.status),
        utc_iso(process.queued_at),
        process.model_dump_json(),
    )


def _insert(conn: sqlite3.Connection, process: ProcessRecord) -> bool:
    return conn.execute(_INSERT, _insert_params(process)).rowcount > 0


def _write(conn: sqlite3.Connection, process: ProcessRecord) -> None:
    conn.execute(
        "UPDATE processes SET status = ?, body = ? WHERE id = ?",
        (str(process.status), process.model_dump_json(), process.id),
    )


def _process(row: sqlite3.Row) -> ProcessRecord:
    return ProcessRecord.model_validate_json(row["body"])
