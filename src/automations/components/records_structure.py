"""`records.structure`: a catalog's structure (the product's "Структура каталога").

Input: `catalogId`. Result, in the component's documented shape (not the API's): `fields` is
an object keyed by field id, each with `orderIndex` (from 1) to keep the order; the `items` of
choice fields are likewise an object keyed by item id with `orderIndex`; plus `id`, `name`,
`icon`, `sectionId`, `privilegeCode` and `fieldPrivilegeCodes`.
Errors: `records.catalog_not_found`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from automations.components.records_common import (
    CATALOG_NOT_FOUND,
    UNAVAILABLE,
    CatalogInput,
    records_of,
    translated,
)
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.model.catalog import Catalog, CatalogField


class StructureResult(BaseModel):
    """The catalog's structure (extra keys are the documented ones)."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    fields: dict[str, Any]


def _keyed(entries: list[Any]) -> dict[str, Any]:
    return {
        str(entry.get("id")): {"orderIndex": index, **entry}
        for index, entry in enumerate(entries, 1)
        if isinstance(entry, dict)
    }


def _field(field: CatalogField, index: int) -> dict[str, Any]:
    body = field.model_dump(mode="json")
    config = dict(body.get("config") or {})
    if isinstance(config.get("items"), list):
        config["items"] = _keyed(config["items"])
    return {"orderIndex": index, **body, "config": config}


def structure_of(catalog: Catalog) -> dict[str, Any]:
    """The documented structure of a catalog."""
    return {
        "fields": {f.id: _field(f, i) for i, f in enumerate(catalog.fields, 1)},
        "fieldPrivilegeCodes": {},
        "icon": catalog.icon,
        "id": catalog.id,
        "name": catalog.name,
        "privilegeCode": "admin",
        "sectionId": catalog.section_id,
    }


def run(params: CatalogInput, ctx: ComponentContext) -> StructureResult:
    """Describe the catalog."""
    with translated():
        catalog = records_of(ctx).catalog(params.catalogId)
    return StructureResult.model_validate(structure_of(catalog))


SPEC = register(
    ComponentSpec(
        name="records.structure",
        input_model=CatalogInput,
        result_model=StructureResult,
        errors=(CATALOG_NOT_FOUND, UNAVAILABLE),
        run=run,
        summary="Get a catalog's fields and their settings.",
    )
)
