"""The product's `filters` formats, read against a catalog into a FilterExpr.

Two formats (records API documentation): an array `[{fieldId, value}, ...]` (all must hold) and
a JSON object `{fieldId: value, "$or": [...], "$and": [...]}`, where a field's value may itself
be `{"$or": [...]}` or `{"$and": [...]}`. What a value means depends on the field's type: one
builder per type in `BUILDERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from automations.model.base import utc_iso
from automations.model.catalog import Catalog, CatalogField, FieldType
from automations.model.errors import FilterInvalid
from automations.model.filters import (
    AllOf,
    AnyOf,
    ContactContains,
    FilterExpr,
    HasAny,
    InRange,
    IsEmpty,
    LinksAny,
    OneOf,
    TextContains,
)
from automations.model.values import date_bound

MAX_DEPTH = 8
MAX_TERMS = 200
NULL_DATE = "NULL_DATE"
CURRENT_USER = "CURRENT_USER"


@dataclass(frozen=True, slots=True)
class FilterContext:
    """What a filter value may refer to: the caller (CURRENT_USER) and their time zone."""

    user_id: str | None = None
    timezone_offset_minutes: int = 0


class _Reader:
    """Reads one filter document; counts terms so a hostile query cannot grow without bound."""

    def __init__(self, catalog: Catalog, context: FilterContext) -> None:
        self.catalog = catalog
        self.context = context
        self.terms = 0

    def document(self, raw: Any, depth: int = 0) -> FilterExpr:
        if depth > MAX_DEPTH:
            raise FilterInvalid(f"filters are nested deeper than {MAX_DEPTH} levels")
        if isinstance(raw, list):
            return AllOf(tuple(self._array_entry(entry, depth) for entry in raw))
        if not isinstance(raw, dict):
            raise FilterInvalid("filters must be an array or an object")
        parts: list[FilterExpr] = []
        for key, value in raw.items():
            if key in ("$or", "$and"):
                parts.append(self._group(key, value, depth))
            else:
                parts.append(self.field_value(str(key), value, depth))
        return AllOf(tuple(parts))

    def _array_entry(self, entry: Any, depth: int) -> FilterExpr:
        if not isinstance(entry, dict) or "fieldId" not in entry:
            raise FilterInvalid("each filter in the array needs a fieldId and a value")
        return self.field_value(str(entry["fieldId"]), entry.get("value"), depth)

    def _group(self, key: str, value: Any, depth: int) -> FilterExpr:
        if not isinstance(value, list):
            raise FilterInvalid(f"{key} takes an array")
        items = tuple(self.document(item, depth + 1) for item in value)
        return AnyOf(items) if key == "$or" else AllOf(items)

    def field_value(self, field_id: str, value: Any, depth: int) -> FilterExpr:
        field = self.catalog.field(field_id)
        if field is None:
            raise FilterInvalid(
                f"field {field_id}: no such field in the catalog", field_id=field_id
            )
        if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("$or", "$and"):
            key, options = next(iter(value.items()))
            if not isinstance(options, list) or depth > MAX_DEPTH:
                raise FilterInvalid(f"field {field_id}: {key} takes an array", field_id=field_id)
            items = tuple(self.field_value(field_id, option, depth + 1) for option in options)
            return AnyOf(items) if key == "$or" else AllOf(items)
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise FilterInvalid(f"at most {MAX_TERMS} filter conditions")
        if value is None:
            return IsEmpty(field_id)
        builder = BUILDERS.get(field.type, _not_filterable)
        try:
            return builder(field, value, self.context)
        except (TypeError, ValueError) as exc:
            raise FilterInvalid(f"field {field_id}: {exc}", field_id=field_id) from exc


def parse_filters(catalog: Catalog, raw: Any, context: FilterContext | None = None) -> FilterExpr:
    """The filter a client sent (already decoded from JSON or from `filters[0][...]` keys)."""
    return _Reader(catalog, context or FilterContext()).document(raw)


def search_text_filter(catalog: Catalog, text: str) -> FilterExpr:
    """`searchText`: the text occurs in any text, contact or address field."""
    searchable: dict[FieldType, Callable[[str], FilterExpr]] = {
        FieldType.TEXT: lambda fid: TextContains(fid, text),
        FieldType.ADDRESS: lambda fid: TextContains(fid, text, key="value"),
        FieldType.CONTACT: lambda fid: ContactContains(fid, text),
    }
    return AnyOf(tuple(searchable[f.type](f.id) for f in catalog.fields if f.type in searchable))


Builder = Callable[[CatalogField, Any, FilterContext], FilterExpr]


def _text(field: CatalogField, value: Any, _: FilterContext) -> FilterExpr:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("a text filter takes a string")
    key = "value" if field.type == FieldType.ADDRESS else None
    return TextContains(field.id, str(value), key=key)


def _contact(field: CatalogField, value: Any, _: FilterContext) -> FilterExpr:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError("a contact filter takes a string")
    return ContactContains(field.id, str(value))


def _number_of(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())  # query strings carry numbers as text
    raise ValueError("expected a number")


def _range_bounds(value: dict[str, Any]) -> tuple[Any, Any]:
    unknown = set(value) - {"at", "to"}
    if unknown:
        raise ValueError(f"a range takes `at` and `to`, not {sorted(unknown)[0]}")
    return _blank_to_none(value.get("at")), _blank_to_none(value.get("to"))


def _blank_to_none(value: Any) -> Any:
    return None if value in (None, "") else value


def _number(field: CatalogField, value: Any, _: FilterContext) -> FilterExpr:
    if isinstance(value, dict):
        at, to = _range_bounds(value)
        if at is None and to is None:
            return AllOf(())  # an empty range does not constrain
        return InRange(
            field.id,
            None if at is None else _number_of(at),
            None if to is None else _number_of(to),
        )
    if isinstance(value, list):
        return OneOf(field.id, tuple(_number_of(v) for v in value))
    return OneOf(field.id, (_number_of(value),))


def _date_text(text: Any, context: FilterContext, *, end: bool) -> str:
    """A bound in UTC text; a bare date is the caller's whole local day (`timezoneOffset`)."""
    if not isinstance(text, str):
        raise ValueError("a date bound must be an ISO 8601 string")
    local = timezone(timedelta(minutes=context.timezone_offset_minutes))
    if len(text) == 10:
        day = datetime.fromisoformat(text).replace(tzinfo=local)
        moment = day + timedelta(days=1, milliseconds=-1) if end else day
    else:
        moment = date_bound(text)
        if "T" in text and datetime.fromisoformat(text).tzinfo is None:
            moment = moment.replace(tzinfo=local)
    return utc_iso(moment.astimezone(UTC))


