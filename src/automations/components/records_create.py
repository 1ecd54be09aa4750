"""`records.create`: a new record in a catalog (the product's "Создать запись").

Inputs: `catalogId`, `values` (field id -> value, in the formats the records API takes).
Result: `{id}`. The write is a write like any other: validated, seen by before-hooks, and its
`$record.after.create` event starts the subscribed scenarios (one chain step deeper).
Errors: `records.catalog_not_found`, `records.invalid_values`, `records.refused` (a
before-hook said no), `records.conflict`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from automations.components.records_common import (
    WRITE_ERRORS,
    CatalogInput,
    records_of,
    translated,
)
from automations.components.registry import ComponentContext, ComponentSpec, register


class CreateInput(CatalogInput):
    """What `records.create` takes."""

    values: dict[str, Any] = Field(default_factory=dict)


class CreatedResult(BaseModel):
    """The new record's id."""

    id: str


def run(params: CreateInput, ctx: ComponentContext) -> CreatedResult:
    """Create the record."""
    with translated():
        record_id = records_of(ctx).create(
            params.catalogId, {str(k): v for k, v in params.values.items()}
        )
    return CreatedResult(id=record_id)


SPEC = register(
    ComponentSpec(
        name="records.create",
        input_model=CreateInput,
        result_model=CreatedResult,
        errors=WRITE_ERRORS,
        run=run,
        summary="Create a record in a catalog.",
    )
)
