"""What the processes page charts: runs per hour by status, and duration percentiles.

The window is the last `hours` hours up to now, in whole clock hours (the current one
included, so 24 hours ending at 13:20 start at 14:00 the day before). The store counts
(`ProcessStore.stats`); this fills the hours it found nothing in, so a chart gets every hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from automations.asl.ports import Clock
from automations.model.base import from_epoch, utc_iso
from automations.model.process import ProcessStatus
from automations.ports import ProcessStore

MAX_STATS_HOURS = 24 * 7
HOUR = timedelta(hours=1)


def hour_key(moment: datetime) -> str:
    """The hour a time falls in, as the stores key it: `2026-01-02T13` (UTC)."""
    return utc_iso(moment)[:13]


def process_stats(
    store: ProcessStore, clock: Clock, hours: int, scenario_id: str | None
) -> dict[str, Any]:
    """`{from, to, hours: [{hour, total, <status>...}], durations: {p50, p90, p99, count}}`."""
    now = from_epoch(clock.now())
    first = now.replace(minute=0, second=0, microsecond=0) - (hours - 1) * HOUR
    found = store.stats(first, now, scenario_id)
    per_hour = []
    for index in range(hours):
        start = first + index * HOUR
        counts = found.per_hour.get(hour_key(start), {})
        row: dict[str, Any] = {"hour": utc_iso(start).replace(".000Z", "Z")}
        row |= {str(s): int(counts.get(str(s), 0)) for s in ProcessStatus}
        row["total"] = sum(int(counts.get(str(s), 0)) for s in ProcessStatus)
        per_hour.append(row)
    durations: dict[str, Any] = {
        name: found.percentiles_ms.get(name) for name in ("p50", "p90", "p99")
    }
    durations["count"] = found.ended
    return {
        "from": utc_iso(first),
        "to": utc_iso(now),
        "hours": per_hour,
        "durations": durations,
        "complete": found.complete,
    }


def percentile_rank(count: int, fraction: float) -> int:
    """The 0-based rank of a percentile among `count` sorted values (nearest rank)."""
    return max(0, min(count - 1, -(-int(fraction * 1000) * count // 1000) - 1))
