"""What a timer's text means: one reading of ISO 8601 for the validator and the compiler.

A scenario is refused (by validation, and by the compiler when it is given an unchecked one)
exactly when `timer_problem` has something to say, and with its words.

`timeDuration`: an ISO 8601 duration `PnYnMnWnDTnHnMnS` (BPMN's and the product's timer format),
or a `{% %}` expression giving seconds.

- W, D, H, M (after the T) and S have fixed lengths: a week is 7 days, a day 24 hours (times are
  UTC, which has no daylight-saving jumps).
- Y and M (before the T) are calendar units, as ISO 8601 counts them: a month has no length in
  seconds (28 to 31 days), so a fixed-length month would be a lie. A timer with them ends on the
  same day of the month, that many months after the moment it starts, at the same time of day
  (UTC), clamped to the last day of a shorter month: 31 January + P1M is 28 (or 29) February,
  29 February + P1Y is 28 February. Then it waits the fixed part. The compiler turns such a
  duration into a `Timestamp` (or, on a timer boundary, `TimeoutSeconds`) computed when the timer
  starts.
- The last number written may have a decimal fraction (`.` or `,`: PT1.5M, PT0.5H, P1,5D), and
  only that one; years and months never (half a month has no length either).
- Step Functions counts whole seconds, so a duration is rounded up: PT0.5S waits 1 s. A zero
  duration (P0D, PT0S) does not wait at all on a catch event; a timer boundary needs at least
  one second.
- At most 99,999,999 seconds (about 3 years, a month counted as 31 days): the longest `Wait` and
  `TimeoutSeconds` Step Functions takes.
- Refused: a sign (`-PT1S`; no timer waits backwards), `P` or `PT` alone, a `T` with no time
  after it, units out of order or repeated, lower-case letters, spaces inside.

`timeDate`: an ISO 8601 date-time with a time zone (`2026-01-31T09:00:00Z`, `...+03:00`), or a
`{% %}` expression giving one. A date alone, or a time without a zone, is refused: it would
mean a different moment on every server. Sub-second parts are rounded up to the next second.

`timeCycle` is refused (a loop through a timer does the same).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from functools import lru_cache

from automations.bpmn.errors import BadTimer
from automations.bpmn.model import Timer
from automations.expressions.template import is_expression

MAX_SECONDS = 99_999_999  # Step Functions' limit for Wait `Seconds` and `TimeoutSeconds`
_LONGEST_MONTH_SECONDS = 31 * 86400
_MAX_DIGITS = 15  # more digits than this is far beyond MAX_SECONDS whatever the unit
_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"(?P<sign>-)?P(?:(?P<Y>{_NUMBER})Y)?(?:(?P<MO>{_NUMBER})M)?(?:(?P<W>{_NUMBER})W)?"
    rf"(?:(?P<D>{_NUMBER})D)?(?P<T>T(?:(?P<H>{_NUMBER})H)?(?:(?P<MI>{_NUMBER})M)?"
    rf"(?:(?P<S>{_NUMBER})S)?)?"
)
_FIXED_SECONDS = {"W": 7 * 86400, "D": 86400, "H": 3600, "MI": 60, "S": 1}
_UNITS = ("Y", "MO", "W", "D", "H", "MI", "S")  # in the order they are written
_CACHED_CHARS = 64  # timer texts up to this long are read once per process (see parse_duration)


@dataclass(frozen=True, slots=True)
class Duration:
    """A parsed timeDuration: calendar months (a year counts 12) and a fixed number of seconds."""

    months: int
    seconds: Fraction

    @property
    def calendar(self) -> bool:
        """True when the duration has years or months: its length depends on when it starts."""
        return self.months > 0

    @property
    def whole_seconds(self) -> int:
        """The fixed part, rounded up to whole seconds (what Step Functions counts)."""
        return math.ceil(self.seconds)


def parse_duration(text: str) -> Duration:
    """`PT1H30M` -> Duration(0, 5400); raises BadTimer saying what is wrong with `text`."""
    # A scenario repeats the same few timer texts, each read by the validator and the
    # compiler, and exact Fraction arithmetic shows in a compile's profile. A Duration is
    # immutable and a text that fails raises (nothing is kept), so one reading can be shared;
    # long texts (refused anyway) are not kept, so the cache stays small whatever files say.
    if len(text) > _CACHED_CHARS:
        return _parse_duration(text)
    return _cached_duration(text)


def _parse_duration(text: str) -> Duration:
    match = _DURATION.fullmatch(text)
    written = [unit for unit in _UNITS if match and match.group(unit) is not None]
    if match is None or not written or match.group("T") == "T":
        raise BadTimer(
            f"timeDuration {text!r} is not an ISO 8601 duration (like PT5M or P1DT2H) "
            "nor a {% %} expression"
        )
    if match.group("sign"):
        raise BadTimer(f"timeDuration {text!r} is negative; a timer cannot wait back in time")
    numbers = {unit: match.group(unit).replace(",", ".") for unit in written}
    if any(len(number) > _MAX_DIGITS for number in numbers.values()):
        raise _too_long(text)
    fractional = [unit for unit in written if "." in numbers[unit]]
    if any(unit in ("Y", "MO") for unit in fractional):
        raise BadTimer(
            f"timeDuration {text!r}: years and months cannot have a fraction (their length "
            "varies); give days or hours instead, e.g. P45D"
        )
    if fractional and fractional != written[-1:]:
        raise BadTimer(
            f"timeDuration {text!r}: only the last number may have a fraction "
            "(PT1.5H, not PT1.5H30M)"
        )
    months = int(numbers.get("Y", "0")) * 12 + int(numbers.get("MO", "0"))
    seconds = sum(
        (
            Fraction(numbers[unit]) * size
            for unit, size in _FIXED_SECONDS.items()
            if unit in numbers
        ),
        Fraction(0),
    )
    if months * _LONGEST_MONTH_SECONDS + seconds > MAX_SECONDS:
        raise _too_long(text)
    return Duration(months, seconds)


_cached_duration = lru_cache(maxsize=1024)(_parse_duration)


def _too_long(text: str) -> BadTimer:
    return BadTimer(
        f"timeDuration {text!r} is longer than {MAX_SECONDS:,} seconds (about 3 years), the "
        "longest wait Step Functions takes"
    )


def parse_date_time(text: str) -> datetime:
    """An ISO 8601 date-time with a time zone, in UTC and rounded up to the second."""
    refused = BadTimer(
        f"timeDate {text!r} is not an ISO 8601 date-time with a time zone (like "
        "2025-01-31T09:00:00Z or 2025-01-31T12:00:00+03:00) nor a {% %} expression"
    )
    if "T" not in text:
        raise refused  # a date alone, or a space between date and time
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise refused from None
    if moment.tzinfo is None:
        raise refused
    try:
        moment = moment.astimezone(UTC)
        if moment.microsecond:
            moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    except OverflowError:
        raise refused from None
    return moment


def timer_problem(timer: Timer | None, *, boundary: bool) -> str | None:
    """What is wrong with a timer event's definition (a boundary event's when `boundary`), or
    None. A `{% %}` value passes here: its JSONata is checked with the other expressions."""
    if timer is None:
        return "timer needs a timeDuration or a timeDate"
    if len(timer.value) > _CACHED_CHARS:
        return _text_problem(timer.kind, timer.value, boundary)
    return _cached_problem(timer.kind, timer.value, boundary)


def _text_problem(kind: str, value: str, boundary: bool) -> str | None:
    """`timer_problem` of a timer's kind and text: the same answer for the same text."""
    if kind == "cycle":
        return "timeCycle: cycles are not supported, use a loop"
    if boundary and kind != "duration":
        return "a timer boundary needs a timeDuration (how long the activity may take)"
    if not value:
        if kind == "duration":
            return "timeDuration is empty; give a duration like PT5M"
        return "timeDate is empty; give a date-time like 2025-01-31T09:00:00Z"
    if is_expression(value):
        return None
    try:
        if kind == "date":
            parse_date_time(value)
            return None
        duration = parse_duration(value)
    except BadTimer as exc:
        return str(exc)
    if boundary and not duration.calendar and duration.seconds == 0:
        return f"timeDuration {value!r} is zero; a timer boundary needs at least one second (PT1S)"
    return None


_cached_problem = lru_cache(maxsize=1024)(_text_problem)
