"""Record values, checked per field type against the catalog, and brought to one stored form.

One validator per field type (the table `VALIDATORS`): it takes the field and the value a client
sent and returns the value as it is stored and returned, or raises `_Bad`. `null` clears any field.
The accepted shapes are those of the product's documentation (records API, record components).

No text anywhere in a value may hold NUL (U+0000): SQLite's JSON functions end a string at it,
so filters and search would miss what follows, and PostgreSQL cannot store it at all. It is
refused in every runtime rather than stored where some queries cannot see it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from automations.model.base import utc_iso
from automations.model.catalog import Catalog, CatalogField, FieldType
from automations.model.errors import FieldProblem, ValuesInvalid
from automations.model.file import is_file_id

MAX_LIST = 1000


class _Bad(Exception):
    """Raised by a validator; turned into a FieldProblem naming the field."""

    def __init__(self, message: str, code: str = "wrong_type") -> None:
        self.code = code
        super().__init__(message)


Validator = Callable[[CatalogField, Any], Any]


def _text(_: CatalogField, value: Any) -> Any:
    if not isinstance(value, str):
        raise _Bad("expected a string")
    return value


def _number(_: CatalogField, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad("expected a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Bad("expected a finite number")
    return value


def _bounded(low: int, high: int, *, whole: bool) -> Validator:
    def check(field: CatalogField, value: Any) -> Any:
        number = _number(field, value)
        if whole and number != int(number):
            raise _Bad("expected a whole number")
        if not low <= number <= high:
            raise _Bad(f"expected a number from {low} to {high}", "out_of_range")
        return int(number) if whole else number

    return check


def parse_date(text: str) -> datetime:
    """An ISO 8601 date or date-time; a bare date or a time without offset is taken as UTC."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise _Bad("expected an ISO 8601 date such as 2015-11-06T21:00:00.000Z") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _date(_: CatalogField, value: Any) -> Any:
    if not isinstance(value, str):
        raise _Bad("expected an ISO 8601 date string")
    # Stored in UTC with a fixed width, so that dates compare as text (filters, sorting).
    return utc_iso(parse_date(value))


def _as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _Bad("expected an array")
    if len(value) > MAX_LIST:
        raise _Bad(f"at most {MAX_LIST} entries", "too_long")
    return value


