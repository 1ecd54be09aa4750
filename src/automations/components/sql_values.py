"""Values between `sql.query` and the database: what a process may bind, what a row becomes.

To the database: JSON values as they are (strings, numbers, booleans, null); an object, or a
list holding objects or lists, as its JSON text (for a json/jsonb column or a JSON function); a
list of plain values as PostgreSQL's array (`= ANY(:ids)`; `array_to_json(:ids)` for a JSON
column) and MySQL's `(a, b)` list (`IN :ids`), as JSON text for the other databases.

From the database: integers and floats stay numbers (a NaN or an infinity, which JSON cannot
hold, becomes the text "NaN", "Infinity" or "-Infinity"), booleans booleans; numeric/decimal
become exact strings ("12.50", never an exponent); dates, times and timestamps ISO 8601, with
the offset where the value has a zone (PostgreSQL's timestamptz and timetz); an interval an ISO
8601 duration ("P1DT2H3M4S"), MySQL's TIME its clock text ("-838:59:59"); JSON already parsed
by the driver stays so (a MySQL/MariaDB JSON column is parsed here: `json_columns`); bytes base64;
UUIDs, network addresses and anything else their text; arrays lists; NULL null.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any


def to_database(value: Any, dialect: str) -> Any:
    """A bound parameter as the driver of `dialect` takes it."""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        if any(isinstance(item, dict | list) for item in value):
            # Objects or lists inside: a JSON document (for a json column), not an array.
            return json.dumps(value, ensure_ascii=False)
        if dialect == "postgresql":
            return [to_database(item, dialect) for item in value]
        if dialect == "mysql":
            return tuple(to_database(item, dialect) for item in value)
        return json.dumps(value, ensure_ascii=False)
    return value


def from_database(value: Any, dialect: str) -> Any:
    """A column's value as process data (JSON)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _clock_text(value) if dialect == "mysql" else _duration_text(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple):
        return [from_database(item, dialect) for item in value]
    if isinstance(value, Mapping):
        return {str(key): from_database(item, dialect) for key, item in value.items()}
    return str(value)  # UUID, inet, ranges...: their text is what a person reads


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        return "NaN" if value.is_nan() else ("Infinity" if value > 0 else "-Infinity")
    return format(value, "f")


def _duration_text(value: timedelta) -> str:
    """ISO 8601: P[n]DT[n]H[n]M[n]S, negative as a whole with a leading minus."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    days = value.days
    seconds = value.seconds
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    fraction = f".{value.microseconds:06d}".rstrip("0") if value.microseconds else ""
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if secs or fraction or not (days or clock):
        clock += f"{secs}{fraction}S"
    return f"{sign}P{f'{days}D' if days else ''}{'T' + clock if clock else ''}"


def _clock_text(value: timedelta) -> str:
    """MySQL's TIME, which pymysql reads as a timedelta: [-]HH:MM:SS[.ffffff], hours past 24."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    total = value.days * 86400 + value.seconds
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    fraction = f".{value.microseconds:06d}" if value.microseconds else ""
    return f"{sign}{hours:02d}:{minutes:02d}:{secs:02d}{fraction}"


def row_converter(
    columns: int, dialect: str, json_columns: frozenset[int]
) -> Callable[[tuple[Any, ...]], list[Any]]:
    """How one row's values become JSON: `json_columns` (positions) hold JSON text to parse."""

    def convert(row: tuple[Any, ...]) -> list[Any]:
        values = [from_database(value, dialect) for value in row]
        for position in json_columns:
            text = values[position]
            if isinstance(text, str):
                # Not JSON after all (a lenient column): the text is still worth having.
                with contextlib.suppress(ValueError):
                    values[position] = json.loads(text)
        return values

    return convert
