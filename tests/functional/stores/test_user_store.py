"""Users and API keys, on every adapter."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from automations.asl.clock import VirtualClock
from automations.ports import ApiKeyStore, StoreConflict, UserStore


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