def _id_text(value: Any, what: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.isdigit() and len(value) <= 18:
        return value
    raise _Bad(f"{what} must be an id (digits)")


def _single_allowed(field: CatalogField, values: list[Any]) -> None:
    if field.config.get("multiselect") is False and len(values) > 1:
        raise _Bad("this field takes one value", "too_many")


def _choices(field: CatalogField, value: Any) -> Any:
    # The product writes ["1", "2"]; its components also accept one id ("2" or 2).
    raw = value if isinstance(value, list) else [value]
    ids = list(dict.fromkeys(_id_text(v, "each choice") for v in _as_list(raw)))
    items = field.config.get("items")
    if isinstance(items, list):
        known = {str(i.get("id")) for i in items if isinstance(i, dict)}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise _Bad(f"no choice with id {unknown[0]}", "unknown_choice")
    if field.type == FieldType.RADIOBUTTON and len(ids) > 1:
        raise _Bad("this field takes one choice", "too_many")
    _single_allowed(field, ids)
    return ids


def _object_entries(value: Any, keys: dict[str, tuple[type, ...]]) -> list[dict[str, Any]]:
    """Objects with only the known keys kept, each of one of its allowed types."""
    entries: list[dict[str, Any]] = []
    for entry in _as_list(value):
        if not isinstance(entry, dict):
            raise _Bad("expected an array of objects")
        kept: dict[str, Any] = {}
        for key, kinds in keys.items():
            item = entry.get(key)
            if item is None:
                continue
            if isinstance(item, bool) or not isinstance(item, kinds):
                names = " or ".join(kind.__name__ for kind in kinds)
                raise _Bad(f"`{key}` must be of type {names}")
            kept[key] = item
        entries.append(kept)
    return entries


def _contact(_: CatalogField, value: Any) -> Any:
    entries = _object_entries(value, {"contact": (str,), "comment": (str,)})
    if any("contact" not in e for e in entries):
        raise _Bad("each contact needs a `contact` string")
    return [{"contact": e["contact"], "comment": e.get("comment", "")} for e in entries]


def _user(field: CatalogField, value: Any) -> Any:
    users: list[dict[str, Any]] = []
    for entry in _as_list(value):
        user_id = entry.get("id") if isinstance(entry, dict) else entry
        users.append({"id": _id_text(user_id, "each user")})
    _single_allowed(field, users)
    return users


def _object(field: CatalogField, value: Any) -> Any:
    allowed = {
        str(c.get("id"))
        for c in field.config.get("catalogs", [])
        if isinstance(c, dict) and c.get("id") is not None
    }
    links: list[dict[str, Any]] = []
    for entry in _as_list(value):
        if not isinstance(entry, dict):
            raise _Bad("expected an array of {catalogId, recordId}")
        link = {
            "catalogId": _id_text(entry.get("catalogId"), "catalogId"),
            "recordId": _id_text(entry.get("recordId"), "recordId"),
        }
        if allowed and link["catalogId"] not in allowed:
            raise _Bad(f"this field does not link to catalog {link['catalogId']}", "wrong_catalog")
        links.append(link)
    _single_allowed(field, links)
    return links


_FILE_KEYS: dict[str, tuple[type, ...]] = {
    "id": (str, int),
    "src": (str,),
    "title": (str,),
    "mimeType": (str,),
    "size": (int,),
}


def _file(field: CatalogField, value: Any) -> Any:
    files = _object_entries(value, _FILE_KEYS)
    for entry in files:
        if "id" in entry:
            # The file store's ids (`POST /api/v1/files`, mail attachments), or the product's.
            stored = isinstance(entry["id"], str) and is_file_id(entry["id"])
            entry["id"] = entry["id"] if stored else _id_text(entry["id"], "a file id")
        elif "src" not in entry:
            raise _Bad("each file needs an `id` (stored file) or a `src` (external file)")
        elif urlsplit(entry["src"]).scheme not in ("http", "https"):
            raise _Bad("a file `src` must be an http(s) URL")
    _single_allowed(field, files)
    return files


def _address(_: CatalogField, value: Any) -> Any:
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise _Bad("expected an object {value, provider, data}")
    data = value.get("data", {})
    if data is not None and not isinstance(data, dict):
        raise _Bad("address `data` must be an object")
    provider = value.get("provider")
    if provider is not None and not isinstance(provider, str):
        raise _Bad("address `provider` must be a string")
    return {"value": value["value"], "provider": provider, "data": data}


def _no_value(_: CatalogField, value: Any) -> Any:
    raise _Bad("this field holds no value", "not_writable")


VALIDATORS: dict[FieldType, Validator] = {
    FieldType.GROUP: _no_value,
    FieldType.TEXT: _text,
    FieldType.NUMBER: _number,
    FieldType.DATE: _date,
    FieldType.DROPDOWN: _choices,
    FieldType.CHECKBOXES: _choices,
    FieldType.RADIOBUTTON: _choices,
    FieldType.PROGRESS: _bounded(0, 100, whole=False),
    FieldType.STARS: _bounded(0, 5, whole=True),
    FieldType.CONTACT: _contact,
    FieldType.USER: _user,
    FieldType.OBJECT: _object,
    FieldType.FILE: _file,
    FieldType.ADDRESS: _address,
    FieldType.BUTTON: _no_value,
}


def _without_nul(value: Any) -> Any:
    """`value` itself; _Bad when any text in it (object keys too) holds NUL."""
    pending = [value]
    while pending:  # no recursion: an address's `data` may nest deeply
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise _Bad("the NUL character (U+0000) is not allowed in text", "nul_character")
        elif isinstance(item, dict):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            pending += item
    return value


def is_empty(value: Any) -> bool:
    """Whether a stored value counts as "not filled" (null, empty string, empty list)."""
    return value is None or value == "" or value == []


def validate_values(
    catalog: Catalog, values: Mapping[str, Any], *, complete: bool = False
) -> dict[str, Any]:
    """The values in stored form; raises ValuesInvalid listing every field at fault.

    Required fields may never be emptied; with `complete` (a create: `values` is the whole
    record) they may not be missing either.
    """
    problems: list[FieldProblem] = []
    clean: dict[str, Any] = {}
    for field_id, value in values.items():
        field = catalog.field(field_id)
        if field is None:
            problems.append(FieldProblem(field_id, "unknown_field", "no such field in the catalog"))
            continue
        if value is None:
            clean[field_id] = None
            continue
        try:
            clean[field_id] = _without_nul(VALIDATORS[field.type](field, value))
        except _Bad as bad:
            problems.append(FieldProblem(field_id, bad.code, f"{field.type}: {bad}"))
    for field in catalog.fields:
        # A required field may not be emptied; on a complete record it may not be missing either.
        missing = field.id not in values and complete
        if field.required and (missing or (field.id in clean and is_empty(clean[field.id]))):
            problems.append(FieldProblem(field.id, "required", "a value is required"))
    if problems:
        raise ValuesInvalid(problems)
    return clean


def date_bound(text: str) -> datetime:
    """A filter bound as a datetime (raises ValueError on a bad date); used by filters."""
    try:
        return parse_date(text)
    except _Bad as bad:
        raise ValueError(str(bad)) from bad
