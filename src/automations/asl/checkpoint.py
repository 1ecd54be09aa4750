"""Checkpoint stores: in memory, one JSON file per execution, and StopAfter for crash tests."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from automations.asl.errors import CheckpointStop
from automations.asl.ports import CheckpointStore


class InMemoryCheckpointStore:
    """Keeps the latest checkpoint per execution as JSON text (so later changes cannot leak in)."""

    def __init__(self) -> None:
        self._saved: dict[str, str] = {}
        self.saves = 0

    def save(self, execution_id: str, checkpoint: dict[str, Any]) -> None:
        self._saved[execution_id] = json.dumps(checkpoint, ensure_ascii=False)
        self.saves += 1

    def load(self, execution_id: str) -> dict[str, Any] | None:
        text = self._saved.get(execution_id)
        return None if text is None else dict(json.loads(text))


class FileCheckpointStore:
    """One `<execution id>.json` per execution in a folder, replaced atomically on each save."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, execution_id: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in execution_id)
        return self.folder / f"{safe}.json"

    def save(self, execution_id: str, checkpoint: dict[str, Any]) -> None:
        target = self._path(execution_id)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".checkpoint-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(checkpoint, out, ensure_ascii=False)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self, execution_id: str) -> dict[str, Any] | None:
        path = self._path(execution_id)
        if not path.exists():
            return None
        return dict(json.loads(path.read_text(encoding="utf-8")))


class StopAfter:
    """Wraps a store; after `saves` checkpoints it raises CheckpointStop (a simulated crash).

    Once stopped it saves nothing more: a crashed process writes no further checkpoint, even
    though sibling tasks may still run for a moment while the exception unwinds.
    """

    def __init__(self, store: CheckpointStore, saves: int) -> None:
        self.store = store
        self.remaining = saves

    def save(self, execution_id: str, checkpoint: dict[str, Any]) -> None:
        if self.remaining <= 0:
            raise CheckpointStop(f"already stopped: {execution_id}")
        self.store.save(execution_id, checkpoint)
        self.remaining -= 1
        if self.remaining <= 0:
            raise CheckpointStop(f"stopped after a checkpoint of {execution_id}")

    def load(self, execution_id: str) -> dict[str, Any] | None:
        return self.store.load(execution_id)
