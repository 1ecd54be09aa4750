"""The engine's CheckpointStore on SQLite: the latest checkpoint of each running execution.

The engine saves after every transition, so a restarted server resumes each running process
where it was (a task in flight runs again). A finished process's checkpoint is discarded once
its outcome is stored; until then it still answers a resume with the saved result.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from automations.adapters.sqlite.db import Database, dumps

logger = logging.getLogger(__name__)


class SqliteCheckpointStore:
    """Checkpoints in `checkpoints`, one row per execution, replaced on each save."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def save(
        self,
        execution_id: str,
        checkpoint: dict[str, Any],
        alongside: Callable[[], object] | None = None,
    ) -> None:
        """Replace the execution's checkpoint; `alongside` (a write to the same database, the
        process's live trace) joins the same transaction, one commit for both. Its failure is
        logged, never the run's: the checkpoint is what a restart needs."""
        text = dumps(checkpoint)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO checkpoints (execution_id, body) VALUES (?, ?)"
                " ON CONFLICT (execution_id) DO UPDATE SET body = excluded.body",
                (execution_id, text),
            )
            if alongside is not None:
                try:
                    alongside()
                except Exception:
                    logger.exception("storing the path of %s failed", execution_id)

    def load(self, execution_id: str) -> dict[str, Any] | None:
        row = (
            self._db.connection()
            .execute("SELECT body FROM checkpoints WHERE execution_id = ?", (execution_id,))
            .fetchone()
        )
        return None if row is None else dict(json.loads(row[0]))

    def discard(self, execution_id: str) -> None:
        """Forget an execution's checkpoint (its process has its outcome stored)."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM checkpoints WHERE execution_id = ?", (execution_id,))
