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

# The web app: browser sessions and failed sign-ins (api/sessions.py); the processes page's
# filters and charts read the event type and duration as columns (filled from the bodies that
# read), with an index per filter that orders like the list (newest `seq` first), and one that
# covers what the charts count, so that they never read a body.
_V4 = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE TABLE sign_in_failures (
    login TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start REAL NOT NULL
);
ALTER TABLE processes ADD COLUMN event_type TEXT;
ALTER TABLE processes ADD COLUMN duration_ms INTEGER;
UPDATE processes SET
    event_type = json_extract(body, '$.event.type'),
    duration_ms = json_extract(body, '$.durationMs')
    WHERE json_valid(body);
CREATE INDEX processes_by_event ON processes(event_type, seq);
CREATE INDEX processes_by_scenario_seq ON processes(scenario_id, seq);
CREATE INDEX processes_by_queued ON processes(queued_at, status, duration_ms, scenario_id)
"""

# The file store's metadata (adapters/sqlite/files.py); the bytes are files in a folder beside
# the database, named by the random id alone.
_V5 = """
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL
)
"""

# A deleted scenario's versions stay (its processes show and run them); the latest one marked
# deleted hides the scenario until it is saved again (adapters/sqlite/scenarios.py).
_V6 = """
ALTER TABLE scenario_versions ADD COLUMN deleted_at TEXT
"""

# Record ids are numbered per catalog, as in the product: the key becomes (catalog, id). Rows
# keep their ids (globally unique, so unique per catalog too: links and processes name them).
# Each catalog's counter starts at the largest id it ever had, deleted records' included (their
# events stay in the outbox), so that no id a process or an event named comes back.
_V7 = """
CREATE TABLE records_v7 (
    id INTEGER NOT NULL,
    catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
    field_values TEXT NOT NULL,
    revision INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (catalog_id, id)
);
INSERT INTO records_v7 (id, catalog_id, field_values, revision, created_at, updated_at)
    SELECT id, catalog_id, field_values, revision, created_at, updated_at FROM records;
DROP TABLE records;
ALTER TABLE records_v7 RENAME TO records;
INSERT INTO id_sequences (name, value)
    SELECT 'records:' || catalog_id, MAX(id) FROM (
        SELECT catalog_id, id FROM records
        UNION ALL
        SELECT CAST(catalog_id AS INTEGER), CAST(record_id AS INTEGER) FROM outbox
            WHERE catalog_id NOT GLOB '*[^0-9]*' AND record_id NOT GLOB '*[^0-9]*'
    )
    WHERE catalog_id IN (SELECT id FROM catalogs)
    GROUP BY catalog_id;
DELETE FROM id_sequences WHERE name = 'records'
"""

# Messages on records (adapters/sqlite/messages.py): numbered in one sequence, read a record's
# newest first; they go with their catalog (a record's delete leaves them, unread: the use
# cases read only a live record's messages).
_V8 = """
CREATE TABLE record_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
    record_id INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX record_messages_by_record ON record_messages(catalog_id, record_id, id)
"""

# Messenger webhooks (service/messengers.py): a subscription may name a messenger connection
# instead of a catalog, and each delivered update is remembered for a while under its
# platform's id (adapters/sqlite/deliveries.py), so that a redelivery starts nothing twice.
_V9 = """
ALTER TABLE subscriptions ADD COLUMN connection TEXT;
CREATE INDEX subscriptions_by_connection ON subscriptions(connection);
CREATE TABLE deliveries (
    key TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    expires_at TEXT NOT NULL
)
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9)


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
