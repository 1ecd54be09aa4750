"""ISO-8601 / RFC 3339 timestamps as Step Functions accepts them, and the text it prints.

Step Functions wants a full date-time with a `T`, seconds, an optional fraction (up to nine
digits) and a `Z` or numeric offset; `2016-12-05 21:29:29Z`, `2016-12-05T21:29:29` (no zone)
and out-of-range fields are refused.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})\Z"
)


def parse_timestamp(text: str) -> datetime | None:
    """The aware datetime `text` denotes, or None when it is not an RFC 3339 date-time."""
    match = _RFC3339.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone in ("Z", "z"):
        tz = UTC
    else:
        sign = 1 if zone[0] == "+" else -1
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        if offset >= timedelta(hours=24):
            return None
        tz = timezone(sign * offset)
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tz
        )
    except ValueError:
        return None


def format_timestamp(epoch_seconds: float) -> str:
    """The way Step Functions prints a time in the context object: `2024-01-02T03:04:05.678Z`."""
    milliseconds = round(epoch_seconds * 1000)
    text = _MILLISECOND_TEXTS.get(milliseconds)
    if text is None:
        if len(_MILLISECOND_TEXTS) >= _MILLISECONDS_KEPT:
            _MILLISECOND_TEXTS.clear()
        seconds, millis = divmod(milliseconds, 1000)
        text = _MILLISECOND_TEXTS[milliseconds] = f"{_second_text(seconds)}.{millis:03d}Z"
    return text


# A short run's states all start and end within a millisecond or two (a process's trace prints
# two times per step): each millisecond's text is made once, and the date-and-time part up to
# the second once for everything that runs within that second.
_MILLISECOND_TEXTS: dict[int, str] = {}
_MILLISECONDS_KEPT = 4096


@lru_cache(maxsize=256)
def _second_text(seconds: int) -> str:
    t = time.gmtime(seconds)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    )
