"""The SQLite schema, as numbered migrations applied once each (recorded in `schema_version`).

A new table or column is a new entry at the end of MIGRATIONS; entries already shipped never
change, so any older database file upgrades by running the ones it lacks.
"""

from __future__ import annotations

import sqlite3

_V1 = """
CREATE TABLE catalogs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    icon TEXT,
    section_id TEXT,
    fields TEXT NOT NULL,
    last_field_id INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE id_sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
    field_values TEXT NOT NULL,
    revision INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX records_by_catalog ON records(catalog_id, id);
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    catalog_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field_values TEXT NOT NULL,
    prev_values TEXT,
    user_id TEXT,
    depth INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX outbox_pending ON outbox(seq) WHERE delivered_at IS NULL;
CREATE TABLE scenario_versions (
    scenario_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    bpmn TEXT NOT NULL,
    compiled TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scenario_id, version)
);
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    catalog_id TEXT,
    events TEXT NOT NULL,
    fields TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    active INTEGER NOT NULL
);
CREATE INDEX subscriptions_by_catalog ON subscriptions(catalog_id);
CREATE TABLE web_requests (
    id TEXT PRIMARY KEY,
    url_id TEXT NOT NULL UNIQUE,
    scenario_id TEXT NOT NULL,
    active INTEGER NOT NULL
);
CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    expression TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    active INTEGER NOT NULL,
    next_run_at TEXT
);
CREATE TABLE processes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    scenario_id TEXT NOT NULL,
    status TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX processes_by_status ON processes(status, seq);
CREATE INDEX processes_by_scenario ON processes(scenario_id, queued_at);
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""

# Checkpoints of running executions (the embedded engine's state after each transition).
_V2 = """
CREATE TABLE checkpoints (
    execution_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
"""

# Roles: users and keys of a database older than roles read as members (nobody gains rights).
_V3 = """
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'member'
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)


def apply_schema(conn: sqlite3.Connection) -> int:
    """Create or upgrade the schema inside the caller's transaction; the resulting version."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    current = row[0] or 0
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
    return len(MIGRATIONS)
