"""RecordMessageStore on SQLite: the `record_messages` table, one row per message, its id from
the table's own sequence (AUTOINCREMENT never hands out an id twice, even after a delete)."""

from __future__ import annotations

from typing import Any

from automations.adapters.sqlite.db import Database, dumps, loads
from automations.model.message import MessageDraft, MessagePage, RecordMessage


class SqliteRecordMessageStore:
    """Messages in the database; a record's page is one range of the (catalog, record, id)
    index read backwards."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, draft: MessageDraft) -> RecordMessage:
        body = draft.model_dump(mode="json", exclude={"catalog_id", "record_id"})
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO record_messages (catalog_id, record_id, body) VALUES (?, ?, ?)",
                (int(draft.catalog_id), int(draft.record_id), dumps(body)),
            )
        return RecordMessage(id=str(cursor.lastrowid), **draft.model_dump())

    def page(
        self, catalog_id: str, record_id: str, *, limit: int, before: str | None = None
    ) -> MessagePage:
        if not (catalog_id.isdigit() and record_id.isdigit()):
            return MessagePage(messages=[])
        sql = "SELECT id, body FROM record_messages WHERE catalog_id = ? AND record_id = ?"
        arguments: list[Any] = [int(catalog_id), int(record_id)]
        if before is not None:
            sql += " AND id < ?"
            arguments.append(int(before))
        sql += " ORDER BY id DESC LIMIT ?"
        arguments.append(limit + 1)  # one more says whether there is a next page
        rows = self._db.connection().execute(sql, arguments).fetchall()
        messages = [
            RecordMessage(
                id=str(row[0]), catalog_id=catalog_id, record_id=record_id, **loads(row[1])
            )
            for row in rows[:limit]
        ]
        more = len(rows) > limit and bool(messages)
        return MessagePage(messages=messages, next_before=messages[-1].id if more else None)
