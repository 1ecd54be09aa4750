"""Redrive: a failed execution goes on from the states that failed, as RedriveExecution does.

The checkpoint of an execution that ended unsuccessfully still holds its frames where they
stopped: the failed state with its input and variables, and inside a Parallel or Map the
branches and iterations that failed or were stopped beside those that succeeded. `redriven`
turns such a checkpoint into one that `Engine.resume` continues: each failed or stopped frame
runs again from its state (entered anew, retries counted afresh), succeeded ones are kept with
their results, and the history goes on after an `ExecutionRedriven` event. Nothing that
completed runs again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from automations.asl.errors import MAX_HISTORY_EVENTS, ExecutionNotRedrivable
from automations.asl.frames import Frame
from automations.asl.history import History
from automations.asl.json_text import to_json_text

REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
_UNFINISHED = ("FAILED", "ABORTED", "RUNNING")


def redriven(
    saved: Mapping[str, Any], now: float, variables: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """`saved` ready to resume from its failed states, `variables` (process variables: the
    root scope's, and any scoped copy of them in a frame that runs again) set first."""
    result = saved.get("result")
    status = result.get("status") if isinstance(result, Mapping) else None
    if status not in REDRIVABLE:
        raise ExecutionNotRedrivable(
            f"the execution is {status or 'RUNNING'}, not ended unsuccessfully"
        )
    root = Frame.from_dict(saved["root"])
    events = list(saved["history"])
    if len(events) >= MAX_HISTORY_EVENTS:
        raise ExecutionNotRedrivable(
            f"its history holds {len(events):,} events, and Step Functions redrives no "
            f"execution that reached {MAX_HISTORY_EVENTS:,}"
        )
    count = 1 + sum(1 for event in events if event.get("type") == "ExecutionRedriven")
    details: dict[str, Any] = {"redriveCount": count}
    if variables:
        # The engine's own addition: what a caller changed, read as assignments (AWS's
        # RedriveExecution changes nothing).
        details["assignedVariables"] = {name: to_json_text(v) for name, v in variables.items()}
    redrive_event = History(lambda: now, events).add("ExecutionRedriven", len(events), details)
    root.last_event = redrive_event
    _again(root, dict(variables or {}), redrive_event)
    return {**saved, "root": root.to_dict(), "history": events, "result": None}


def _again(frame: Frame, variables: dict[str, Any], previous: int) -> None:
    """Make `frame` run its current state again, and so every unfinished frame below it."""
    frame.status, frame.error, frame.cause, frame.output = "RUNNING", None, None, None
    frame.entered_id, frame.retries, frame.retry_at = 0, {}, None
    frame.last_event = max(frame.last_event, previous)
    _correct(frame, variables)
    if not frame.children:
        frame.progress = {}  # a task, a wait: from its start
        return
    again = [child for child in frame.children if child.status in _UNFINISHED]
    for child in again:
        _again(child, variables, previous)
    if "reported" in frame.progress:  # a Map reports each iteration's end once: these anew
        indexes = {child.index for child in again}
        frame.progress["reported"] = [i for i in frame.progress["reported"] if i not in indexes]
        frame.progress.pop("last_end", None)


def _correct(frame: Frame, variables: Mapping[str, Any]) -> None:
    """Set the changed variables in this scope: at the root, and scoped copies (`total__s3`,
    what the compiler writes inside a branch; scenario names never hold `__`)."""
    if frame.parent is None:
        frame.assign(variables)
    copies = {
        held: variables[held.split("__")[0]]
        for held in frame.variables
        if "__" in held and held.split("__")[0] in variables
    }
    frame.assign(copies)
