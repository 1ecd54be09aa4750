"""Date functions as jsonata 2.0.6 has them, where jsonata-python's port differs."""

from __future__ import annotations

import math
import re
from typing import Any, Final

from jsonata.functions import Functions

from automations.expressions import js_numbers
from automations.expressions.js_text import HostError, error

_TO_MILLIS: Final = Functions.datetime_to_millis
# jsonata's test of an ISO 8601 timestamp, then what Date.parse reads of what passes it.
_JSONATA_ISO: Final = re.compile(
    r"[0-9]{4}(-[01][0-9])*(-[0-3][0-9])*(T[0-2][0-9]:[0-5][0-9]:[0-5][0-9])*(\.[0-9]+)?"
    r"([+-][0-2][0-9]:?[0-5][0-9]|Z)?"
)
_DATE_PARSE: Final = re.compile(
    r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?"
    r"(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?)?"
    r"(Z|([+-])([0-9]{2}):?([0-9]{2}))?"
)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year, day past the month's end
    rolling over as JavaScript's dates do)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy + day - 1 - 719468


def to_millis(timestamp: Any, picture: Any) -> Any:
    if timestamp is None or picture is not None:
        return _TO_MILLIS(timestamp, picture)
    if not _JSONATA_ISO.fullmatch(timestamp):
        raise error("D3110", timestamp)
    found = _DATE_PARSE.fullmatch(timestamp)
    if found is None:
        return math.nan
    year, month, day, hour, minute, second = (
        int(found.group(n) or d) for n, d in zip(range(1, 7), (0, 1, 1, 0, 0, 0), strict=True)
    )
    millis = int((found.group(7) or "").ljust(3, "0")[:3])
    zone, sign, zone_hours, zone_minutes = found.group(8, 9, 10, 11)
    offset = 0
    if sign is not None:
        if found.group(4) is None or int(zone_hours) > 23 or int(zone_minutes) > 59:
            return math.nan  # Date.parse takes an offset only after a time
        offset = (1 if sign == "+" else -1) * (int(zone_hours) * 60 + int(zone_minutes))
    if not (1 <= month <= 12 and 1 <= day <= 31) or hour > 24:
        return math.nan
    if hour == 24 and (minute or second or millis):
        return math.nan
    del zone
    days = _days_from_civil(year, month, 1) + day - 1
    return ((days * 24 + hour) * 60 + minute - offset) * 60_000 + second * 1000 + millis


_FROM_MILLIS: Final = Functions.datetime_from_millis
# The dates the port can write: years 1 to 9999 (JavaScript's reach further, to 275760).
_FIRST_MILLIS: Final = -62_135_596_800_000
_LAST_MILLIS: Final = 253_402_300_799_999


def from_millis(millis: Any, picture: Any, timezone: Any) -> Any:
    """The port's `$fromMillis`, with a clear error where it cannot write the date (it leaked
    Python's ValueError)."""
    if isinstance(millis, int | float) and not _FIRST_MILLIS <= millis <= _LAST_MILLIS:
        raise HostError(
            f"$fromMillis: {js_numbers.number_text(millis)} is outside the years 1 to 9999"
        )
    try:
        return _FROM_MILLIS(millis, picture, timezone)
    except ValueError:
        raise HostError(f"$fromMillis: {timezone!r} is not a time zone like +0100") from None
