"""The FileStore port locally: the bytes in a folder beside the database, the metadata in the
`files` table.

A file on disk is named by its random id alone (never by the name it was given), written to a
temporary name in the same folder, flushed, then renamed over its final name: a reader sees the
whole file or none. The row is inserted after the bytes are in place, so a crash in between
leaves at most an unreferenced file, never a row without its content.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from automations.adapters.sqlite.db import Database
from automations.asl.ports import Clock
from automations.errors import FileTooLarge
from automations.model.base import from_epoch, utc_iso
from automations.model.file import DEFAULT_MAX_FILE_BYTES, StoredFile, is_file_id, new_file_id


def files_folder(db_path: str | Path) -> Path:
    """Where the files of database `automations.db` live: `automations.files/` beside it."""
    path = Path(db_path)
    return path.with_name(f"{path.stem}.files")


class SqliteFileStore:
    """Files in `folder`, described in the database's `files` table."""

    def __init__(
        self,
        db: Database,
        folder: str | Path,
        clock: Clock,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> None:
        self._db = db
        self._folder = Path(folder)
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._clock = clock
        self.max_bytes = max_bytes

    def put(self, name: str, content_type: str, data: bytes) -> StoredFile:
        if len(data) > self.max_bytes:
            raise FileTooLarge(len(data), self.max_bytes)
        stored = StoredFile(
            id=new_file_id(),
            name=name,
            type=content_type,
            size=len(data),
            created=from_epoch(self._clock.now()),
        )
        self._write(self._folder / stored.id, data)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO files (id, name, type, size, created_at) VALUES (?, ?, ?, ?, ?)",
                (stored.id, stored.name, stored.type, stored.size, utc_iso(stored.created)),
            )
        return stored

    def info(self, file_id: str) -> StoredFile | None:
        if not is_file_id(file_id):
            return None
        row = (
            self._db.connection()
            .execute("SELECT id, name, type, size, created_at FROM files WHERE id = ?", (file_id,))
            .fetchone()
        )
        if row is None:
            return None
        return StoredFile(id=row[0], name=row[1], type=row[2], size=row[3], created=row[4])

    def read(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        stored = self.info(file_id)
        if stored is None:
            return None
        try:
            return stored, (self._folder / stored.id).read_bytes()
        except FileNotFoundError:  # its row outlived the folder (removed by hand)
            return None

    def _write(self, target: Path, data: bytes) -> None:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            with open(temporary, "xb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            raise
