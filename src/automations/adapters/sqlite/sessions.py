"""SessionStore and SignInThrottle on SQLite: `sessions` (by the token's hash) and
`sign_in_failures` (one row per login with failures in its current window).

Expired sessions are deleted when a new one is stored, so the table holds about as many rows
as there are live sessions; a failure row is replaced when its window has passed.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from automations.adapters.sqlite.db import Database
from automations.model.base import utc_iso
from automations.model.session import Session, SignInFailures


class SqliteSessionStore:
    """Browser sessions in `sessions`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, session: Session) -> None:
        with self._db.transaction() as conn:
            # The product's time text sorts as time does: one comparison finds the dead ones.
            conn.execute(
                "DELETE FROM sessions WHERE expires_at <= ?", (utc_iso(session.created_at),)
            )
            conn.execute(
                "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    session.id,
                    session.user_id,
                    session.csrf_token,
                    utc_iso(session.created_at),
                    utc_iso(session.expires_at),
                ),
            )

    def get(self, session_id: str) -> Session | None:
        row = (
            self._db.connection()
            .execute("SELECT * FROM sessions WHERE id = ?", (session_id,))
            .fetchone()
        )
        return None if row is None else _session(row)

    def delete(self, session_id: str) -> bool:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0

    def delete_user(self, user_id: str) -> int:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,)).rowcount


class SqliteSignInThrottle:
    """Failed sign-ins in `sign_in_failures`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def failures(self, login: str) -> SignInFailures | None:
        row = (
            self._db.connection()
            .execute("SELECT * FROM sign_in_failures WHERE login = ?", (login,))
            .fetchone()
        )
        return None if row is None else _failures(row)

    def add_failure(self, login: str, now: float, window_seconds: float) -> SignInFailures:
        with self._db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO sign_in_failures (login, failures, window_start) VALUES (?, 1, ?)"
                " ON CONFLICT (login) DO UPDATE SET"
                " failures = CASE WHEN window_start <= ? THEN 1 ELSE failures + 1 END,"
                " window_start = CASE WHEN window_start <= ? THEN ? ELSE window_start END"
                " RETURNING *",
                (login, now, now - window_seconds, now - window_seconds, now),
            ).fetchone()
        return _failures(row)

    def clear(self, login: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM sign_in_failures WHERE login = ?", (login,))


def _session(row: sqlite3.Row) -> Session:
    return Session(
        id=row["id"],
        user_id=row["user_id"],
        csrf_token=row["csrf_token"],
        created_at=datetime.fromisoformat(row["created_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
    )


def _failures(row: sqlite3.Row) -> SignInFailures:
    return SignInFailures(count=int(row["failures"]), window_start=float(row["window_start"]))
