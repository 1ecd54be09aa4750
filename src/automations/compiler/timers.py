"""ISO 8601 timer values → what ASL `Wait` and `TimeoutSeconds` take."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from automations.errors import AutomationsError

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_UNIT_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


class BadTimer(AutomationsError):
    """Raised when a timer text is not an ISO 8601 duration or date-time the compiler accepts."""


def duration_seconds(text: str) -> int:
    """`PT1H30M` → 5400. Years and months are refused: their length in seconds is ambiguous."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        raise BadTimer(f"{text!r} is not an ISO 8601 duration such as PT5M or P1DT2H")
    total = sum(float(v) * _UNIT_SECONDS[k] for k, v in match.groupdict().items() if v)
    return max(1, math.ceil(total))


def timestamp(text: str) -> str:
    """An ISO 8601 date-time as the UTC `...Z` form ASL's `Timestamp` requires."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadTimer(
            f"{text!r} is not an ISO 8601 date-time such as 2026-01-31T09:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise BadTimer(f"{text!r} has no time zone: add Z or an offset such as +03:00")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
