"""Record filters as a small typed tree, and its meaning as plain Python.

`automations.model.filter_parse` builds the tree from the product's query formats; a store may
evaluate it natively (SQLite compiles it to SQL) but must agree with `matches` here, which is the
reference: tests run both on the same records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from automations.model.values import is_empty

# Contact search ignores the usual phone punctuation ("8-901 (234)" matches "8901234").
PHONE_PUNCTUATION = (" ", "-", "(", ")", "+", ".")


def fold(text: str) -> str:
    """Case-insensitive form of a text for "contains" searches (Unicode aware)."""
    return text.casefold()


def strip_phone(text: str) -> str:
    """A contact with phone punctuation removed."""
    for char in PHONE_PUNCTUATION:
        text = text.replace(char, "")
    return text


@dataclass(frozen=True, slots=True)
class TextContains:
    """The field's text (or its `key` inside an object value) contains `text`, any case."""

    field_id: str
    text: str
    key: str | None = None


@dataclass(frozen=True, slots=True)
class ContactContains:
    """One of the field's contacts contains `text`, phone punctuation ignored on both sides."""

    field_id: str
    text: str


@dataclass(frozen=True, slots=True)
class InRange:
    """The field's number, or date as UTC text, lies within [at, to]; a None bound is open."""

    field_id: str
    at: float | str | None
    to: float | str | None


@dataclass(frozen=True, slots=True)
class OneOf:
    """The field's scalar value equals one of `options`."""

    field_id: str
    options: tuple[float | str, ...]


@dataclass(frozen=True, slots=True)
class HasAny:
    """The field's list holds one of `ids` (or, with `key`, an object whose `key` is one)."""

    field_id: str
    ids: tuple[str, ...]
    key: str | None = None


@dataclass(frozen=True, slots=True)
class LinksAny:
    """The field links to one of the records `links` ((catalogId, recordId) pairs)."""

    field_id: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class IsEmpty:
    """The field is not filled (missing, null, empty text or empty list)."""

    field_id: str


@dataclass(frozen=True, slots=True)
class IdIn:
    """The record's id is one of `ids`."""

    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every condition holds (an empty list holds)."""

    items: tuple[FilterExpr, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one condition holds (an empty list does not)."""

    items: tuple[FilterExpr, ...]


FilterExpr = (
    TextContains
    | ContactContains
    | InRange
    | OneOf
    | HasAny
    | LinksAny
    | IsEmpty
    | IdIn
    | AllOf
    | AnyOf
)


def matches(expr: FilterExpr, record_id: str, values: Mapping[str, Any]) -> bool:
    """Whether a record with these values satisfies the filter."""
    match expr:
        case AllOf(items):
            return all(matches(item, record_id, values) for item in items)
        case AnyOf(items):
            return any(matches(item, record_id, values) for item in items)
        case IdIn(ids):
            return record_id in ids
        case IsEmpty(field_id):
            return is_empty(values.get(field_id))
    return _field_matches(expr, values.get(getattr(expr, "field_id", "")))


def _field_matches(expr: FilterExpr, value: Any) -> bool:
    match expr:
        case TextContains(_, text, key):
            if key is not None:
                value = value.get(key) if isinstance(value, dict) else None
            return isinstance(value, str) and fold(text) in fold(value)
        case ContactContains(_, text):
            wanted = fold(strip_phone(text))
            return any(
                isinstance(c, dict) and wanted in fold(strip_phone(str(c.get("contact", ""))))
                for c in _as_list(value)
            )
        case InRange(_, at, to):
            return _in_range(value, at, to)
        case OneOf(_, options):
            return _is_number(value) and value in options
        case HasAny(_, ids, key):
            found = (v.get(key) if key and isinstance(v, dict) else v for v in _as_list(value))
            return any(str(v) in ids for v in found if v is not None)
        case LinksAny(_, links):
            return any(
                isinstance(v, dict) and (str(v.get("catalogId")), str(v.get("recordId"))) in links
                for v in _as_list(value)
            )
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _in_range(value: Any, at: float | str | None, to: float | str | None) -> bool:
    # Dates are bounded by text, numbers by numbers; a value of the other kind never matches.
    by_text = isinstance(at if at is not None else to, str)
    if not (isinstance(value, str) if by_text else _is_number(value)):
        return False
    return (at is None or value >= at) and (to is None or value <= to)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
