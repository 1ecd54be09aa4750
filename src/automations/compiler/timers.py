"""Timer values -> the ASL fields of a `Wait` and of a `TimeoutSeconds` (bpmn/timers.py says
what the texts mean and which are refused).

Fixed durations become whole seconds. A duration with years or months becomes JSONata that
counts the calendar from the moment the state starts (`$millis()`, which Step Functions and the
embedded engine both give): the same day of the month N months later, clamped to the month's
last day, plus the fixed part.
"""

from __future__ import annotations

from automations.bpmn.model import Element, Timer
from automations.bpmn.timers import Duration, parse_date_time, parse_duration, timer_problem
from automations.compiler import jsonata_text as jt
from automations.compiler.context import EXPRESS_MAX_SECONDS, Region, State

_TIMESTAMP_PICTURE = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]Z"


def wait_fields(region: Region, element: Element, timer: Timer | None) -> State | None:
    """`Seconds` or `Timestamp` of the `Wait` a timer catch event becomes (None: refused)."""
    if not _accepted(region, element, timer, boundary=False) or timer is None:
        return None
    if timer.kind == "date":
        region.ctx.refuse_in_express(element, "a wait until a date may exceed 5 minutes")
        if jt.is_expression(timer.value):
            return {"Timestamp": jt.value_with(timer.value, region.locals())}
        moment = parse_date_time(timer.value)
        return {"Timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if jt.is_expression(timer.value):
        return {"Seconds": str(jt.value_with(timer.value, region.locals()))}
    duration = parse_duration(timer.value)
    if duration.calendar:
        region.ctx.refuse_in_express(element, f"a wait of {timer.value} is longer than 5 minutes")
        stamp = f"$fromMillis({_calendar_end(duration)}, '{_TIMESTAMP_PICTURE}')"
        return {"Timestamp": jt.wrap(stamp)}
    return {"Seconds": _fixed_seconds(region, element, duration, "wait")}


def timeout_value(region: Region, event: Element, timer: Timer | None) -> int | str | None:
    """The `TimeoutSeconds` a timer boundary event gives its activity (None: refused)."""
    if not _accepted(region, event, timer, boundary=True) or timer is None:
        return None
    if jt.is_expression(timer.value):
        return str(jt.value_with(timer.value, region.locals()))
    duration = parse_duration(timer.value)
    if duration.calendar:
        region.ctx.refuse_in_express(event, f"a timeout of {timer.value} is longer than 5 minutes")
        return jt.wrap(f"$ceil(({_calendar_end(duration)} - $millis()) / 1000)")
    return _fixed_seconds(region, event, duration, "timeout")


def _accepted(region: Region, element: Element, timer: Timer | None, *, boundary: bool) -> bool:
    problem = timer_problem(timer, boundary=boundary)
    if problem is not None:
        region.ctx.problem(element, problem, timer.line if timer else None)
    return problem is None


def _fixed_seconds(region: Region, element: Element, duration: Duration, what: str) -> int:
    seconds = duration.whole_seconds
    if seconds > EXPRESS_MAX_SECONDS:
        region.ctx.refuse_in_express(element, f"a {what} of {seconds} s is longer than 5 minutes")
    return seconds


def _calendar_end(duration: Duration) -> str:
    """JSONata for the epoch milliseconds, rounded up to the second, at which a calendar
    duration started now ends. `$d` is now as `YYYY-MM-DDThh:mm:ss.sssZ`; `$m` the month
    counted from year 0, `$y`/`$n` the year and month reached, `$last` that month's length."""
    return (
        "($d := $fromMillis($millis()); "
        f"$m := $number($substring($d, 0, 4)) * 12 + $number($substring($d, 5, 2)) - 1 "
        f"+ {duration.months}; "
        "$y := $floor($m / 12); $n := $m - $y * 12 + 1; "
        "$leap := ($y % 4 = 0 and $y % 100 != 0) or $y % 400 = 0; "
        "$last := $n = 2 ? ($leap ? 29 : 28) : ($n in [4, 6, 9, 11] ? 30 : 31); "
        "$day := $min([$number($substring($d, 8, 2)), $last]); "
        "$start := $toMillis($pad($string($y), -4, '0') & '-' & $pad($string($n), -2, '0') "
        "& '-' & $pad($string($day), -2, '0') & $substring($d, 10)); "
        f"$ceil($start / 1000) * 1000 + {duration.whole_seconds * 1000})"
    )
