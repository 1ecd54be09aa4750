"""UserStore and ApiKeyStore on SQLite: salted scrypt passwords, hashed API key secrets.

The last-admin rule is checked inside the write transaction that would break it: SQLite has one
writer at a time, so two admins demoting each other at once cannot both succeed.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from automations.adapters.sqlite.db import Database
from automations.asl.ports import Clock
from automations.errors import LastAdmin, StoreConflict
from automations.model.base import from_epoch, utc_iso
from automations.model.user import (
    KEY_SEPARATOR,
    ApiKey,
    Role,
    User,
    api_key_text,
    hash_api_secret,
    hash_password,
    is_user_id,
    key_role,
    lower_role,
    new_api_key,
    same_secret_hash,
    verify_password,
)

# Checked against when the login is unknown, so that the answer takes as long either way.
_DUMMY_HASH = hash_password("not a password of anyone")


class SqliteUserStore:
    """Users in `users`; logins are unique regardless of case."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create(self, login: str, password: str, name: str = "", role: Role = Role.MEMBER) -> User:
        created = from_epoch(self._clock.now())
        try:
            with self._db.transaction() as conn:
                cursor = conn.execute(
                    "INSERT INTO users (login, name, password_hash, role, active, created_at)"
                    " VALUES (?, ?, ?, ?, 1, ?)",
                    (login, name, hash_password(password), str(role), utc_iso(created)),
                )
        except sqlite3.IntegrityError as exc:
            raise StoreConflict(f"login {login!r} is taken") from exc
        return User(id=str(cursor.lastrowid), login=login, name=name, role=role, created_at=created)

    def get(self, user_id: str) -> User | None:
        if not is_user_id(user_id):
            return None
        row = (
            self._db.connection()
            .execute("SELECT * FROM users WHERE id = ?", (int(user_id),))
            .fetchone()
        )
        return None if row is None else _user(row)

    def by_login(self, login: str) -> User | None:
        row = (
            self._db.connection()
            .execute("SELECT * FROM users WHERE login = ?", (login,))
            .fetchone()
        )
        return None if row is None else _user(row)

    def all(self) -> list[User]:
        rows = self._db.connection().execute("SELECT * FROM users ORDER BY id").fetchall()
        return [_user(row) for row in rows]

    def change(
        self, user_id: str, *, name: str | None = None, role: Role | None = None
    ) -> User | None:
        if not is_user_id(user_id):
            return None
        with self._db.transaction() as conn:
            row = conn.execute("SELECT * FROM users WHERE id = ?", (int(user_id),)).fetchone()
            if row is None:
                return None
            if role is not None and role is not Role.ADMIN:
                _keep_an_admin(conn, row)
            conn.execute(
                "UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role) WHERE id = ?",
                (name, None if role is None else str(role), int(user_id)),
            )
            changed = conn.execute("SELECT * FROM users WHERE id = ?", (int(user_id),)).fetchone()
        return _user(changed)

    def delete(self, user_id: str) -> bool:
        if not is_user_id(user_id):
            return False
        with self._db.transaction() as conn:
            row = conn.execute("SELECT * FROM users WHERE id = ?", (int(user_id),)).fetchone()
            if row is None:
                return False
            _keep_an_admin(conn, row)
            # The user's API keys go with it (ON DELETE CASCADE).
            conn.execute("DELETE FROM users WHERE id = ?", (int(user_id),))
        return True

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
        if not is_user_id(user_id):
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

    def create(self, user_id: str, name: str = "", role: Role | None = None) -> tuple[ApiKey, str]:
        if not is_user_id(user_id):
            raise StoreConflict(f"no user {user_id} to own the key")
        with self._db.transaction() as conn:
            owner = conn.execute("SELECT role FROM users WHERE id = ?", (int(user_id),)).fetchone()
            if owner is None:
                raise StoreConflict(f"no user {user_id} to own the key")
            scoped = key_role(Role(owner["role"]), role)
            key, secret = new_api_key(user_id, name, from_epoch(self._clock.now()), scoped)
            conn.execute(
                "INSERT INTO api_keys (id, user_id, name, role, secret_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key.id,
                    int(user_id),
                    name,
                    str(scoped),
                    hash_api_secret(secret),
                    utc_iso(key.created_at),
                ),
            )
        return key, api_key_text(key, secret)

    def authenticate(self, key: str) -> User | None:
        key_id, _, secret = key.partition(KEY_SEPARATOR)
        row = (
            self._db.connection()
            .execute(
                "SELECT k.secret_hash, k.role AS key_role, u.* FROM api_keys k"
                " JOIN users u ON u.id = k.user_id WHERE k.id = ? AND k.revoked_at IS NULL",
                (key_id,),
            )
            .fetchone()
        )
        if row is None or not secret:
            return None
        if not same_secret_hash(hash_api_secret(secret), row["secret_hash"]) or not row["active"]:
            return None
        owner = _user(row)
        return owner.model_copy(update={"role": lower_role(Role(row["key_role"]), owner.role)})

    def revoke(self, key_id: str) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (utc_iso(from_epoch(self._clock.now())), key_id),
            )
        return cursor.rowcount > 0

    def of_user(self, user_id: str) -> list[ApiKey]:
        if not is_user_id(user_id):
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
                role=Role(row["role"]),
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
        role=Role(row["role"]),
        active=bool(row["active"]),
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def _keep_an_admin(conn: sqlite3.Connection, row: sqlite3.Row) -> None:
    """LastAdmin if `row` is the only admin (called before it stops being one)."""
    if row["role"] != Role.ADMIN:
        return
    others = conn.execute(
        "SELECT COUNT(*) FROM users WHERE role = ? AND id != ?", (str(Role.ADMIN), row["id"])
    ).fetchone()[0]
    if not others:
        raise LastAdmin(f"user {row['id']} is the last admin: make another user admin first")
