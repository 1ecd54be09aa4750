"""Records: values keyed by field id, in the product's JSON shape (`GET .../records/{id}`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import Field

from automations.model.base import CamelModel, UtcDateTime, utc_iso
from automations.model.catalog import Catalog, DigitId, FieldType
from automations.model.filters import FilterExpr

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class Record(CamelModel):
    """A stored record. `revision` grows with every write (optimistic concurrency)."""

    id: DigitId
    catalog_id: DigitId
    values: dict[str, Any] = Field(default_factory=dict)
    created_at: UtcDateTime
    updated_at: UtcDateTime
    revision: int = 1


class RecordValuesBody(CamelModel):
    """The body of `POST .../records` and `PATCH .../records/{id}`: `{"values": {...}}`."""

    values: dict[str, Any]


class CreatedId(CamelModel):
    """The answer to a create: `{"id": "31015"}`."""

    id: str


@dataclass(frozen=True, slots=True)
class SortSpec:
    """Order by a field's value (`sortField`) or, when `field_id` is None, by record id."""

    field_id: str | None = None
    descending: bool = False


@dataclass(frozen=True, slots=True)
class RecordQuery:
    """What `find` returns: records matching `where`, sorted, one page of them."""

    where: FilterExpr | None = None
    sort: SortSpec = field(default_factory=lambda: SortSpec(descending=True))
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def record_title(catalog: Catalog, values: dict[str, Any]) -> str:
    """The record's title as the product shows it: its first text field's value."""
    first_text = next((f for f in catalog.fields if f.type == FieldType.TEXT), None)
    if first_text is None:
        return ""
    value = values.get(first_text.id)
    return value if isinstance(value, str) else ""


def record_json(catalog: Catalog, record: Record, fields: set[str] | None = None) -> dict[str, Any]:
    """A record as the product returns it (`id`, `title`, `values`), plus its times."""
    values = (
        record.values if fields is None else {k: v for k, v in record.values.items() if k in fields}
    )
    return {
        "id": record.id,
        "catalogId": record.catalog_id,
        "title": record_title(catalog, record.values),
        "values": values,
        "createdAt": utc_iso(record.created_at),
        "updatedAt": utc_iso(record.updated_at),
    }
