from __future__ import annotations

from datetime import UTC, datetime

import pytest

from automations.service.errors import ExpressionInvalid
from automations.service.recurrence import Cron, Rate, parse_recurrence

SUNDAY_NIGHT = datetime(2026, 1, 31, 23, 59, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(5 minutes)", datetime(2026, 2, 1, 0, 4, 30, tzinfo=UTC)),
        ("rate(1 hour)", datetime(2026, 2, 1, 0, 59, 30, tzinfo=UTC)),
        ("cron(0 12 * * ? *)", datetime(2026, 2, 1, 12, 0, tzinfo=UTC)),
        ("cron(0/15 8-17 ? * MON-FRI *)", datetime(2026, 2, 2, 8, 0, tzinfo=UTC)),
        ("cron(30 9 1 JAN,JUL ? 2030)", datetime(2030, 1, 1, 9, 30, tzinfo=UTC)),
        ("cron(* * * * ? *)", datetime(2026, 2, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_next_firing(expression: str, expected: datetime) -> None:
    assert parse_recurrence(expression).next_after(SUNDAY_NIGHT) == expected


def test_sunday_is_one_as_in_eventbridge() -> None:
    sunday = parse_recurrence("cron(0 6 ? * 1 *)").next_after(SUNDAY_NIGHT)
    assert (sunday.weekday(), sunday.day) == (6, 1)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("every minute", "expected rate"),
        ("rate(0 minutes)", "positive"),
        ("rate(1 second)", "rate unit"),
        ("rate(3 fortnights)", "rate unit"),
        ("cron(0 0 * * * *)", "'?'"),
        ("cron(0 0 ? * ? *)", "'?'"),
        ("cron(0 0 * *)", "six fields"),
        ("cron(60 0 * * ? *)", "minutes"),
        ("cron(0 0 L * ? *)", "not supported"),
        ("cron(0 0 ? * 6#3 *)", "not supported"),
        ("cron(0 0 5-1 * ? *)", "backwards"),
        ("x" * 300, "at most"),
    ],
)
def test_refused_expressions_say_why(expression: str, message: str) -> None:
    with pytest.raises(ExpressionInvalid, match=message):
        parse_recurrence(expression)


def test_seconds_only_where_allowed() -> None:
    assert parse_recurrence("rate(2 seconds)", allow_seconds=True) == Rate(2)
    assert isinstance(parse_recurrence("cron(0 0 1 1 ? 2199)"), Cron)


def test_a_cron_that_never_fires_again_is_an_error() -> None:
    with pytest.raises(ExpressionInvalid, match="never fires"):
        parse_recurrence("cron(0 0 1 1 ? 1999)").next_after(SUNDAY_NIGHT)
