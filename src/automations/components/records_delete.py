"""`records.delete`: delete a record (the product's "Удалить запись").

Inputs: `catalogId`, `recordId`. Result: `{id}`.
Errors: `records.catalog_not_found`, `records.not_found`, `records.refused`, `records.conflict`.
"""

from __future__ import annotations

from pydantic import BaseModel

from automations.components.records_common import (
    WRITE_ERRORS,
    CatalogInput,
    Id,
    records_of,
    translated,
)
from automations.components.registry import ComponentContext, ComponentSpec, register


class DeleteInput(CatalogInput):
    """What `records.delete` takes."""

    recordId: Id


class DeletedResult(BaseModel):
    """The deleted record's id."""

    id: str


def run(params: DeleteInput, ctx: ComponentContext) -> DeletedResult:
    """Delete the record."""
    with translated():
        records_of(ctx).delete(params.catalogId, params.recordId)
    return DeletedResult(id=params.recordId)


SPEC = register(
    ComponentSpec(
        name="records.delete",
        input_model=DeleteInput,
        result_model=DeletedResult,
        errors=tuple(e for e in WRITE_ERRORS if e != "records.invalid_values"),
        run=run,
        summary="Delete a record.",
    )
)
