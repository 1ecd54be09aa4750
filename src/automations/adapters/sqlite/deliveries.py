"""DeliveryStore on SQLite: `deliveries`, one row per remembered messenger update.

Expired rows are taken over by the next delivery of their key and otherwise left: a bot's
updates are a few per second at most, and the rows are small.
"""

from __future__ import annotations

from datetime import datetime

from automations.adapters.sqlite.db import Database
from automations.model.base import utc_iso


class SqliteDeliveryStore:
    """Delivered updates in `deliveries`, times as the product's UTC text."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def first_seen(self, key: str, at: datetime, expires_at: datetime) -> datetime:
        seen = utc_iso(at)
        with self._db.transaction() as conn:
            # New, or remembered past its expiry: this delivery is the first (from now on).
            taken = conn.execute(
                "INSERT INTO deliveries (key, first_seen, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET"
                " first_seen = excluded.first_seen, expires_at = excluded.expires_at"
                " WHERE deliveries.expires_at <= excluded.first_seen"
                " RETURNING first_seen",
                (key, seen, utc_iso(expires_at)),
            ).fetchone()
            if taken is not None:
                return at
            row = conn.execute("SELECT first_seen FROM deliveries WHERE key = ?", (key,)).fetchone()
        return _parsed(row["first_seen"])


def _parsed(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
