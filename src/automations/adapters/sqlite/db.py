"""The SQLite database of the embedded server: one file, WAL, a connection per thread.

Every store shares one `Database`. Reads use the calling thread's connection directly; writes go
through `transaction()`, which takes the write lock at BEGIN (IMMEDIATE) so that a
read-then-write inside it cannot be overtaken by another writer. The threads of this process
queue for writing on a Python lock first: SQLite's own busy handler waits by sleeping in growing
steps (up to 100 ms each), which under many writing threads made some requests wait seconds.
Server processes sharing the file queue the same way on a lock file beside it (`flock`, which
wakes the next waiter at once), so they never meet SQLite's busy handler either.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from automations.adapters.sqlite.generation import Generation
from automations.adapters.sqlite.schema import apply_schema
from automations.model.filters import fold, strip_phone

BUSY_TIMEOUT_MS = 10_000


def dumps(value: Any) -> str:
    """JSON text as stored: compact, UTF-8 kept, NaN refused (it is not JSON)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads(text: str | None) -> Any:
    """The stored JSON text back as Python (None stays None)."""
    return None if text is None else json.loads(text)


def _contains_folded(haystack: object, needle: object) -> int:
    # SQLite's lower() folds ASCII only; "contains" filters must match Cyrillic text as well.
    if not isinstance(haystack, str) or not isinstance(needle, str):
        return 0
    return int(fold(needle) in fold(haystack))


def _strip_phone(text: str | float | None) -> str | float | None:
    return strip_phone(text) if isinstance(text, str) else text


class Database:
    """Connections to one SQLite file; the schema is created (or upgraded) when it is opened."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._writer = threading.Lock()
        self._closed = False
        in_memory = self.path == ":memory:" or self.path.startswith("file:")
        self._writers_file = (
            -1 if in_memory else os.open(f"{self.path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
        )
        self.generation = Generation(self.path)
        with self.transaction() as conn:
            apply_schema(conn)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("the database is closed")
        # isolation_level=None: no implicit transactions; `transaction()` says BEGIN itself.
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.create_function("contains_folded", 2, _contains_folded, deterministic=True)
        conn.create_function("strip_phone", 1, _strip_phone, deterministic=True)
        with self._lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        conn = self.connection()
        if conn.in_transaction:  # nested use joins the outer transaction
            yield conn
            return
        if not self._writer.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise sqlite3.OperationalError("database is locked")
        try:
            if self._writers_file >= 0:
                fcntl.flock(self._writers_file, fcntl.LOCK_EX)
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                if self._writers_file >= 0:
                    fcntl.flock(self._writers_file, fcntl.LOCK_UN)
        finally:
            self._writer.release()

    def close(self) -> None:
        """Close every connection this database opened (from any thread)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            connections, self._all = self._all, []
        for conn in connections:
            conn.close()
        self.generation.close()
        if self._writers_file >= 0:
            os.close(self._writers_file)
