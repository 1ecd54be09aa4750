"""ScenarioStore on SQLite: immutable numbered versions of each scenario.

Deleting a scenario marks its latest version (`deleted_at`): the scenario is gone from `latest`
and `all` while every version stays readable by number, and saving it again adds a version after
the marked one.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections import OrderedDict
from datetime import datetime
from typing import Any

from automations.adapters.sqlite.db import Database, dumps, loads
from automations.adapters.sqlite.generation import GenerationCache
from automations.asl.ports import Clock
from automations.model.base import from_epoch, utc_iso
from automations.model.scenario import ScenarioVersion

CACHED_VERSIONS = 256


class SqliteScenarioStore:
    """Versions in `scenario_versions`, keyed by (scenario id, version)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        # Versions never change once saved: each is read and parsed once (every process start
        # asks for the latest one, and its compiled machines are the bulk of the row).
        self._parsed: OrderedDict[str, ScenarioVersion] = OrderedDict()
        # Which version is the latest, per scenario: forgotten when the database's shared
        # generation moves (every save moves it, in whichever server process it is made).
        self._latest: GenerationCache[str, str | None] = GenerationCache(db.generation)
        self._lock = threading.Lock()

    def _cached(self, version_id: str) -> ScenarioVersion:
        with self._lock:
            found = self._parsed.get(version_id)
        if found is None:
            found = _version(
                self._db.connection()
                .execute("SELECT * FROM scenario_versions WHERE id = ?", (version_id,))
                .fetchone()
            )
            with self._lock:
                self._parsed[found.id] = found
                while len(self._parsed) > CACHED_VERSIONS:
                    self._parsed.popitem(last=False)
        return found

    def add_version(
        self, scenario_id: str, bpmn: str, compiled: dict[str, dict[str, Any]]
    ) -> ScenarioVersion:
        with self._db.transaction() as conn:
            # Inside the write lock: two saves of one scenario cannot take the same number.
            row = conn.execute(
                "SELECT COALESCE(MAX(version), 0) FROM scenario_versions WHERE scenario_id = ?",
                (scenario_id,),
            ).fetchone()
            saved = ScenarioVersion(
                id=uuid.uuid4().hex,
                scenario_id=scenario_id,
                version=row[0] + 1,
                bpmn=bpmn,
                compiled=compiled,
                created_at=from_epoch(self._clock.now()),
            )
            conn.execute(
                "INSERT INTO scenario_versions (scenario_id, version, id, bpmn, compiled,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    scenario_id,
                    saved.version,
                    saved.id,
                    bpmn,
                    dumps(compiled),
                    utc_iso(saved.created_at),
                ),
            )
        self._db.generation.advance()
        return saved

    def get_version(self, scenario_id: str, version: int) -> ScenarioVersion | None:
        row = (
            self._db.connection()
            .execute(
                "SELECT * FROM scenario_versions WHERE scenario_id = ? AND version = ?",
                (scenario_id, version),
            )
            .fetchone()
        )
        return None if row is None else _version(row)

    def latest(self, scenario_id: str) -> ScenarioVersion | None:
        version_id = self._latest.get(scenario_id, self._latest_id)
        return None if version_id is None else self._cached(version_id)

    def _latest_id(self, scenario_id: str) -> str | None:
        row = (
            self._db.connection()
            .execute(
                "SELECT id, deleted_at FROM scenario_versions WHERE scenario_id = ?"
                " ORDER BY version DESC LIMIT 1",
                (scenario_id,),
            )
            .fetchone()
        )
        return None if row is None or row["deleted_at"] is not None else str(row["id"])

    def delete(self, scenario_id: str) -> bool:
        with self._db.transaction() as conn:
            marked = conn.execute(
                "UPDATE scenario_versions SET deleted_at = ? WHERE scenario_id = ? AND version ="
                " (SELECT MAX(version) FROM scenario_versions WHERE scenario_id = ?)"
                " AND deleted_at IS NULL",
                (utc_iso(from_epoch(self._clock.now())), scenario_id, scenario_id),
            ).rowcount
        if marked:
            self._db.generation.advance()  # every server process forgets its latest version
        return bool(marked)

    def versions(self, scenario_id: str) -> list[int]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT version FROM scenario_versions WHERE scenario_id = ? ORDER BY version",
                (scenario_id,),
            )
            .fetchall()
        )
        return [row[0] for row in rows]

    def all(self) -> list[ScenarioVersion]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT v.* FROM scenario_versions v JOIN (SELECT scenario_id,"
                " MAX(version) AS version FROM scenario_versions GROUP BY scenario_id) latest"
                " USING (scenario_id, version) WHERE v.deleted_at IS NULL ORDER BY v.scenario_id"
            )
            .fetchall()
        )
        return [_version(row) for row in rows]


def _version(row: sqlite3.Row) -> ScenarioVersion:
    return ScenarioVersion(
        id=row["id"],
        scenario_id=row["scenario_id"],
        version=row["version"],
        bpmn=row["bpmn"],
        compiled=loads(row["compiled"]),
        created_at=datetime.fromisoformat(row["created_at"]),
    )