def _date(field: CatalogField, value: Any, context: FilterContext) -> FilterExpr:
    if value == NULL_DATE:
        return IsEmpty(field.id)
    if isinstance(value, dict):
        at, to = _range_bounds(value)
    else:
        at, to = value, value  # one date: that day (or that instant)
    if at is None and to is None:
        return AllOf(())
    return InRange(
        field.id,
        None if at is None else _date_text(at, context, end=False),
        None if to is None else _date_text(to, context, end=True),
    )


def _ids(value: Any, key: str | None = None) -> tuple[str, ...]:
    options = value if isinstance(value, list) else [value]
    ids: list[str] = []
    for option in options:
        raw = option.get(key) if key and isinstance(option, dict) else option
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise ValueError("expected ids")
        ids.append(str(raw))
    return tuple(ids)


def _choices(field: CatalogField, value: Any, _: FilterContext) -> FilterExpr:
    return HasAny(field.id, _ids(value))


def _stars(field: CatalogField, value: Any, context: FilterContext) -> FilterExpr:
    return _number(field, value, context)


def _user(field: CatalogField, value: Any, context: FilterContext) -> FilterExpr:
    ids = _ids(value, key="id")
    if CURRENT_USER in ids:
        mine = () if context.user_id is None else (context.user_id,)
        ids = tuple(i for i in ids if i != CURRENT_USER) + mine
    return HasAny(field.id, ids, key="id")


def _object(field: CatalogField, value: Any, _: FilterContext) -> FilterExpr:
    links: list[tuple[str, str]] = []
    for entry in value if isinstance(value, list) else [value]:
        if not isinstance(entry, dict):
            raise ValueError("a link filter takes [{catalogId, recordId}]")
        if "filters" in entry:
            raise ValueError("filters on linked records' fields are not supported")
        links.append((_ids(entry.get("catalogId"))[0], _ids(entry.get("recordId"))[0]))
    return LinksAny(field.id, tuple(links))


def _not_filterable(field: CatalogField, value: Any, _: FilterContext) -> FilterExpr:
    raise ValueError(f"fields of type {field.type} cannot be filtered")


BUILDERS: Mapping[FieldType, Builder] = {
    FieldType.TEXT: _text,
    FieldType.ADDRESS: _text,
    FieldType.CONTACT: _contact,
    FieldType.NUMBER: _number,
    FieldType.PROGRESS: _number,
    FieldType.STARS: _stars,
    FieldType.DATE: _date,
    FieldType.DROPDOWN: _choices,
    FieldType.CHECKBOXES: _choices,
    FieldType.RADIOBUTTON: _choices,
    FieldType.USER: _user,
    FieldType.OBJECT: _object,
}
