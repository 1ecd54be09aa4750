from __future__ import annotations

import pytest

from automations.adapters.local.db import Database
from automations.adapters.local.users import SqliteApiKeyStore, SqliteUserStore
from automations.asl.clock import VirtualClock
from automations.ports import StoreConflict


def test_authenticate_by_login_any_case_and_password(db: Database, clock: VirtualClock) -> None:
    users = SqliteUserStore(db, clock)
    created = users.create("Admin@Example.ru", "s3cret", name="Admin")
    assert users.authenticate("admin@example.ru", "s3cret") == created
    assert users.authenticate("admin@example.ru", "wrong") is None
    assert users.authenticate("nobody", "s3cret") is None


def test_password_is_not_stored_in_clear(db: Database, clock: VirtualClock) -> None:
    SqliteUserStore(db, clock).create("a", "s3cret")
    stored = db.connection().execute("SELECT password_hash FROM users").fetchone()[0]
    assert "s3cret" not in stored and stored.startswith("scrypt$")


def test_logins_are_unique(db: Database, clock: VirtualClock) -> None:
    users = SqliteUserStore(db, clock)
    users.create("a@x.ru", "1")
    with pytest.raises(StoreConflict):
        users.create("A@X.RU", "2")


def test_set_password(db: Database, clock: VirtualClock) -> None:
    users = SqliteUserStore(db, clock)
    user = users.create("a", "old")
    assert users.set_password(user.id, "new")
    assert (users.authenticate("a", "old"), users.authenticate("a", "new")) == (None, user)


def test_api_keys_authenticate_until_revoked(db: Database, clock: VirtualClock) -> None:
    user = SqliteUserStore(db, clock).create("a", "pw")
    keys = SqliteApiKeyStore(db, clock)
    key, text = keys.create(user.id, "ci")
    assert keys.authenticate(text) == user
    assert keys.authenticate(text + "x") is None
    assert keys.authenticate(key.id) is None
    assert keys.revoke(key.id)
    assert keys.authenticate(text) is None
    listed = keys.of_user(user.id)
    assert [k.id for k in listed] == [key.id] and listed[0].revoked_at is not None


def test_api_key_secret_is_stored_hashed(db: Database, clock: VirtualClock) -> None:
    user = SqliteUserStore(db, clock).create("a", "pw")
    _, text = SqliteApiKeyStore(db, clock).create(user.id)
    stored = db.connection().execute("SELECT secret_hash FROM api_keys").fetchone()[0]
    assert text.split(".", 1)[1] not in stored


def test_api_key_for_missing_user_is_a_conflict(db: Database, clock: VirtualClock) -> None:
    with pytest.raises(StoreConflict):
        SqliteApiKeyStore(db, clock).create("999")
