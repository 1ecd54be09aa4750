from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from automations.adapters.sqlite import records as records_module
from automations.adapters.sqlite.catalogs import SqliteCatalogStore
from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.outbox import SqliteChangeFeed
from automations.adapters.sqlite.records import SqliteRecordStore
from automations.asl.clock import VirtualClock
from automations.errors import StoreConflict
from automations.model.catalog import Catalog, CatalogDraft
from automations.model.event import ChangeEvent, EventType
from automations.model.filters import AllOf, HasAny, InRange, TextContains
from automations.model.record import Record, RecordQuery, SortSpec
from automations.ports import CatalogStore, RecordStore

T = datetime(2026, 1, 2, tzinfo=UTC)
Add = Callable[[dict[str, Any]], Record]
NewEvent = Callable[..., ChangeEvent]

# Tests taking `record_store` run on every adapter; those taking `records` are about the SQLite
# outbox (DynamoDB has none: its stream carries the events, see tests/functional/aws).


def _broken(*_: object) -> None:
    raise RuntimeError("disk full")


def test_next_id_grows_within_a_catalog(record_store: RecordStore, catalog: Catalog) -> None:
    ids = [record_store.next_id(catalog.id) for _ in range(3)]
    assert ids == ["1", "2", "3"]


def test_the_first_record_of_each_catalog_is_1(
    record_store: RecordStore,
    catalog: Catalog,
    put: Add,
    catalog_store: CatalogStore,
    new_event: NewEvent,
) -> None:
    first, second = put({"1": "a"}), put({"1": "b"})
    other = _other_catalog(catalog_store)
    elsewhere = Record(id=record_store.next_id(other), catalog_id=other, created_at=T, updated_at=T)
    record_store.create(elsewhere, new_event(elsewhere))
    assert [first.id, second.id, elsewhere.id, put({"1": "c"}).id] == ["1", "2", "1", "3"]
    # The same id names a different record in each catalog.
    assert (record_store.get(catalog.id, "1"), record_store.get(other, "1")) == (first, elsewhere)


def test_a_deleted_records_id_is_not_given_again(
    record_store: RecordStore, put: Add, new_event: NewEvent
) -> None:
    put({"1": "a"})
    last = put({"1": "b"})
    assert record_store.delete(last, new_event(last, EventType.AFTER_DELETE), expected_revision=1)
    assert put({"1": "c"}).id == "3"


def test_create_get_round_trip(record_store: RecordStore, catalog: Catalog, put: Add) -> None:
    record = put({"1": "Иван", "2": 3.5, "3": 3.0, "4": ["1"], "7": {"a": [1, None, True]}})
    stored = record_store.get(catalog.id, record.id)
    assert stored == record
    assert stored is not None and isinstance(stored.values["3"], float)


def test_get_in_another_catalog_or_bad_id_is_none(
    record_store: RecordStore, catalog: Catalog, put: Add, catalog_store: CatalogStore
) -> None:
    record = put({"1": "x"})
    other = _other_catalog(catalog_store)
    assert (record_store.get(other, record.id), record_store.get(catalog.id, "1 OR 1=1")) == (
        None,
        None,
    )


def _other_catalog(catalogs: Database | CatalogStore) -> str:
    store = SqliteCatalogStore(catalogs) if isinstance(catalogs, Database) else catalogs
    return store.create(CatalogDraft(name="other")).id


def test_create_of_a_taken_id_is_a_conflict(
    record_store: RecordStore, catalog: Catalog, put: Add, new_event: NewEvent
) -> None:
    first = put({"1": "x"})
    again = first.model_copy(update={"values": {"1": "y"}})
    with pytest.raises(StoreConflict):
        record_store.create(again, new_event(again).model_copy(update={"id": "another"}))
    assert record_store.get(catalog.id, first.id) == first


def test_create_writes_the_event_in_the_same_transaction(
    db: Database, clock: VirtualClock, add_record: Add
) -> None:
    record = add_record({"1": "x"})
    pending = SqliteChangeFeed(db, clock).pending()
    assert [(e.type, e.record_id, e.values) for e in pending] == [
        (EventType.AFTER_CREATE, record.id, {"1": "x"})
    ]


