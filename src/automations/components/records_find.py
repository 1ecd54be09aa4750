"""`records.find`: records of a catalog matching filters (the product's "Найти записи").

Inputs: `catalogId`; `filters` in either of the product's formats (`[{fieldId, value}]` or
`{fieldId: value, "$or": [...]}`); `searchText`; `sortField` and `sortType` (1 ascending, -1
descending; without a sortField the newest come first); `limit` (at most 1000, default 100)
and `offset` (a position, not an id); `fields` (ids to return).
Result: `{records: [{id, catalogId, title, values, ...}], total}`, `total` counting every match.
Errors: `records.catalog_not_found`, `records.invalid_query`.
"""

from __future__ import annotations

from typing import Any, Literal

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
from automations.model.record import DEFAULT_LIMIT, MAX_LIMIT
from automations.ports import FindSpec


class FindInput(CatalogInput):
    """What `records.find` takes."""

    filters: list[Any] | dict[str, Any] | None = None
    searchText: str | None = Field(default=None, max_length=1000)
    sortField: Id | None = None
    sortType: Literal[1, -1] | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=0, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0)
    fields: list[FieldRef] | None = Field(default=None, max_length=500)


class FindResult(BaseModel):
    """One page of records and the number of all matches."""

    records: list[dict[str, Any]] = Field(default_factory=list)
    total: int = 0


def run(params: FindInput, ctx: ComponentContext) -> FindResult:
    """Find the records."""
    # As the records API: ascending when a sortField is given, newest first otherwise.
    descending = params.sortType == -1 if params.sortField is not None else params.sortType != 1
    spec = FindSpec(
        filters=params.filters,
        search_text=params.searchText,
        sort_field=params.sortField,
        descending=descending,
        limit=params.limit,
        offset=params.offset,
        fields=field_set(params.fields),
    )
    with translated():
        found, total = records_of(ctx).find(params.catalogId, spec)
    return FindResult(records=found, total=total)


SPEC = register(
    ComponentSpec(
        name="records.find",
        input_model=FindInput,
        result_model=FindResult,
        errors=READ_ERRORS,
        run=run,
        summary="Find records of a catalog by filters, sorted, one page.",
    )
)
