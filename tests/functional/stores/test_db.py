from __future__ import annotations

import threading
from pathlib import Path

import pytest

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.schema import MIGRATIONS


def test_pragmas_wal_foreign_keys_and_busy_timeout(db: Database) -> None:
    conn = db.connection()
    settings = [
        conn.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "foreign_keys", "busy_timeout")
    ]
    assert settings == ["wal", 1, 10000]


def test_schema_is_created_once_and_reopening_keeps_data(tmp_path: Path) -> None:
    first = Database(tmp_path / "a.db")
    with first.transaction() as conn:
        conn.execute("INSERT INTO catalogs (name, fields) VALUES ('x', '[]')")
    first.close()
    second = Database(tmp_path / "a.db")
    rows = second.connection().execute("SELECT version FROM schema_version").fetchall()
    names = second.connection().execute("SELECT name FROM catalogs").fetchall()
    second.close()
    applied = list(range(1, len(MIGRATIONS) + 1))  # one row per migration, each applied once
    assert ([r[0] for r in rows], [n[0] for n in names]) == (applied, ["x"])


def test_each_thread_gets_its_own_connection(db: Database) -> None:
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(db.connection()))
    thread.start()
    thread.join()
    assert seen[0] is not db.connection()


def test_a_transaction_that_raises_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute("INSERT INTO catalogs (name, fields) VALUES ('x', '[]')")
        raise RuntimeError("boom")
    count = db.connection().execute("SELECT COUNT(*) FROM catalogs").fetchone()[0]
    assert count == 0


def test_nested_transactions_join_the_outer_one(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as outer:
        outer.execute("INSERT INTO catalogs (name, fields) VALUES ('a', '[]')")
        with db.transaction() as inner:
            inner.execute("INSERT INTO catalogs (name, fields) VALUES ('b', '[]')")
        raise RuntimeError("boom")
    count = db.connection().execute("SELECT COUNT(*) FROM catalogs").fetchone()[0]
    assert count == 0


def test_foreign_keys_are_enforced(db: Database) -> None:
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:
        conn.execute(
            "INSERT INTO records (id, catalog_id, field_values, revision, created_at, updated_at)"
            " VALUES (1, 999, '{}', 1, 'x', 'x')"
        )
