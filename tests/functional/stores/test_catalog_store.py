from __future__ import annotations

from automations.adapters.local.catalogs import SqliteCatalogStore
from automations.adapters.local.db import Database
from automations.model.catalog import (
    CatalogDraft,
    CatalogPatch,
    FieldDraft,
    FieldType,
    patched_catalog,
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


def test_create_then_get(db: Database) -> None:
    store = SqliteCatalogStore(db)
    created = store.create(_draft())
    assert store.get(created.id) == created
    assert [f.id for f in created.fields] == ["1", "2"]


def test_get_unknown_or_non_numeric_id_is_none(db: Database) -> None:
    store = SqliteCatalogStore(db)
    assert (store.get("42"), store.get("x'; DROP TABLE catalogs; --")) == (None, None)


def test_all_filters_by_section_in_id_order(db: Database) -> None:
    store = SqliteCatalogStore(db)
    a, b, c = (
        store.create(_draft("a", "1")),
        store.create(_draft("b", "2")),
        store.create(_draft("c", "1")),
    )
    assert [x.id for x in store.all()] == [a.id, b.id, c.id]
    assert [x.name for x in store.all("1")] == ["a", "c"]


def test_save_keeps_the_field_counter(db: Database) -> None:
    store = SqliteCatalogStore(db)
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


def test_delete(db: Database) -> None:
    store = SqliteCatalogStore(db)
    created = store.create(_draft())
    assert (store.delete(created.id), store.delete(created.id), store.get(created.id)) == (
        True,
        False,
        None,
    )
