from __future__ import annotations

import pytest
from pydantic import ValidationError

from automations.model.catalog import (
    CatalogDraft,
    CatalogPatch,
    FieldDraft,
    FieldType,
    new_catalog,
    patched_catalog,
)
from automations.model.errors import CatalogInvalid


def _draft() -> CatalogDraft:
    return CatalogDraft.model_validate(
        {
            "name": "Clients",
            "icon": "users-10",
            "fields": [
                {"name": "Name", "type": "text", "required": True},
                {
                    "name": "Status",
                    "type": "dropdown",
                    "config": {"items": [{"name": "new"}, {"name": "done"}]},
                },
                {"name": "Age", "type": "number"},
            ],
        }
    )


def test_new_catalog_numbers_fields_and_items_from_one() -> None:
    catalog = new_catalog("7", _draft())
    assert [f.id for f in catalog.fields] == ["1", "2", "3"]
    assert [i["id"] for i in catalog.fields[1].config["items"]] == ["1", "2"]
    assert catalog.last_field_id == 3


def test_title_is_accepted_for_name_and_read_back() -> None:
    draft = CatalogDraft.model_validate({"title": "Deals"})
    assert new_catalog("1", draft).title == "Deals"


def test_json_uses_the_products_keys_and_hides_the_counter() -> None:
    data = new_catalog("7", _draft()).model_dump(mode="json")
    assert set(data) == {"id", "name", "icon", "sectionId", "fields"}
    assert set(data["fields"][0]) == {"id", "name", "type", "hint", "required", "apiOnly", "config"}


def test_unknown_field_type_is_refused() -> None:
    with pytest.raises(ValidationError):
        CatalogDraft.model_validate({"name": "x", "fields": [{"type": "spreadsheet"}]})


def test_a_new_catalog_cannot_choose_field_ids() -> None:
    draft = CatalogDraft(name="x", fields=[FieldDraft(id="5", type=FieldType.TEXT)])
    with pytest.raises(CatalogInvalid):
        new_catalog("1", draft)


def test_patch_keeps_listed_fields_deletes_others_and_never_reuses_ids() -> None:
    catalog = new_catalog("7", _draft())
    patch = CatalogPatch.model_validate(
        {
            "fields": [
                {"id": "1", "name": "Full name", "type": "text"},
                {"name": "City", "type": "text"},
            ]
        }
    )
    changed = patched_catalog(catalog, patch)
    assert [(f.id, f.name) for f in changed.fields] == [("1", "Full name"), ("4", "City")]
    assert changed.name == "Clients"


def test_patch_cannot_change_a_fields_type() -> None:
    catalog = new_catalog("7", _draft())
    with pytest.raises(CatalogInvalid) as caught:
        patched_catalog(catalog, CatalogPatch(fields=[FieldDraft(id="3", type=FieldType.TEXT)]))
    assert caught.value.field_id == "3"


def test_patch_cannot_name_a_field_that_does_not_exist() -> None:
    catalog = new_catalog("7", _draft())
    with pytest.raises(CatalogInvalid) as caught:
        patched_catalog(catalog, CatalogPatch(fields=[FieldDraft(id="42", type=FieldType.TEXT)]))
    assert caught.value.field_id == "42"


def test_patch_without_fields_keeps_them() -> None:
    catalog = new_catalog("7", _draft())
    changed = patched_catalog(catalog, CatalogPatch(icon="star"))
    assert (changed.icon, changed.fields) == ("star", catalog.fields)
