"""Wiring: the API's services alone on the SQLite adapters, without the automations (the
API's tests; the embedded server wires everything in `runtime.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from automations.adapters.sqlite.catalogs import SqliteCatalogStore
from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.records import SqliteRecordStore
from automations.adapters.sqlite.sessions import SqliteSessionStore, SqliteSignInThrottle
from automations.adapters.sqlite.users import SqliteApiKeyStore, SqliteUserStore
from automations.api.services import ApiConfig, Services
from automations.asl.clock import RealClock
from automations.asl.ports import Clock
from automations.ports import BeforeHooks
from automations.service.records import NoBeforeHooks


@dataclass(frozen=True, slots=True)
class LocalServices:
    """The services and the database they use (close it when done)."""

    services: Services
    db: Database


def bootstrap(
    db_path: str | Path,
    *,
    clock: Clock | None = None,
    hooks: BeforeHooks | None = None,
    config: ApiConfig | None = None,
) -> LocalServices:
    """Open (or create) the database file and build every store the API needs on it."""
    db = Database(db_path)
    clock = clock or RealClock()
    services = Services(
        catalogs=SqliteCatalogStore(db),
        records=SqliteRecordStore(db),
        users=SqliteUserStore(db, clock),
        api_keys=SqliteApiKeyStore(db, clock),
        clock=clock,
        hooks=hooks or NoBeforeHooks(),
        config=config or ApiConfig(),
        sessions=SqliteSessionStore(db),
        sign_ins=SqliteSignInThrottle(db),
    )
    return LocalServices(services=services, db=db)
