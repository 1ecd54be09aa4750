"""`records.get`: one record of a catalog by its id (the product's "Получить запись").

Inputs: `catalogId`, `recordId`, `fields` (ids to return, as ids or `{fieldId}` objects; all
when left out). Result: `{id, catalogId, title, values, createdAt, updatedAt}`.
Errors: `records.catalog_not_found`, `records.not_found`, `records.invalid_query` (an unknown
field in `fields`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from automations.components.records_common import (
    READ_ERRORS,
    CatalogInput,
    FieldRef,
    Id,
    field_set,
    records_of,
    translated,
)
from automations.components.registry import ComponentContext, ComponentSpec, register


class GetInput(CatalogInput):
    """What `records.get` takes."""

    recordId: Id
    fields: list[FieldRef] | None = Field(default=None, max_length=500)


class RecordResult(BaseModel):
    """A record as the product's components return it."""

    id: str
    catalogId: str
    title: str = ""
    values: dict[str, Any] = Field(default_factory=dict)
    createdAt: str | None = None
    updatedAt: str | None = None


def run(params: GetInput, ctx: ComponentContext) -> RecordResult:
    """Read the record."""
    with translated():
        found = records_of(ctx).get(params.catalogId, params.recordId, field_set(params.fields))
    return RecordResult.model_validate(found)


SPEC = register(
    ComponentSpec(
        name="records.get",
        input_model=GetInput,
        result_model=RecordResult,
        errors=READ_ERRORS,
        run=run,
        summary="Get one record of a catalog by its id.",
    )
)
