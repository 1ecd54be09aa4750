"""`sql.query`'s values both ways and its error codes, without a server: what a driver hands
over becomes JSON as documented, what a process binds becomes what the driver takes, and the
servers' own codes become the component's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from automations.components.sql_errors import code_of, server_message
from automations.components.sql_values import from_database, row_converter, to_database


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (2**63 - 1, 2**63 - 1),
        (0.1, 0.1),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
        (Decimal("12345678901234567.123456"), "12345678901234567.123456"),
        (Decimal("1E+3"), "1000"),  # never an exponent
        (Decimal("0.10"), "0.10"),  # the column's scale kept
        (Decimal("NaN"), "NaN"),
        (date(2024, 2, 29), "2024-02-29"),
        (datetime(2024, 3, 5, 10, 20, 30, 123456), "2024-03-05T10:20:30.123456"),
        (
            datetime(2024, 3, 5, 10, 20, 30, tzinfo=timezone(timedelta(hours=3))),
            "2024-03-05T10:20:30+03:00",
        ),
        (time(10, 30, tzinfo=UTC), "10:30:00+00:00"),
        (b"\x00\xff", "AP8="),
        (memoryview(b"ab"), "YWI="),
        (UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ([Decimal("1.5"), None], ["1.5", None]),
        ({"a": Decimal("2")}, {"a": "2"}),
    ],
)
def test_values_from_the_database(value: Any, expected: Any) -> None:
    assert from_database(value, "postgresql") == expected


@pytest.mark.parametrize(
    ("span", "iso", "clock"),
    [
        (timedelta(days=1, hours=2, seconds=3.5), "P1DT2H3.5S", "26:00:03.500000"),
        (timedelta(0), "PT0S", "00:00:00"),
        (timedelta(hours=-838, minutes=-59, seconds=-59), "-P34DT22H59M59S", "-838:59:59"),
        (timedelta(minutes=90), "PT1H30M", "01:30:00"),
    ],
)
def test_intervals_as_durations_and_mysql_time_as_a_clock(
    span: timedelta, iso: str, clock: str
) -> None:
    assert from_database(span, "postgresql") == iso
    assert from_database(span, "mysql") == clock


def test_json_text_columns_are_parsed_and_a_lenient_one_stays_text() -> None:
    convert = row_converter(3, "mysql", frozenset({0, 1}))
    assert convert(('{"a": [1]}', "not json", '{"b": 2}')) == [{"a": [1]}, "not json", '{"b": 2}']


@pytest.mark.parametrize(
    ("dialect", "value", "expected"),
    [
        ("postgresql", [1, 2], [1, 2]),  # an array: = ANY(:ids)
        ("mysql", [1, "a"], (1, "a")),  # (1, 'a'): IN :ids
        ("sqlite", [1, 2], "[1, 2]"),
        ("postgresql", {"name": "Ада"}, '{"name": "Ада"}'),
        ("postgresql", [{"a": 1}], '[{"a": 1}]'),  # objects inside: a JSON document
        ("mysql", [[1], [2]], "[[1], [2]]"),
        ("postgresql", "text", "text"),
        ("postgresql", None, None),
    ],
)
def test_values_to_the_database(dialect: str, value: Any, expected: Any) -> None:
    assert to_database(value, dialect) == expected
    if isinstance(expected, str) and expected.startswith(("[", "{")):
        assert json.loads(expected) == value


class PgError(Exception):
    def __init__(self, sqlstate: str | None, message: str = "") -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "code"),
    [
        ("57014", "sql.timeout"),  # statement timeout
        ("55P03", "sql.timeout"),  # lock not available
        ("23505", "sql.constraint"),  # unique
        ("23503", "sql.constraint"),  # foreign key
        ("42601", "sql.syntax"),
        ("42P01", "sql.syntax"),  # no such table
        ("42501", "sql.failed"),  # no permission: not a syntax error
        ("28P01", "sql.connection"),  # wrong password
        ("22001", "sql.failed"),  # value too long
    ],
)
def test_postgresql_codes(sqlstate: str, code: str) -> None:
    assert code_of(PgError(sqlstate), "postgresql", connecting=False) == code


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (1969, "sql.timeout"),
        (3024, "sql.timeout"),
        (1062, "sql.constraint"),
        (1452, "sql.constraint"),
        (1064, "sql.syntax"),
        (1146, "sql.syntax"),
        (1045, "sql.connection"),
        (2003, "sql.connection"),
    ],
)
def test_mysql_codes(number: int, code: str) -> None:
    assert code_of(Exception(number, "text"), "mysql", connecting=False) == code


def test_server_messages_are_one_line_with_mysqls_number() -> None:
    assert server_message(Exception(1062, "Duplicate entry '1'")) == (
        "Duplicate entry '1' (error 1062)"
    )
    pg = PgError("42601", 'syntax error at or near "SELEKT"\nLINE 1: SELEKT 1\n        ^\n')
    assert server_message(pg) == 'syntax error at or near "SELEKT" | LINE 1: SELEKT 1'
