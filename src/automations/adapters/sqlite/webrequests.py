"""WebRequestStore on SQLite: endpoints by id and by their unique urlId.

Every web request looks its endpoint up by urlId: those lookups are answered from memory,
forgotten whenever the database's shared generation moves (every write here moves it, in whichever
server process it is made).
"""

from __future__ import annotations

import sqlite3

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.generation import GenerationCache
from automations.errors import StoreConflict
from automations.model.scenario import WebRequestEndpoint


class SqliteWebRequestStore:
    """Endpoints in `web_requests`."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._by_url_id: GenerationCache[str, WebRequestEndpoint | None] = GenerationCache(
            db.generation
        )

    def put(self, endpoint: WebRequestEndpoint) -> None:
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    "INSERT INTO web_requests (id, url_id, scenario_id, active) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET url_id = excluded.url_id,"
                    " scenario_id = excluded.scenario_id, active = excluded.active",
                    (endpoint.id, endpoint.url_id, endpoint.scenario_id, int(endpoint.active)),
                )
        except sqlite3.IntegrityError as exc:
            raise StoreConflict(f"urlId {endpoint.url_id} is taken") from exc
        finally:
            self._forget()

    def get(self, endpoint_id: str) -> WebRequestEndpoint | None:
        return self._one("SELECT * FROM web_requests WHERE id = ?", endpoint_id)

    def by_url_id(self, url_id: str) -> WebRequestEndpoint | None:
        return self._by_url_id.get(
            url_id, lambda key: self._one("SELECT * FROM web_requests WHERE url_id = ?", key)
        )

    def _forget(self) -> None:
        self._db.generation.advance()

    def delete(self, endpoint_id: str) -> bool:
        try:
            with self._db.transaction() as conn:
                cursor = conn.execute("DELETE FROM web_requests WHERE id = ?", (endpoint_id,))
        finally:
            self._forget()
        return cursor.rowcount > 0

    def all(self) -> list[WebRequestEndpoint]:
        rows = self._db.connection().execute("SELECT * FROM web_requests ORDER BY id").fetchall()
        return [_endpoint(row) for row in rows]

    def _one(self, sql: str, key: str) -> WebRequestEndpoint | None:
        row = self._db.connection().execute(sql, (key,)).fetchone()
        return None if row is None else _endpoint(row)


def _endpoint(row: sqlite3.Row) -> WebRequestEndpoint:
    return WebRequestEndpoint(
        id=row["id"],
        url_id=row["url_id"],
        scenario_id=row["scenario_id"],
        active=bool(row["active"]),
    )
