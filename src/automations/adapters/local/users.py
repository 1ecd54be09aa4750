"""UserStore and ApiKeyStore on SQLite: salted scrypt passwords, hashed API key secrets."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from automations.adapters.local.db import Database
from automations.asl.ports import Clock
from automations.model.base import from_epoch, utc_iso
from automations.model.user import (
    KEY_SEPARATOR,
    ApiKey,
    User,
    api_key_text,
    hash_api_secret,
    hash_password,
    new_api_key,
    same_secret_hash,
    verify_password,
)
from automations.ports import StoreConflict

# Checked against when the login is unknown, so that the answer takes as long either way.
_DUMMY_HASH = hash_password("not a password of anyone")


class SqliteUserStore:
    """Users in `users`; logins are unique regardless of case."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create(self, login: str, password: str, name: str = "") -> User:
        created = from_epoch(self._clock.now())
        try:
            with self._db.transaction() as conn:
                cursor = conn.execute(
                    "INSERT INTO users (login, name, password_hash, active, created_at)"
                    " VALUES (?, ?, ?, 1, ?)",
                    (login, name, hash_password(password), utc_iso(created)),
                )
        except sqlite3.IntegrityError as exc:
            raise StoreConflict(f"login {login!r} is taken") from exc
        return User(id=str(cursor.lastrowid), login=login, name=name, created_at=created)

    def get(self, user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        row = (
            self._db.connection()
            .execute("SELECT * FROM users WHERE id = ?", (int(user_id),))
            .fetchone()
        )
        return None if row is None else _user(row)

    def authenticate(self, login: str, password: str) -> User | None:
        row = (
            self._db.connection()
            .execute("SELECT * FROM users WHERE login = ?", (login,))
            .fetchone()
        )
        stored = _DUMMY_HASH if row is None else row["password_hash"]
        if not verify_password(password, stored) or row is None or not row["active"]:
            return None
        return _user(row)

    def set_password(self, user_id: str, password: str) -> bool:
        if not user_id.isdigit():
            return False
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                (hash_password(password), int(user_id)),
            )
        return cursor.rowcount > 0


class SqliteApiKeyStore:
    """API keys in `api_keys`: the key text is `<id>.<secret>`; the secret is kept hashed."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create(self, user_id: str, name: str = "") -> tuple[ApiKey, str]:
        key, secret = new_api_key(user_id, name, from_epoch(self._clock.now()))
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    "INSERT INTO api_keys (id, user_id, name, secret_hash, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (key.id, int(user_id), name, hash_api_secret(secret), utc_iso(key.created_at)),
                )
        except (sqlite3.IntegrityError, ValueError) as exc:
            raise StoreConflict(f"no user {user_id} to own the key") from exc
        return key, api_key_text(key, secret)

    def authenticate(self, key: str) -> User | None:
        key_id, _, secret = key.partition(KEY_SEPARATOR)
        row = (
            self._db.connection()
            .execute(
                "SELECT k.secret_hash, u.* FROM api_keys k JOIN users u ON u.id = k.user_id"
                " WHERE k.id = ? AND k.revoked_at IS NULL",
                (key_id,),
            )
            .fetchone()
        )
        if row is None or not secret:
            return None
        if not same_secret_hash(hash_api_secret(secret), row["secret_hash"]) or not row["active"]:
            return None
        return _user(row)

    def revoke(self, key_id: str) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (utc_iso(from_epoch(self._clock.now())), key_id),
            )
        return cursor.rowcount > 0

    def of_user(self, user_id: str) -> list[ApiKey]:
        if not user_id.isdigit():
            return []
        rows = (
            self._db.connection()
            .execute(
                "SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at, id", (int(user_id),)
            )
            .fetchall()
        )
        return [
            ApiKey(
                id=row["id"],
                user_id=str(row["user_id"]),
                name=row["name"],
                created_at=datetime.fromisoformat(row["created_at"]),
                revoked_at=None
                if row["revoked_at"] is None
                else datetime.fromisoformat(row["revoked_at"]),
            )
            for row in rows
        ]


def _user(row: sqlite3.Row) -> User:
    return User(
        id=str(row["id"]),
        login=row["login"],
        name=row["name"],
        active=bool(row["active"]),
        created_at=datetime.fromisoformat(row["created_at"]),
    )
