"""SubscriptionStore on SQLite."""

from __future__ import annotations

import sqlite3

from automations.adapters.sqlite.db import Database, dumps, loads
from automations.model.event import EventType
from automations.model.subscription import Subscription


class SqliteSubscriptionStore:
    """Subscriptions in `subscriptions`; event types and watched fields as JSON arrays."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def put(self, subscription: Subscription) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO subscriptions"
                " (id, catalog_id, connection, events, fields, scenario_id, active)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " catalog_id = excluded.catalog_id, connection = excluded.connection,"
                " events = excluded.events, fields = excluded.fields,"
                " scenario_id = excluded.scenario_id, active = excluded.active",
                (
                    subscription.id,
                    subscription.catalog_id,
                    subscription.connection,
                    dumps([str(e) for e in subscription.events]),
                    dumps(subscription.fields),
                    subscription.scenario_id,
                    int(subscription.active),
                ),
            )

    def get(self, subscription_id: str) -> Subscription | None:
        row = (
            self._db.connection()
            .execute("SELECT * FROM subscriptions WHERE id = ?", (subscription_id,))
            .fetchone()
        )
        return None if row is None else _subscription(row)

    def delete(self, subscription_id: str) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))
        return cursor.rowcount > 0

    def all(self, catalog_id: str | None = None) -> list[Subscription]:
        sql, params = "SELECT * FROM subscriptions", tuple[str, ...]()
        if catalog_id is not None:
            sql, params = sql + " WHERE catalog_id = ?", (catalog_id,)
        rows = self._db.connection().execute(sql + " ORDER BY id", params).fetchall()
        return [_subscription(row) for row in rows]

    def matching(self, catalog_id: str, event_type: EventType) -> list[Subscription]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT * FROM subscriptions WHERE catalog_id = ? AND active = 1"
                " AND EXISTS (SELECT 1 FROM json_each(events) WHERE value = ?) ORDER BY id",
                (catalog_id, str(event_type)),
            )
            .fetchall()
        )
        return [_subscription(row) for row in rows]

    def for_connection(self, connection: str, event_type: EventType) -> list[Subscription]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT * FROM subscriptions WHERE connection = ? AND active = 1"
                " AND EXISTS (SELECT 1 FROM json_each(events) WHERE value = ?) ORDER BY id",
                (connection, str(event_type)),
            )
            .fetchall()
        )
        return [_subscription(row) for row in rows]


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(
        id=row["id"],
        catalog_id=row["catalog_id"],
        connection=row["connection"],
        events=[EventType(e) for e in loads(row["events"])],
        fields=loads(row["fields"]),
        scenario_id=row["scenario_id"],
        active=bool(row["active"]),
    )
