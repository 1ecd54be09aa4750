"""State handlers: one coroutine per state type, found through `HANDLERS`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from automations.asl.run import Outcome, StateRun
from automations.asl.states.choice import run_choice
from automations.asl.states.map_ import run_map
from automations.asl.states.parallel import run_parallel
from automations.asl.states.simple import run_fail, run_pass, run_succeed
from automations.asl.states.task import run_task
from automations.asl.states.wait import run_wait

Handler = Callable[[StateRun], Awaitable[Outcome]]

HANDLERS: dict[str, Handler] = {
    "Pass": run_pass,
    "Task": run_task,
    "Choice": run_choice,
    "Wait": run_wait,
    "Succeed": run_succeed,
    "Fail": run_fail,
    "Parallel": run_parallel,
    "Map": run_map,
}

# The event a state writes when it fails for good (Task writes TaskFailed itself, per attempt).
FAILED_EVENTS: dict[str, str] = {"Parallel": "ParallelStateFailed", "Map": "MapStateFailed"}
