from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from automations.model.catalog import (
    Catalog,
    CatalogDraft,
    CatalogPatch,
    FieldDraft,
    FieldType,
    patched_catalog,
)
from automations.model.event import ChangeEvent, EventType
from automations.model.record import Record
from automations.ports import CatalogStore, RecordStore

T = datetime(2026, 1, 2, tzinfo=UTC)
Add = Callable[[dict[str, Any]], Record]


def event_for(record: Record) -> ChangeEvent:
    return ChangeEvent(
        id=f"e{record.catalog_id}-{record.id}",
        type=EventType.AFTER_CREATE,
        catalog_id=record.catalog_id,
        record_id=record.id,
        created_at=T,
    )


def _draft(name: str = "Clients", section: str | None = None) -> CatalogDraft:
    return CatalogDraft(
        name=name,
        section_id=section,
        fields=[
            FieldDraft(name="Name", type=FieldType.TEXT),
            FieldDraft(name="Age", type=FieldType.NUMBER),
        ],
    )


def test_create_then_get(catalog_store: CatalogStore) -> None:
    store = catalog_store
    created = store.create(_draft())
    assert store.get(created.id) == created
    assert [f.id for f in created.fields] == ["1", "2"]


def test_get_unknown_or_non_numeric_id_is_none(catalog_store: CatalogStore) -> None:
    store = catalog_store
    assert (store.get("42"), store.get("x'; DROP TABLE catalogs; --")) == (None, None)
    # Digits that are not ASCII ("³".isdigit() holds, int("³") fails) name no catalog either.
    assert (store.get("³"), store.delete("³")) == (None, False)


def test_all_filters_by_section_in_id_order(catalog_store: CatalogStore) -> None:
    store = catalog_store
    a, b, c = (
        store.create(_draft("a", "1")),
        store.create(_draft("b", "2")),
        store.create(_draft("c", "1")),
    )
    assert [x.id for x in store.all()] == [a.id, b.id, c.id]
    assert [x.name for x in store.all("1")] == ["a", "c"]


def test_save_keeps_the_field_counter(catalog_store: CatalogStore) -> None:
    store = catalog_store
    created = store.create(_draft())
    store.save(
        patched_catalog(
            created, CatalogPatch(fields=[FieldDraft(id="1", name="N", type=FieldType.TEXT)])
        )
    )
    again = store.get(created.id)
    assert again is not None
    grown = patched_catalog(
        again, CatalogPatch(fields=[FieldDraft(name="New", type=FieldType.TEXT)])
    )
    assert [f.id for f in grown.fields] == ["3"]


def test_delete(catalog_store: CatalogStore) -> None:
    store = catalog_store
    created = store.create(_draft())
    assert (store.delete(created.id), store.delete(created.id), store.get(created.id)) == (
        True,
        False,
        None,
    )


def test_deleting_a_catalog_deletes_its_records(
    catalog_store: CatalogStore, record_store: RecordStore, catalog: Catalog, put: Add
) -> None:
    other = catalog_store.create(_draft("other"))
    gone = [put({"1": str(i)}) for i in range(3)]
    kept = Record(
        id=record_store.next_id(other.id), catalog_id=other.id, created_at=T, updated_at=T
    )
    record_store.create(kept, event_for(kept))
    assert catalog_store.delete(catalog.id)
    assert [record_store.get(catalog.id, r.id) for r in gone] == [None, None, None]
    assert (record_store.count(catalog.id), record_store.get(other.id, kept.id)) == (0, kept)
