"""Group commit for coroutines: the writes that one turn of an event loop makes go into one
SQLite transaction.

A commit costs far more than the rows in it (in WAL mode each commit appends every page it
touched: a process row touches its table and three index pages). A coroutine that writes here
queues its statement and waits; the first write of a turn schedules one flush behind the
callbacks already ready, so every request that reaches its write in the same turn of the loop
joins the same transaction. A busy server pays one commit per turn instead of one per row, a
quiet one commits each write at once, and nothing crosses threads: the flush runs on the loop
(it blocks it for the commit, well under a millisecond).

A write is one SQL statement: SQLite undoes a statement that fails and keeps the transaction,
so a failing write is reported to its caller alone. A caller resumes only after the commit (its
row is durable then).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

from automations.adapters.sqlite.db import Database

logger = logging.getLogger(__name__)

Write = tuple[str, Sequence[Any], "asyncio.Future[int]"]


class GroupCommit:
    """Writes of coroutines over one database, committed per turn of their event loop."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: dict[asyncio.AbstractEventLoop, list[Write]] = {}

    async def execute(self, sql: str, params: Sequence[Any]) -> int:
        """Run one statement in this turn's transaction; its row count once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = []
            loop.call_soon(self._flush, loop)
        pending.append((sql, params, future))
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._pending.pop(loop, [])
        outcomes: list[int | BaseException] = []
        try:
            with self._db.transaction() as conn:
                for sql, params, _ in batch:
                    try:
                        outcomes.append(conn.execute(sql, params).rowcount)
                    except sqlite3.Error as exc:
                        outcomes.append(exc)
        except Exception as exc:  # the commit itself failed: nothing of the batch was stored
            logger.exception("a group commit of %d writes failed", len(batch))
            outcomes = [exc] * len(batch)
        for (_, _, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # its caller went away (a cancelled request)
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