def test_failing_event_insert_leaves_no_record(
    records: SqliteRecordStore, deals: Catalog, new_event: NewEvent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records_module, "insert_event", _broken)
    record = Record(
        id=records.next_id(deals.id),
        catalog_id=deals.id,
        values={"1": "x"},
        created_at=T,
        updated_at=T,
    )
    with pytest.raises(RuntimeError):
        records.create(record, new_event(record))
    assert records.get(deals.id, record.id) is None


def test_duplicate_event_id_rolls_the_record_back(
    db: Database,
    clock: VirtualClock,
    records: SqliteRecordStore,
    deals: Catalog,
    add_record: Add,
    new_event: NewEvent,
) -> None:
    first = add_record({"1": "x"})
    second = Record(
        id=records.next_id(deals.id),
        catalog_id=deals.id,
        values={"1": "y"},
        created_at=T,
        updated_at=T,
    )
    clash = new_event(second).model_copy(update={"id": new_event(first).id})
    with pytest.raises(StoreConflict):
        records.create(second, clash)
    assert (records.get(deals.id, second.id), len(SqliteChangeFeed(db, clock).pending())) == (
        None,
        1,
    )


def test_create_in_a_missing_catalog_is_a_conflict(
    record_store: RecordStore, new_event: NewEvent
) -> None:
    record = Record(
        id=record_store.next_id("404"), catalog_id="404", values={}, created_at=T, updated_at=T
    )
    with pytest.raises(StoreConflict):
        record_store.create(record, new_event(record))


def test_update_and_delete_compare_revisions(
    record_store: RecordStore, catalog: Catalog, put: Add, new_event: NewEvent
) -> None:
    record = put({"1": "x"})
    changed = record.model_copy(update={"values": {"1": "y"}, "revision": 2})
    assert record_store.update(
        changed, new_event(changed, EventType.AFTER_UPDATE), expected_revision=1
    )
    stale = changed.model_copy(update={"values": {"1": "z"}, "revision": 3})
    assert not record_store.update(
        stale, new_event(stale, EventType.AFTER_UPDATE), expected_revision=1
    )
    assert record_store.get(catalog.id, record.id) == changed
    deleted = new_event(changed, EventType.AFTER_DELETE)
    assert not record_store.delete(changed, deleted, expected_revision=1)
    assert record_store.delete(changed, deleted, expected_revision=2)
    assert record_store.get(catalog.id, record.id) is None
    # A deleted record can be neither changed nor deleted again, whatever revision is given.
    assert not record_store.update(changed, deleted, expected_revision=2)
    assert not record_store.update(changed, deleted, expected_revision=3)
    assert not record_store.delete(changed, deleted, expected_revision=2)


def test_find_and_count_skip_deleted_records(
    record_store: RecordStore, catalog: Catalog, put: Add, new_event: NewEvent
) -> None:
    kept, gone = put({"1": "a"}), put({"1": "ab"})
    record_store.delete(gone, new_event(gone, EventType.AFTER_DELETE), expected_revision=1)
    assert [r.id for r in record_store.find(catalog.id, RecordQuery())] == [kept.id]
    assert (
        record_store.count(catalog.id),
        record_store.count(catalog.id, TextContains("1", "a")),
        record_store.count(catalog.id, TextContains("1", "b")),
    ) == (1, 1, 0)


def test_sort_orders_kinds_of_values_alike(
    record_store: RecordStore, catalog: Catalog, put: Add
) -> None:
    # SQLite's order, which every adapter keeps: empty, numbers (true as 1), then text, where a
    # list or an object sorts as its JSON text ('[' < 'a' < '{').
    for value in ["b", ["x"], 2.5, None, True, 0, "a", {"k": 1}]:
        put({"7": value})
    ordered = [
        r.values.get("7") for r in record_store.find(catalog.id, RecordQuery(sort=SortSpec("7")))
    ]
    assert ordered == [None, 0, True, 2.5, ["x"], "a", "b", {"k": 1}]


