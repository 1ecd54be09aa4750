"""Users, roles and API keys, on every adapter (and a SQLite file older than roles)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.schema import MIGRATIONS
from automations.adapters.sqlite.users import SqliteApiKeyStore, SqliteUserStore
from automations.asl.clock import VirtualClock
from automations.errors import LastAdmin, StoreConflict
from automations.model.errors import RoleTooHigh
from automations.model.user import Role, hash_api_secret, hash_password
from automations.ports import ApiKeyStore, UserStore
from automations.service.users import ensure_admin


def test_authenticate_by_login_any_case_and_password(user_store: UserStore) -> None:
    created = user_store.create("Admin@Example.ru", "s3cret", name="Admin")
    assert user_store.authenticate("admin@example.ru", "s3cret") == created
    assert user_store.authenticate("admin@example.ru", "wrong") is None
    assert user_store.authenticate("nobody", "s3cret") is None


def test_password_is_not_stored_in_clear(
    user_store: UserStore, stored_text: Callable[[], str]
) -> None:
    user_store.create("a", "s3cret")
    stored = stored_text()
    assert "s3cret" not in stored and "scrypt$" in stored


def test_logins_are_unique(user_store: UserStore) -> None:
    user_store.create("a@x.ru", "1")
    with pytest.raises(StoreConflict):
        user_store.create("A@X.RU", "2")


def test_logins_fold_ascii_letters_only(user_store: UserStore) -> None:
    # SQLite's NOCASE folds ASCII only; every adapter accepts and refuses the same logins.
    user_store.create("иван", "1")
    other = user_store.create("ИВАН", "2")
    assert user_store.authenticate("ИВАН", "2") == other


def test_set_password(user_store: UserStore) -> None:
    user = user_store.create("a", "old")
    assert user_store.set_password(user.id, "new")
    assert (user_store.authenticate("a", "old"), user_store.authenticate("a", "new")) == (
        None,
        user,
    )
    assert (user_store.set_password("999", "x"), user_store.get("999")) == (False, None)


def test_api_keys_authenticate_until_revoked(
    user_store: UserStore, api_key_store: ApiKeyStore
) -> None:
    user = user_store.create("a", "pw")
    keys = api_key_store
    key, text = keys.create(user.id, "ci")
    assert keys.authenticate(text) == user
    assert keys.authenticate(text + "x") is None
    assert keys.authenticate(key.id) is None
    assert keys.revoke(key.id)
    assert not keys.revoke(key.id)
    assert keys.authenticate(text) is None
    listed = keys.of_user(user.id)
    assert [k.id for k in listed] == [key.id] and listed[0].revoked_at is not None


def test_api_keys_of_a_user_in_creation_order(
    user_store: UserStore, api_key_store: ApiKeyStore, clock: VirtualClock
) -> None:
    first, second = user_store.create("a", "pw"), user_store.create("b", "pw")
    for name in ("one", "two", "three"):
        api_key_store.create(first.id, name)
        clock.advance_to(clock.now() + 1)
    api_key_store.create(second.id, "theirs")
    assert [k.name for k in api_key_store.of_user(first.id)] == ["one", "two", "three"]


def test_api_key_secret_is_stored_hashed(
    user_store: UserStore, api_key_store: ApiKeyStore, stored_text: Callable[[], str]
) -> None:
    user = user_store.create("a", "pw")
    _, text = api_key_store.create(user.id)
    assert text.split(".", 1)[1] not in stored_text()


def test_api_key_for_missing_user_is_a_conflict(api_key_store: ApiKeyStore) -> None:
    with pytest.raises(StoreConflict):
        api_key_store.create("999")
    with pytest.raises(StoreConflict):
        api_key_store.create("x")


@pytest.mark.parametrize("user_id", ["³", "١", "", "1.0"])
def test_an_id_of_no_digits_names_no_user(
    user_store: UserStore, api_key_store: ApiKeyStore, user_id: str
) -> None:
    user_store.create("a", "pw", role=Role.ADMIN)
    assert (user_store.get(user_id), user_store.change(user_id, name="x")) == (None, None)
    assert not user_store.delete(user_id) and not user_store.set_password(user_id, "x")
    assert api_key_store.of_user(user_id) == []
    with pytest.raises(StoreConflict):
        api_key_store.create(user_id)


def test_a_user_is_a_member_unless_created_an_admin(user_store: UserStore) -> None:
    member = user_store.create("m@x.ru", "pw")
    admin = user_store.create("a@x.ru", "pw", name="Ann", role=Role.ADMIN)
    assert (member.role, admin.role) == (Role.MEMBER, Role.ADMIN)
    assert user_store.get(admin.id) == admin
    assert user_store.by_login("A@X.RU") == admin
    assert user_store.authenticate("a@x.ru", "pw") == admin
    assert user_store.by_login("nobody") is None


def test_all_users_in_creation_order(user_store: UserStore) -> None:
    created = [user_store.create(login, "pw") for login in ("c", "a", "b")]
    assert user_store.all() == created


def test_change_sets_only_what_is_given(user_store: UserStore) -> None:
    user = user_store.create("a", "pw", name="Old")
    promoted = user_store.change(user.id, role=Role.ADMIN)
    renamed = user_store.change(user.id, name="New")
    assert (promoted and promoted.role, promoted and promoted.name) == (Role.ADMIN, "Old")
    assert renamed == user.model_copy(update={"name": "New", "role": Role.ADMIN})
    assert user_store.get(user.id) == renamed
    assert user_store.change("999", name="x") is None
    assert user_store.change("x", role=Role.ADMIN) is None


def test_the_last_admin_can_be_neither_demoted_nor_deleted(user_store: UserStore) -> None:
    first = user_store.create("first", "pw", role=Role.ADMIN)
    with pytest.raises(LastAdmin):
        user_store.change(first.id, role=Role.MEMBER)
    with pytest.raises(LastAdmin):
        user_store.delete(first.id)
    second = user_store.create("second", "pw")
    user_store.change(second.id, role=Role.ADMIN)
    demoted = user_store.change(first.id, role=Role.MEMBER)
    assert demoted is not None and demoted.role is Role.MEMBER
    with pytest.raises(LastAdmin):
        user_store.delete(second.id)
    assert [(u.login, u.role) for u in user_store.all()] == [
        ("first", Role.MEMBER),
        ("second", Role.ADMIN),
    ]
    assert user_store.delete(first.id)  # a member goes whatever the admins


def test_delete_removes_the_user_their_login_and_their_keys(
    user_store: UserStore, api_key_store: ApiKeyStore
) -> None:
    user = user_store.create("gone@x.ru", "pw")
    _, text = api_key_store.create(user.id, "ci")
    assert user_store.delete(user.id)
    assert not user_store.delete(user.id)
    assert (user_store.get(user.id), user_store.authenticate("gone@x.ru", "pw")) == (None, None)
    assert (api_key_store.authenticate(text), api_key_store.of_user(user.id)) == (None, [])
    again = user_store.create("gone@x.ru", "pw2")  # the login is free again
    assert again.id != user.id and api_key_store.authenticate(text) is None


def test_a_key_has_its_users_role_unless_a_lower_one_is_asked(
    user_store: UserStore, api_key_store: ApiKeyStore
) -> None:
    admin = user_store.create("a", "pw", role=Role.ADMIN)
    full, full_text = api_key_store.create(admin.id, "full")
    scoped, scoped_text = api_key_store.create(admin.id, "scoped", role=Role.MEMBER)
    assert (full.role, scoped.role) == (Role.ADMIN, Role.MEMBER)
    listed = {k.name: k.role for k in api_key_store.of_user(admin.id)}
    assert listed == {"full": Role.ADMIN, "scoped": Role.MEMBER}
    acting = (api_key_store.authenticate(full_text), api_key_store.authenticate(scoped_text))
    assert acting == (admin, admin.model_copy(update={"role": Role.MEMBER}))


def test_a_member_cannot_have_an_admin_key(
    user_store: UserStore, api_key_store: ApiKeyStore
) -> None:
    member = user_store.create("m", "pw")
    with pytest.raises(RoleTooHigh):
        api_key_store.create(member.id, "wants more", role=Role.ADMIN)
    assert api_key_store.of_user(member.id) == []
    key, _ = api_key_store.create(member.id, "default")
    assert key.role is Role.MEMBER


def test_a_key_acts_with_at_most_its_users_current_role(
    user_store: UserStore, api_key_store: ApiKeyStore
) -> None:
    user_store.create("keeper", "pw", role=Role.ADMIN)
    admin = user_store.create("a", "pw", role=Role.ADMIN)
    _, text = api_key_store.create(admin.id, "ci")
    user_store.change(admin.id, role=Role.MEMBER)
    demoted = api_key_store.authenticate(text)
    user_store.change(admin.id, role=Role.ADMIN)
    promoted = api_key_store.authenticate(text)
    assert (demoted and demoted.role, promoted and promoted.role) == (Role.MEMBER, Role.ADMIN)


def test_ensure_admin_creates_the_admin_or_makes_the_login_one(user_store: UserStore) -> None:
    assert ensure_admin(user_store, "boss@x.ru", "pw")
    boss = user_store.by_login("boss@x.ru")
    assert boss is not None and boss.role is Role.ADMIN
    member = user_store.create("old@x.ru", "kept")
    assert not ensure_admin(user_store, "OLD@x.ru", "ignored")
    assert user_store.authenticate("old@x.ru", "kept") == member.model_copy(
        update={"role": Role.ADMIN}
    )
    assert not ensure_admin(user_store, "boss@x.ru", "pw")  # already one: nothing changes
    assert [u.role for u in user_store.all()] == [Role.ADMIN, Role.ADMIN]


def test_a_database_older_than_roles_reads_its_users_and_keys_as_members(
    tmp_path: Path, clock: VirtualClock
) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for version, script in enumerate(MIGRATIONS[:2], start=1):
        old.executescript(script)
        old.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
    old.execute(
        "INSERT INTO users (login, name, password_hash, active, created_at)"
        " VALUES ('a@x.ru', 'A', ?, 1, '2026-01-02T03:04:05.000Z')",
        (hash_password("pw"),),
    )
    old.execute(
        "INSERT INTO api_keys (id, user_id, name, secret_hash, created_at)"
        " VALUES ('k1', 1, 'ci', ?, '2026-01-02T03:04:05.000Z')",
        (hash_api_secret("secret"),),
    )
    old.commit()
    old.close()
    db = Database(path)
    try:
        users, keys = SqliteUserStore(db, clock), SqliteApiKeyStore(db, clock)
        user = users.authenticate("a@x.ru", "pw")
        assert user is not None and user.role is Role.MEMBER
        assert [k.role for k in keys.of_user(user.id)] == [Role.MEMBER]
        assert keys.authenticate("k1.secret") == user
        assert ensure_admin(users, "a@x.ru", "whatever") is False
        promoted = keys.authenticate("k1.secret")
        assert (users.get(user.id) or user).role is Role.ADMIN
        assert promoted is not None and promoted.role is Role.MEMBER  # the old key stays one
    finally:
        db.close()


@pytest.mark.parametrize("key_id", ["", "x" * 2000, "ключ", "a b"])
def test_a_key_id_that_cannot_exist_is_no_key(api_key_store: ApiKeyStore, key_id: str) -> None:
    assert api_key_store.authenticate(f"{key_id}.secret") is None
    assert not api_key_store.revoke(key_id)
