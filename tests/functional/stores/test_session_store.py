"""The SessionStore and SignInThrottle contracts, on SQLite and on DynamoDB (moto)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.sessions import SqliteSignInThrottle
from automations.model.session import new_session, session_id
from automations.ports import SessionStore, SignInThrottle

T = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
DAY = 24 * 3600.0
WINDOW = 900.0
NOW = T.timestamp()


def test_a_session_reads_back_by_the_hash_of_its_token(session_store: SessionStore) -> None:
    session, token = new_session("7", T, DAY)
    session_store.create(session)
    assert session.id == session_id(token) and session.id != token
    assert session_store.get(session_id(token)) == session
    assert session_store.get(token) is None  # the token itself names nothing
    assert session_store.get(session_id("another")) is None


def test_the_store_never_holds_the_token(
    session_store: SessionStore, stored_text: Callable[[], str]
) -> None:
    session, token = new_session("7", T, DAY)
    session_store.create(session)
    text = stored_text()
    assert token not in text and session.id in text


def test_an_expired_session_is_returned_for_the_caller_to_judge(
    session_store: SessionStore,
) -> None:
    session, token = new_session("7", T, DAY)
    session_store.create(session)
    found = session_store.get(session_id(token))
    assert found is not None
    assert found.alive(T + timedelta(seconds=DAY - 1))
    assert not found.alive(T + timedelta(seconds=DAY))


def test_delete_ends_one_session(session_store: SessionStore) -> None:
    first, first_token = new_session("7", T, DAY)
    second, second_token = new_session("7", T, DAY)
    session_store.create(first)
    session_store.create(second)
    assert session_store.delete(first.id) is True
    assert session_store.delete(first.id) is False
    assert session_store.get(session_id(first_token)) is None
    assert session_store.get(session_id(second_token)) == second


def test_delete_user_ends_every_session_of_that_user_only(session_store: SessionStore) -> None:
    mine = [new_session("7", T + timedelta(minutes=n), DAY)[0] for n in range(30)]
    theirs = new_session("8", T, DAY)[0]
    for session in [*mine, theirs]:
        session_store.create(session)
    assert session_store.delete_user("7") == 30
    assert [session_store.get(s.id) for s in mine] == [None] * 30
    assert session_store.get(theirs.id) == theirs
    assert session_store.delete_user("7") == 0


def test_failures_count_within_a_window(sign_in_throttle: SignInThrottle) -> None:
    throttle = sign_in_throttle
    assert throttle.failures("a@example.com") is None
    counts = [throttle.add_failure("a@example.com", NOW + n, WINDOW).count for n in range(3)]
    assert counts == [1, 2, 3]
    found = throttle.failures("a@example.com")
    assert found is not None and (found.count, found.window_start) == (3, NOW)
    assert throttle.failures("b@example.com") is None


def test_a_failure_after_the_window_starts_a_new_one(sign_in_throttle: SignInThrottle) -> None:
    throttle = sign_in_throttle
    for n in range(5):
        throttle.add_failure("a@example.com", NOW + n, WINDOW)
    fresh = throttle.add_failure("a@example.com", NOW + WINDOW, WINDOW)
    assert (fresh.count, fresh.window_start) == (1, NOW + WINDOW)
    assert throttle.add_failure("a@example.com", NOW + WINDOW + 1, WINDOW).count == 2


def test_clear_forgets_the_failures(sign_in_throttle: SignInThrottle) -> None:
    throttle = sign_in_throttle
    throttle.add_failure("a@example.com", NOW, WINDOW)
    throttle.clear("a@example.com")
    throttle.clear("never@example.com")  # nothing to forget: no error
    assert throttle.failures("a@example.com") is None
    assert throttle.add_failure("a@example.com", NOW + 1, WINDOW).count == 1


@pytest.fixture
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto is not thread-safe (a conditional write's check and write can interleave with
    another thread's), while DynamoDB applies each request atomically: each moto request is
    answered under a lock. The store's own steps of two threads still interleave freely."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    answer = BotocoreStubber.__call__

    def serialized(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return answer(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", serialized)


def _race(counters: list[SignInThrottle], now: float, each: int) -> None:
    """Every counter adds `each` failures at once, from its own thread."""
    start = threading.Barrier(len(counters))
    errors: list[BaseException] = []

    def count(throttle: SignInThrottle) -> None:
        try:
            start.wait()
            for _ in range(each):
                throttle.add_failure("a@example.com", now, WINDOW)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=count, args=(c,)) for c in counters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.usefixtures("atomic_requests")
def test_two_counters_at_once_lose_no_failure(sign_in_throttle: SignInThrottle) -> None:
    throttle = sign_in_throttle
    _race([throttle, throttle], NOW, 25)
    found = throttle.failures("a@example.com")
    assert found is not None and (found.count, found.window_start) == (50, NOW)


@pytest.mark.usefixtures("atomic_requests")
def test_two_counters_starting_a_new_window_at_once_start_one(
    sign_in_throttle: SignInThrottle,
) -> None:
    throttle = sign_in_throttle
    for _ in range(5):
        throttle.add_failure("a@example.com", NOW, WINDOW)
    _race([throttle, throttle], NOW + WINDOW, 10)
    found = throttle.failures("a@example.com")
    assert found is not None and (found.count, found.window_start) == (20, NOW + WINDOW)


def test_two_server_processes_on_one_database_count_together(tmp_path: Path) -> None:
    # Two Database objects on one file behave as two server processes do (own connections,
    # own file lock).
    opened = [Database(tmp_path / "shared.db") for _ in range(2)]
    make: Callable[[Database], SignInThrottle] = SqliteSignInThrottle
    try:
        _race([make(db) for db in opened], NOW, 25)
        found = make(opened[0]).failures("a@example.com")
        assert found is not None and found.count == 50
    finally:
        for db in opened:
            db.close()
