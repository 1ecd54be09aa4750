"""Wait: Seconds, Timestamp, SecondsPath or TimestampPath, on the engine's clock.

The deadline is kept in the frame before sleeping, so a resumed execution waits only for what
is left. Errors carry AWS's wording (negative seconds, a timestamp that is not RFC 3339, a delay
beyond what Step Functions accepts).
"""

from __future__ import annotations

from typing import Any

from automations.asl import jsonata_io, jsonpath_io
from automations.asl.errors import StatesFailure
from automations.asl.json_text import to_json_text
from automations.asl.run import Outcome, StateRun
from automations.asl.timestamps import parse_timestamp

# Step Functions refuses waits longer than this many seconds ("Wait state delay is too long").
MAX_WAIT_SECONDS = 2**31 - 1


async def run_wait(run: StateRun) -> Outcome:
    if run.state.jsonata:
        states = jsonata_io.states_binding(run, run.input)
        until = run.frame.progress.get("until")
        if until is None:
            until = _jsonata_deadline(run, states)
        assigned = jsonata_io.state_assign(run, states)
        output = jsonata_io.output(run, run.input, states)
    else:
        effective = jsonpath_io.input_path(run, run.input)
        until = run.frame.progress.get("until")
        if until is None:
            until = _jsonpath_deadline(run, effective)
        assigned = jsonpath_io.assign(run, effective)
        output = jsonpath_io.output_path(run, effective)
    await _sleep_until(run, until)
    return Outcome(output, run.next_state(), assigned)


async def _sleep_until(run: StateRun, until: float) -> None:
    if until - run.execution.clock.now() > MAX_WAIT_SECONDS:
        raise run.runtime_error("Wait state delay is too long.")
    if "until" not in run.frame.progress:
        run.frame.progress["until"] = until
        run.execution.checkpoint()
    run.execution.persist()
    remaining = until - run.execution.clock.now()
    if remaining > 0:
        await run.execution.clock.sleep(remaining)


def _jsonpath_deadline(run: StateRun, effective: Any) -> float:
    now = run.execution.clock.now()
    state = run.state
    if state.has("Seconds"):
        return now + float(state.get("Seconds"))
    if state.has("Timestamp"):
        return _timestamp_seconds(run, state.get("Timestamp"), "Timestamp")
    if state.has("SecondsPath"):
        path = state.get("SecondsPath")
        try:
            seconds = jsonpath_io.path_value(run, "SecondsPath", effective)
        except StatesFailure:
            raise run.runtime_error(
                f"The SecondsPath parameter does not reference an input value: {path}"
            ) from None
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise run.runtime_error(
                f"The SecondsPath parameter does not reference a numeric value: "
                f"{path} == {_show(seconds)}"
            )
        if not float(seconds).is_integer():
            raise run.runtime_error(
                f"The SecondsPath parameter cannot be parsed as a long value: "
                f"{path} == {_show(seconds)}"
            )
        if seconds < 0:
            raise run.runtime_error(
                f"The SecondsPath parameter references a negative value: {path} == {_show(seconds)}"
            )
        return now + float(seconds)
    path = state.get("TimestampPath")
    try:
        stamp = jsonpath_io.path_value(run, "TimestampPath", effective)
    except StatesFailure:
        raise run.runtime_error(
            f"The TimestampPath parameter does not reference an input value: {path}"
        ) from None
    moment = parse_timestamp(stamp) if isinstance(stamp, str) else None
    if moment is None:
        raise run.runtime_error(
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: {path} == {_show(stamp)}"
        )
    return moment.timestamp()


def _jsonata_deadline(run: StateRun, states: dict[str, Any]) -> float:
    now = run.execution.clock.now()
    if run.state.has("Seconds"):
        seconds = jsonata_io.evaluate_field(run, run.state.get("Seconds"), "Seconds", states)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise run.query_error(
                f"The Seconds field must be a positive integer but was: {_show(seconds)}",
                "Seconds",
            )
        if seconds < 0 or not float(seconds).is_integer():
            raise run.query_error(
                f"The Seconds field must be a positive integer but was: {_show(seconds)}",
                "Seconds",
            )
        return now + float(seconds)
    stamp = jsonata_io.evaluate_field(run, run.state.get("Timestamp"), "Timestamp", states)
    moment = parse_timestamp(stamp) if isinstance(stamp, str) else None
    if moment is None:
        raise run.query_error(
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
            f"format string: {_show(stamp)}",
            "Timestamp",
        )
    return moment.timestamp()


def _timestamp_seconds(run: StateRun, stamp: Any, field: str) -> float:
    moment = parse_timestamp(stamp) if isinstance(stamp, str) else None
    if moment is None:
        raise run.runtime_error(
            f"The {field} field cannot be parsed as an ISO-8601 extended offset date-time "
            f"format string: {_show(stamp)}"
        )
    return moment.timestamp()


def _show(value: Any) -> str:
    return value if isinstance(value, str) else to_json_text(value)