def test_update_is_compare_and_set_on_revision(
    db: Database,
    clock: VirtualClock,
    records: SqliteRecordStore,
    deals: Catalog,
    add_record: Add,
    new_event: NewEvent,
) -> None:
    record = add_record({"1": "x"})
    changed = record.model_copy(update={"values": {"1": "y"}, "revision": 2})
    assert records.update(changed, new_event(changed, EventType.AFTER_UPDATE), expected_revision=1)
    stale = changed.model_copy(update={"values": {"1": "z"}, "revision": 3})
    assert not records.update(stale, new_event(stale, EventType.AFTER_UPDATE), expected_revision=1)
    assert records.get(deals.id, record.id) == changed
    kinds = [e.type for e in SqliteChangeFeed(db, clock).pending()]
    assert kinds == [EventType.AFTER_CREATE, EventType.AFTER_UPDATE]


def test_failing_event_insert_leaves_the_update_undone(
    records: SqliteRecordStore,
    deals: Catalog,
    add_record: Add,
    new_event: NewEvent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = add_record({"1": "x"})
    monkeypatch.setattr(records_module, "insert_event", _broken)
    changed = record.model_copy(update={"values": {"1": "y"}, "revision": 2})
    with pytest.raises(RuntimeError):
        records.update(changed, new_event(changed, EventType.AFTER_UPDATE), expected_revision=1)
    assert records.get(deals.id, record.id) == record


def test_failing_event_insert_leaves_the_record_in_place(
    records: SqliteRecordStore,
    deals: Catalog,
    add_record: Add,
    new_event: NewEvent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = add_record({"1": "x"})
    monkeypatch.setattr(records_module, "insert_event", _broken)
    with pytest.raises(RuntimeError):
        records.delete(record, new_event(record, EventType.AFTER_DELETE), expected_revision=1)
    assert records.get(deals.id, record.id) == record


def test_delete_with_event_and_stale_revision(
    db: Database,
    clock: VirtualClock,
    records: SqliteRecordStore,
    deals: Catalog,
    add_record: Add,
    new_event: NewEvent,
) -> None:
    record = add_record({"1": "x"})
    assert not records.delete(
        record, new_event(record, EventType.AFTER_DELETE), expected_revision=7
    )
    assert records.delete(record, new_event(record, EventType.AFTER_DELETE), expected_revision=1)
    assert records.get(deals.id, record.id) is None
    assert SqliteChangeFeed(db, clock).pending()[-1].type == EventType.AFTER_DELETE


def test_find_filters_sorts_and_pages(
    record_store: RecordStore, catalog: Catalog, put: Add
) -> None:
    for name, amount in [("Анна", 30), ("Борис", 10), ("анатолий", 20), ("Вера", None)]:
        put({"1": name, "2": amount})
    by_amount = RecordQuery(sort=SortSpec(field_id="2"))
    names = [r.values["1"] for r in record_store.find(catalog.id, by_amount)]
    assert names == ["Вера", "Борис", "анатолий", "Анна"]
    query = RecordQuery(where=TextContains("1", "АН"), sort=SortSpec(field_id="2", descending=True))
    assert [r.values["1"] for r in record_store.find(catalog.id, query)] == ["Анна", "анатолий"]
    page = RecordQuery(limit=2, offset=1)
    assert [r.id for r in record_store.find(catalog.id, page)] == ["3", "2"]


def test_default_order_is_newest_first(
    record_store: RecordStore, catalog: Catalog, put: Add
) -> None:
    ids = [put({"1": str(i)}).id for i in range(3)]
    assert [r.id for r in record_store.find(catalog.id, RecordQuery())] == ids[::-1]


def test_find_never_crosses_catalogs(
    record_store: RecordStore, put: Add, catalog_store: CatalogStore
) -> None:
    put({"4": ["1"]})
    other = _other_catalog(catalog_store)
    found = record_store.find(
        other, RecordQuery(where=AllOf((HasAny("4", ("1",)), InRange("2", 0, None))))
    )
    assert found == []


def test_hostile_text_is_just_text(record_store: RecordStore, catalog: Catalog, put: Add) -> None:
    put({"1": "'); DROP TABLE records; --"})
    found = record_store.find(
        catalog.id, RecordQuery(where=TextContains("1", "'); DROP TABLE records; --"))
    )
    assert len(found) == 1
