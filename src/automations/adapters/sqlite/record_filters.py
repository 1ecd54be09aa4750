"""FilterExpr -> an SQL condition on `records.field_values`, with every value bound.

Only placeholders (`?`) and fixed SQL are ever put into the text (hence the S608 waivers).
Must mean exactly what `automations.model.filters.matches` means; tests run both on the same
records. Type guards (`json_type`) keep a value of another shape from ever matching, as in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from automations.model.filters import (
    AllOf,
    AnyOf,
    ContactContains,
    FilterExpr,
    HasAny,
    IdIn,
    InRange,
    IsEmpty,
    LinksAny,
    OneOf,
    TextContains,
)

Sql = tuple[str, list[Any]]
COLUMN = "field_values"


def field_path(field_id: str, key: str | None = None) -> str:
    """The JSON path of a field's value (or of `key` inside it)."""
    path = '$."' + field_id.replace('"', "") + '"'
    return path + "." + key if key else path


def compile_filter(expr: FilterExpr) -> Sql:
    """The condition and its parameters, in order."""
    return _COMPILERS[type(expr)](expr)


def _all(expr: Any) -> Sql:
    return _join(expr.items, " AND ", "1")


def _any(expr: Any) -> Sql:
    return _join(expr.items, " OR ", "0")


def _join(items: tuple[FilterExpr, ...], glue: str, empty: str) -> Sql:
    if not items:
        return empty, []
    parts = [compile_filter(item) for item in items]
    return "(" + glue.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]


def _text(expr: Any) -> Sql:
    path = field_path(expr.field_id, expr.key)
    return f"contains_folded(json_extract({COLUMN}, ?), ?)", [path, expr.text]


def _contact(expr: Any) -> Sql:
    path = field_path(expr.field_id)
    return (
        f"(json_type({COLUMN}, ?) = 'array' AND EXISTS (SELECT 1 FROM json_each({COLUMN}, ?) AS e"  # noqa: S608
        " WHERE CASE WHEN e.type = 'object' THEN contains_folded("
        "strip_phone(json_extract(e.value, '$.contact')), strip_phone(?)) ELSE 0 END))",
        [path, path, expr.text],
    )


def _range(expr: Any) -> Sql:
    path = field_path(expr.field_id)
    bound = expr.at if expr.at is not None else expr.to
    types = "('text')" if isinstance(bound, str) else "('integer', 'real')"
    sql, params = f"json_type({COLUMN}, ?) IN {types}", [path]
    for value, op in ((expr.at, ">="), (expr.to, "<=")):
        if value is not None:
            sql += f" AND json_extract({COLUMN}, ?) {op} ?"
            params += [path, value]
    return f"({sql})", params


def _one_of(expr: Any) -> Sql:
    path = field_path(expr.field_id)
    marks = ", ".join("?" for _ in expr.options)
    return (
        f"(json_type({COLUMN}, ?) IN ('integer', 'real')"
        f" AND json_extract({COLUMN}, ?) IN ({marks}))",
        [path, path, *expr.options],
    )


def _has_any(expr: Any) -> Sql:
    path = field_path(expr.field_id)
    element = "e.value"
    params: list[Any] = [path, path]
    if expr.key:
        element = "CASE WHEN e.type = 'object' THEN json_extract(e.value, ?) END"
        params.append("$." + expr.key)
    marks = ", ".join("?" for _ in expr.ids)
    return (
        f"(json_type({COLUMN}, ?) = 'array' AND EXISTS (SELECT 1 FROM json_each({COLUMN}, ?)"  # noqa: S608
        f" AS e WHERE CAST({element} AS TEXT) IN ({marks})))",
        [*params, *expr.ids],
    )


def _links_any(expr: Any) -> Sql:
    path = field_path(expr.field_id)
    pairs = ", ".join("(?, ?)" for _ in expr.links)
    return (
        f"(json_type({COLUMN}, ?) = 'array' AND EXISTS (SELECT 1 FROM json_each({COLUMN}, ?)"  # noqa: S608
        " AS e WHERE e.type = 'object' AND (CAST(json_extract(e.value, '$.catalogId') AS TEXT),"
        f" CAST(json_extract(e.value, '$.recordId') AS TEXT)) IN (VALUES {pairs})))",
        [path, path, *(part for link in expr.links for part in link)],
    )


def _empty(expr: Any) -> Sql:
    path = field_path(expr.field_id)
    return (
        f"(COALESCE(json_type({COLUMN}, ?), 'null') = 'null'"
        f" OR (json_type({COLUMN}, ?) = 'text' AND json_extract({COLUMN}, ?) = '')"
        f" OR (json_type({COLUMN}, ?) = 'array' AND json_array_length({COLUMN}, ?) = 0))",
        [path, path, path, path, path],
    )


def _id_in(expr: Any) -> Sql:
    ids = [int(i) for i in expr.ids if i.isdigit() and len(i) <= 18]
    if not ids:
        return "0", []
    return "records.id IN (" + ", ".join("?" for _ in ids) + ")", ids


_COMPILERS: dict[type, Callable[[Any], Sql]] = {
    AllOf: _all,
    AnyOf: _any,
    TextContains: _text,
    ContactContains: _contact,
    InRange: _range,
    OneOf: _one_of,
    HasAny: _has_any,
    LinksAny: _links_any,
    IsEmpty: _empty,
    IdIn: _id_in,
}
