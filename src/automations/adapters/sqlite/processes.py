"""ProcessStore on SQLite: the process as one JSON document, with its searchable parts as columns.

Status changes are compare-and-set inside one write transaction, so two workers can never both
take a queued process or both finish a running one. A document that cannot be read back (one
written before the JSON depth limit) is listed as a stand-in (`model/unreadable.py`) instead of
breaking the list; `repair_processes` (`automations repair`) rewrites such rows.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from pydantic import TypeAdapter

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.group_commit import GroupCommit
from automations.model.base import utc_iso
from automations.model.process import ProcessChange, ProcessRecord, ProcessStatus, TraceStep
from automations.model.unreadable import (
    StoredRow,
    is_unreadable,
    read_process,
    readable,
    salvaged,
)
from automations.ports import ProcessQuery, ProcessStats
from automations.service.process_stats import percentile_rank


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
            .execute(f"SELECT {_COLUMNS} FROM processes WHERE id = ?", (process_id,))  # noqa: S608
            .fetchone()
        )
        return None if row is None else _process(row)

    def change(
        self, process_id: str, expected: frozenset[ProcessStatus], change: ProcessChange
    ) -> ProcessRecord | None:
        with self._db.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM processes WHERE id = ?",  # noqa: S608
                (process_id,),
            ).fetchone()
            if row is None:
                return None
            # An unreadable record keeps its stored status here: its end still gets recorded
            # (and the record becomes readable again).
            current = _process(row, keep_status=True)
            if current.status not in expected:
                return None
            updated = change.applied_to(current)
            _write(conn, updated)
        return updated

    def set_trace(self, process_id: str, trace: list[TraceStep]) -> bool:
        """Replace the trace of a running process in place (its live path: no other field is
        read or written); False when it is not running."""
        text = _TRACE.dump_json(trace, by_alias=True).decode()
        with self._db.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE processes SET body = json_set(body, '$.trace', json(?))"
                    " WHERE id = ? AND status = ? AND json_valid(body)",
                    (text, process_id, str(ProcessStatus.RUNNING)),
                ).rowcount
                > 0
            )

    def find(self, query: ProcessQuery) -> list[ProcessRecord]:
        conditions: list[str] = []
        params: list[object] = []
        for column, op, value in (
            ("scenario_id", "=", query.scenario_id),
            ("status", "=", None if query.status is None else str(query.status)),
            ("queued_at", ">=", None if query.since is None else utc_iso(query.since)),
            ("queued_at", "<=", None if query.until is None else utc_iso(query.until)),
            ("event_type", "=", query.event_type),
            # Only members ask (an admin sees every process): not worth a column and an index.
            # An unreadable body (see model/unreadable.py) must not make the query fail.
            (
                "(CASE WHEN json_valid(body) THEN json_extract(body, '$.initiator.userId') END)",
                "=",
                query.initiator_id,
            ),
        ):
            if value is not None:
                conditions.append(f"{column} {op} ?")
                params.append(value)
        where = " AND ".join(conditions) or "1"
        rows = (
            self._db.connection()
            .execute(
                f"SELECT {_COLUMNS} FROM processes WHERE {where}"  # noqa: S608
                " ORDER BY seq DESC LIMIT ? OFFSET ?",
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

    def stats(self, since: datetime, until: datetime, scenario_id: str | None) -> ProcessStats:
        # Two queries over the covering index `processes_by_queued` (queued_at, status,
        # duration_ms, scenario_id): the bodies are never read. One groups the window by hour
        # and status (counting durations too), one sorts the durations once for all three ranks.
        where = "queued_at >= ? AND queued_at <= ?"
        params: list[object] = [utc_iso(since), utc_iso(until)]
        if scenario_id is not None:
            where += " AND scenario_id = ?"
            params.append(scenario_id)
        conn = self._db.connection()
        per_hour: dict[str, dict[str, int]] = {}
        ended = 0
        for hour, status, count, durations in conn.execute(
            "SELECT substr(queued_at, 1, 13), status, COUNT(*), COUNT(duration_ms)"  # noqa: S608
            f" FROM processes WHERE {where} GROUP BY 1, 2",
            params,
        ):
            per_hour.setdefault(hour, {})[status] = count
            ended += durations
        ranks = {name: percentile_rank(ended, f) for name, f in PERCENTILES.items()}
        at_rank: dict[int, int] = {}
        if ended:
            at_rank = dict(
                conn.execute(
                    "SELECT rank, duration_ms FROM (SELECT duration_ms,"  # noqa: S608
                    " ROW_NUMBER() OVER (ORDER BY duration_ms) - 1 AS rank FROM processes"
                    f" WHERE {where} AND duration_ms IS NOT NULL) WHERE rank IN (?, ?, ?)",
                    [*params, *ranks.values()],
                ).fetchall()
            )
        percentiles = {name: at_rank.get(rank) for name, rank in ranks.items()}
        return ProcessStats(per_hour=per_hour, percentiles_ms=percentiles, ended=ended)

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
                f"SELECT {_COLUMNS} FROM processes"  # noqa: S608
                " WHERE status = 'queued' ORDER BY seq LIMIT ?",
                (free,),
            ).fetchall()
            claimed: list[ProcessRecord] = []
            for row in rows:
                process = _process(row)
                if is_unreadable(process):  # what it was to start with is lost: it ends here
                    _write(conn, process)
                    continue
                process = process.model_copy(
                    update={"status": ProcessStatus.RUNNING, "started_at": now}
                )
                _write(conn, process)
                claimed.append(process)
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
# Besides the body, what a record that cannot be read is shown with.
_COLUMNS = "id, scenario_id, status, queued_at, body"
_INSERT = (
    "INSERT INTO processes (id, scenario_id, status, queued_at, body, event_type, duration_ms)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
)
_TRACE = TypeAdapter(list[TraceStep])
PERCENTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99}


def _insert_params(
    process: ProcessRecord,
) -> tuple[str, str, str, str, str, str, int | None]:
    return (
        process.id,
        process.scenario_id,
        str(process.status),
        utc_iso(process.queued_at),
        process.model_dump_json(),
        process.event.type,
        process.duration_ms,
    )


def _insert(conn: sqlite3.Connection, process: ProcessRecord) -> bool:
    return conn.execute(_INSERT, _insert_params(process)).rowcount > 0


def _write(conn: sqlite3.Connection, process: ProcessRecord) -> None:
    conn.execute(
        "UPDATE processes SET status = ?, body = ?, duration_ms = ? WHERE id = ?",
        (str(process.status), process.model_dump_json(), process.duration_ms, process.id),
    )


def _process(row: sqlite3.Row, *, keep_status: bool = False) -> ProcessRecord:
    return read_process(_stored(row), row["body"], keep_status=keep_status)


def _stored(row: sqlite3.Row) -> StoredRow:
    return StoredRow(row["id"], row["scenario_id"], row["status"], row["queued_at"])


REPAIR_BATCH = 500


def repair_processes(db: Database) -> list[ProcessRecord]:
    """Rewrite every process whose stored record cannot be read back into one that can (see
    `model.unreadable.salvaged`: id, scenario, status and times kept, what does not read
    left out and named in its error); the records written, oldest first."""
    repaired: list[ProcessRecord] = []
    after = 0
    while True:
        # Read and rewritten in one transaction: the server may be writing these rows too.
        with db.transaction() as conn:
            rows = conn.execute(
                f"SELECT seq, {_COLUMNS} FROM processes WHERE seq > ?"  # noqa: S608
                " ORDER BY seq LIMIT ?",
                (after, REPAIR_BATCH),
            ).fetchall()
            for row in rows:
                if not readable(row["body"]):
                    fixed = salvaged(_stored(row), row["body"], keep_status=True)
                    _write(conn, fixed)
                    repaired.append(fixed)
        if len(rows) < REPAIR_BATCH:
            return repaired
        after = rows[-1]["seq"]
