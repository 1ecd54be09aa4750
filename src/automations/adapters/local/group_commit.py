"""Group commit: writes from many callers go into one SQLite transaction.

A commit costs far more than the rows in it (in WAL mode each commit appends every page it
touched: a process row touches its table and three index pages). Under load, callers queue their
writes here and one thread commits whatever has queued meanwhile, so a busy server pays one
commit per batch instead of one per row, and a quiet one commits each write at once.

A write is one SQL statement with its parameters, built by the caller: the writer thread only
executes (SQLite lets go of the GIL meanwhile), so it hardly competes with the threads serving
requests. SQLite undoes a statement that fails and keeps the transaction: a failing write is
reported to its caller alone. A caller learns its row count only after the commit (its row is
durable then), from a `concurrent.futures.Future` that threads wait on and event loops await
(`asyncio.wrap_future`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from automations.adapters.local.db import Database

logger = logging.getLogger(__name__)

Write = tuple[str, Sequence[Any], "Future[int]"]
MAX_BATCH = 500


class GroupCommit:
    """A writer thread over one database; `submit(write)` queues a write, `close()` stops."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: list[Write] = []
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    def submit(self, sql: str, params: Sequence[Any]) -> Future[int]:
        """Queue one statement; the future gives its row count once it is committed."""
        future: Future[int] = Future()
        with self._ready:
            if self._closed:
                raise RuntimeError("the database writer is closed")
            self._queue.append((sql, params, future))
            self._ready.notify()
        return future

    def close(self, timeout: float = 5.0) -> None:
        """Commit what is queued, then stop the thread."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if not self._queue:
                    return  # closed, and nothing left to write
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
            self._commit(batch)

    def _commit(self, batch: list[Write]) -> None:
        outcomes: list[tuple[Future[int], int | sqlite3.Error]] = []
        try:
            with self._db.transaction() as conn:
                for sql, params, future in batch:
                    try:
                        outcomes.append((future, conn.execute(sql, params).rowcount))
                    except sqlite3.Error as exc:
                        outcomes.append((future, exc))
        except Exception as exc:  # the commit itself failed: nothing of the batch was stored
            logger.exception("a group commit of %d writes failed", len(batch))
            for _, _, future in batch:
                future.set_exception(exc)
            return
        for future, outcome in outcomes:
            if isinstance(outcome, int):
                future.set_result(outcome)
            else:
                future.set_exception(outcome)
