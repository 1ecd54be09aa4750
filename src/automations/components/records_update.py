"""`records.update`: change fields of a record (the product's "Изменить запись").

Inputs: `catalogId`, `recordId`, `values` (only the fields to change). Result: `{id}`.
Changing nothing (the same values) writes nothing and raises no event.
Errors: `records.catalog_not_found`, `records.not_found`, `records.invalid_values`,
`records.refused`, `records.conflict`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from automations.components.records_common import (
    WRITE_ERRORS,
    CatalogInput,
    Id,
    records_of,
    translated,
)
from automations.components.registry import ComponentContext, ComponentSpec, register


class UpdateInput(CatalogInput):
    """What `records.update` takes."""

    recordId: Id
    values: dict[str, Any] = Field(default_factory=dict)


class UpdatedResult(BaseModel):
    """The changed record's id."""

    id: str


def run(params: UpdateInput, ctx: ComponentContext) -> UpdatedResult:
    """Change the record."""
    with translated():
        records_of(ctx).update(
            params.catalogId, params.recordId, {str(k): v for k, v in params.values.items()}
        )
    return UpdatedResult(id=params.recordId)


SPEC = register(
    ComponentSpec(
        name="records.update",
        input_model=UpdateInput,
        result_model=UpdatedResult,
        errors=WRITE_ERRORS,
        run=run,
        summary="Change fields of a record.",
    )
)
