from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.catalogs import SqliteCatalogStore
from automations.adapters.local.db import Database
from automations.adapters.local.records import SqliteRecordStore
from automations.asl.clock import VirtualClock
from automations.model.catalog import Catalog, CatalogDraft, FieldDraft, FieldType
from automations.model.event import ChangeEvent, EventType
from automations.model.record import Record

T0 = 1_767_323_045.0  # 2026-01-02T03:04:05Z


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "automations.db")
    yield database
    database.close()


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=T0)


T = datetime(2026, 1, 2, tzinfo=UTC)

FIELDS = [
    ("Name", FieldType.TEXT),  # 1
    ("Amount", FieldType.NUMBER),  # 2
    ("Due", FieldType.DATE),  # 3
    ("Status", FieldType.DROPDOWN),  # 4
    ("Phones", FieldType.CONTACT),  # 5
    ("Owner", FieldType.USER),  # 6
    ("Client", FieldType.OBJECT),  # 7
    ("Address", FieldType.ADDRESS),  # 8
    ("Stars", FieldType.STARS),  # 9
]


def make_catalog(db: Database) -> Catalog:
    draft = CatalogDraft(name="Deals", fields=[FieldDraft(name=n, type=t) for n, t in FIELDS])
    return SqliteCatalogStore(db).create(draft)


def event_for(
    record: Record, kind: EventType = EventType.AFTER_CREATE, **extra: Any
) -> ChangeEvent:
    return ChangeEvent(
        id=f"{kind}-{record.id}-{record.revision}",
        type=kind,
        catalog_id=record.catalog_id,
        record_id=record.id,
        values=record.values,
        created_at=T,
        **extra,
    )


def add(store: SqliteRecordStore, catalog: Catalog, values: dict[str, Any]) -> Record:
    record = Record(
        id=store.next_id(), catalog_id=catalog.id, values=values, created_at=T, updated_at=T
    )
    store.create(record, event_for(record))
    return record


Add = Callable[[dict[str, Any]], Record]


@pytest.fixture
def records(db: Database) -> SqliteRecordStore:
    return SqliteRecordStore(db)


@pytest.fixture
def deals(db: Database) -> Catalog:
    """A catalog with one field of each filterable type (ids 1..9, see FIELDS)."""
    return make_catalog(db)


@pytest.fixture
def add_record(records: SqliteRecordStore, deals: Catalog) -> Add:
    return lambda values: add(records, deals, values)


@pytest.fixture
def new_event() -> Callable[..., ChangeEvent]:
    return event_for
