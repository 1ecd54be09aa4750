"""RecordStore on SQLite: values as JSON, filters compiled to SQL, each write with its event."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from automations.adapters.sqlite.db import Database, dumps, loads
from automations.adapters.sqlite.outbox import insert_event
from automations.adapters.sqlite.record_filters import compile_filter, field_path
from automations.errors import StoreConflict
from automations.model.base import utc_iso
from automations.model.event import ChangeEvent
from automations.model.filters import FilterExpr
from automations.model.record import Record, RecordQuery


class SqliteRecordStore:
    """Records in the `records` table, keyed by (catalog, id); ids from a counter per catalog
    (`id_sequences` row `records:<catalog id>`); events in the `outbox` table, same transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def next_id(self, catalog_id: str) -> str:
        catalog = int(catalog_id)
        # A missing counter starts after the catalog's largest id (one PK lookup), so a catalog
        # whose counter was lost never hands out an id it already holds.
        with self._db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO id_sequences (name, value) VALUES"
                " (?, (SELECT COALESCE(MAX(id), 0) + 1 FROM records WHERE catalog_id = ?))"
                " ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                (f"records:{catalog}", catalog),
            ).fetchone()
        return str(row[0])

    def get(self, catalog_id: str, record_id: str) -> Record | None:
        if not (catalog_id.isdigit() and record_id.isdigit()):
            return None
        row = (
            self._db.connection()
            .execute(
                "SELECT * FROM records WHERE id = ? AND catalog_id = ?",
                (int(record_id), int(catalog_id)),
            )
            .fetchone()
        )
        return None if row is None else _record(row)

    def find(self, catalog_id: str, query: RecordQuery) -> list[Record]:
        if not catalog_id.isdigit():
            return []
        where, params = ("1", []) if query.where is None else compile_filter(query.where)
        direction = "DESC" if query.sort.descending else "ASC"
        order = f"records.id {direction}"
        if query.sort.field_id is not None:
            order = f"json_extract(field_values, ?) {direction}, " + order
            params = [*params, field_path(query.sort.field_id)]
        rows = (
            self._db.connection()
            .execute(
                f"SELECT * FROM records WHERE catalog_id = ? AND {where} ORDER BY {order}"  # noqa: S608
                " LIMIT ? OFFSET ?",
                [int(catalog_id), *params, query.limit, query.offset],
            )
            .fetchall()
        )
        return [_record(row) for row in rows]

    def count(self, catalog_id: str, where: FilterExpr | None = None) -> int:
        if not catalog_id.isdigit():
            return 0
        condition, params = ("1", []) if where is None else compile_filter(where)
        row = (
            self._db.connection()
            .execute(
                f"SELECT COUNT(*) FROM records WHERE catalog_id = ? AND {condition}",  # noqa: S608
                [int(catalog_id), *params],
            )
            .fetchone()
        )
        return int(row[0])

    def create(self, record: Record, event: ChangeEvent) -> None:
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    "INSERT INTO records (id, catalog_id, field_values, revision, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        int(record.id),
                        int(record.catalog_id),
                        dumps(record.values),
                        record.revision,
                        utc_iso(record.created_at),
                        utc_iso(record.updated_at),
                    ),
                )
                insert_event(conn, event)
        except sqlite3.IntegrityError as exc:
            # A taken id, or a catalog that was deleted meanwhile (foreign key).
            raise StoreConflict(f"record {record.id} cannot be created: {exc}") from exc

    def update(self, record: Record, event: ChangeEvent, *, expected_revision: int) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE records SET field_values = ?, revision = ?, updated_at = ?"
                " WHERE id = ? AND catalog_id = ? AND revision = ?",
                (
                    dumps(record.values),
                    record.revision,
                    utc_iso(record.updated_at),
                    int(record.id),
                    int(record.catalog_id),
                    expected_revision,
                ),
            )
            if cursor.rowcount == 0:
                return False
            insert_event(conn, event)
        return True

    def delete(self, record: Record, event: ChangeEvent, *, expected_revision: int) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM records WHERE id = ? AND catalog_id = ? AND revision = ?",
                (int(record.id), int(record.catalog_id), expected_revision),
            )
            if cursor.rowcount == 0:
                return False
            insert_event(conn, event)
        return True


def _record(row: sqlite3.Row) -> Record:
    return Record(
        id=str(row["id"]),
        catalog_id=str(row["catalog_id"]),
        values=loads(row["field_values"]),
        revision=row["revision"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )
