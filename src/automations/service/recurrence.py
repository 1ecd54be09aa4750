"""Schedule expressions as EventBridge writes them: `rate(5 minutes)` and
`cron(minutes hours day-of-month month day-of-week year)`, in UTC.

Cron fields take `*`, lists, ranges, steps (`0/15`, `*/5`, `1-5/2`), month and weekday names
(`JAN`, `MON-FRI`; Sunday is 1), and `?` in one of the two day fields. `L`, `W` and `#` are
refused with a message rather than half-supported. `rate(N seconds)` exists only where the
deployment allows it (tests and demos): EventBridge's smallest rate is one minute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from automations.service.errors import ExpressionInvalid

MAX_EXPRESSION = 256
_SEARCH_DAYS = 366 * 8
_RATE = re.compile(r"^rate\(\s*(\d{1,9})\s+([a-z]+)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_WEEKDAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


class Recurrence(Protocol):
    """When a schedule fires next."""

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after `moment` (aware, UTC)."""
        ...


@dataclass(frozen=True, slots=True)
class Rate:
    """Every `seconds` seconds, counted from the previous firing."""

    seconds: int

    def next_after(self, moment: datetime) -> datetime:
        return moment + timedelta(seconds=self.seconds)


@dataclass(frozen=True, slots=True)
class Cron:
    """The minutes whose fields all match (day-of-month or day-of-week, the other being `?`)."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None
    months: frozenset[int]
    weekdays: frozenset[int] | None
    years: frozenset[int]

    def next_after(self, moment: datetime) -> datetime:
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        for _ in range(_SEARCH_DAYS):
            if self._day_matches(day):
                found = self._first_time(day, start)
                if found is not None:
                    return found
            day += timedelta(days=1)
        raise ExpressionInvalid("this cron expression never fires in the next years")

    def _day_matches(self, day: date) -> bool:
        if day.year not in self.years or day.month not in self.months:
            return False
        if self.days is not None:
            return day.day in self.days
        assert self.weekdays is not None
        return (day.weekday() + 1) % 7 + 1 in self.weekdays

    def _first_time(self, day: date, start: datetime) -> datetime | None:
        same_day = day == start.date()
        for hour in sorted(self.hours):
            if same_day and hour < start.hour:
                continue
            for minute in sorted(self.minutes):
                if same_day and hour == start.hour and minute < start.minute:
                    continue
                return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        return None


def parse_recurrence(text: str, *, allow_seconds: bool = False) -> Recurrence:
    """The recurrence an expression describes; ExpressionInvalid says what is wrong."""
    if len(text) > MAX_EXPRESSION:
        raise ExpressionInvalid(f"an expression is at most {MAX_EXPRESSION} characters")
    expression = text.strip()
    rate = _RATE.match(expression)
    if rate is not None:
        return _rate(int(rate.group(1)), rate.group(2), allow_seconds)
    cron = _CRON.match(expression)
    if cron is not None:
        return _cron(cron.group(1).split())
    raise ExpressionInvalid("expected rate(<number> <unit>) or cron(<six fields>)")


def _rate(value: int, unit: str, allow_seconds: bool) -> Rate:
    units = dict(_UNITS, second=1) if allow_seconds else _UNITS
    scale = units.get(unit.removesuffix("s"))
    if scale is None:
        raise ExpressionInvalid(f"rate unit must be one of {', '.join(units)} (or plural)")
    if value < 1:
        raise ExpressionInvalid("rate value must be a positive whole number")
    return Rate(value * scale)


def _cron(fields: list[str]) -> Cron:
    if len(fields) != 6:
        raise ExpressionInvalid(
            "cron takes six fields: minutes hours day-of-month month day-of-week year"
        )
    minute, hour, day, month, weekday, year = fields
    if (day == "?") == (weekday == "?"):
        raise ExpressionInvalid("use '?' in exactly one of day-of-month and day-of-week")
    return Cron(
        minutes=_field(minute, 0, 59, "minutes"),
        hours=_field(hour, 0, 23, "hours"),
        days=None if day == "?" else _field(day, 1, 31, "day-of-month"),
        months=_field(month, 1, 12, "month", _MONTHS),
        weekdays=None if weekday == "?" else _field(weekday, 1, 7, "day-of-week", _WEEKDAYS),
        years=_field(year, 1970, 2199, "year"),
    )


def _field(
    text: str, low: int, high: int, name: str, names: dict[str, int] | None = None
) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        values |= _part(part, low, high, name, names or {})
    return frozenset(values)


def _part(part: str, low: int, high: int, name: str, names: dict[str, int]) -> set[int]:
    base, _, step_text = part.partition("/")
    step = _number(step_text, 1, high, name, {}) if step_text else 1
    if base in ("*", "?"):
        first, last = low, high
    elif "-" in base:
        a, _, b = base.partition("-")
        first, last = _number(a, low, high, name, names), _number(b, low, high, name, names)
        if first > last:
            raise ExpressionInvalid(f"{name}: range {base} runs backwards")
    else:
        first = _number(base, low, high, name, names)
        last = high if step_text else first
    return set(range(first, last + 1, step))


def _number(text: str, low: int, high: int, name: str, names: dict[str, int]) -> int:
    word = text.upper()
    if word in names:
        return names[word]
    if "#" in word or re.fullmatch(r"\d*[LW]+", word):
        raise ExpressionInvalid(f"{name}: L, W and # are not supported here")
    if not text.isdigit() or not low <= int(text) <= high:
        raise ExpressionInvalid(f"{name}: {text[:20]!r} is not a value from {low} to {high}")
    return int(text)
