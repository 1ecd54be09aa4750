"""A machine whose states never await still lets the event loop (and the runs beside it) go
on, and its TimeoutSeconds ends it though no timer could fire."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from automations.asl import Definition, Engine, RealClock
from automations.asl.execution import EngineOptions


def spinner(timeout_seconds: int) -> Definition:
    """Counts for ever through a gateway loop: Pass and Choice states only."""
    return Definition.parse(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Init",
            "TimeoutSeconds": timeout_seconds,
            "States": {
                "Init": {"Type": "Pass", "Assign": {"n": 0}, "Next": "Count"},
                "Count": {"Type": "Pass", "Assign": {"n": "{% $n + 1 %}"}, "Next": "Check"},
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $n < 0 %}", "Next": "Done"}],
                    "Default": "Count",
                },
                "Done": {"Type": "Succeed"},
            },
        }
    )


QUICK = Definition.parse(
    {
        "QueryLanguage": "JSONata",
        "StartAt": "Only",
        "States": {"Only": {"Type": "Pass", "Output": {"ok": True}, "End": True}},
    }
)


# The spinner would reach the history quota (25,000 events) before its second is up.
UNBOUNDED = EngineOptions(max_history_events=None)


def test_a_machine_that_never_waits_gives_way_and_times_out() -> None:
    engine = Engine(clock=RealClock(), options=UNBOUNDED)
    finished: dict[str, float] = {}

    async def both() -> tuple[Any, Any]:
        started = time.monotonic()
        endless = asyncio.ensure_future(engine.start(spinner(1), execution_id="spin"))
        await asyncio.sleep(0.2)  # the spinner has the loop by now
        quick = await engine.start(QUICK, execution_id="quick")
        finished["quick"] = time.monotonic() - started
        result = await endless
        finished["spin"] = time.monotonic() - started
        return result, quick

    endless, quick = asyncio.run(both())
    assert quick.status == "SUCCEEDED"
    assert endless.status == "TIMED_OUT"
    assert endless.history[-1]["type"] == "ExecutionTimedOut"
    assert finished["quick"] < finished["spin"]  # it did not wait for the spinner's end


def test_stepped_by_hand_it_never_waits_and_still_times_out() -> None:
    engine = Engine(
        clock=RealClock(), options=EngineOptions(gives_way=False, max_history_events=None)
    )
    run = engine.start(spinner(1), execution_id="by-hand")
    try:
        run.send(None)
    except StopIteration as stop:
        result = stop.value
    else:
        raise AssertionError("the run waited")
    assert result.status == "TIMED_OUT"
