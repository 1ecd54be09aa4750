"""Execution history as GetExecutionHistory returns it, and `trace` over it.

Events are plain dicts (`id`, `previousEventId`, `timestamp`, `type`, `<kind>EventDetails`) so a
history is JSON as it stands: it goes into checkpoints and API answers unchanged. `timestamp` is
epoch seconds (the clock's time; format it where it is shown). Inputs and outputs inside details
are compact JSON text, as AWS records them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from automations.asl.errors import HistoryLimitReached
from automations.asl.json_text import to_json_text

Event = dict[str, Any]
_NOT_TRUNCATED = {"truncated": False}


class History:
    """An append-only list of events with increasing ids, at most `limit` of them (Step
    Functions' quota): the last one is the success, or `add` raises HistoryLimitReached and
    the execution writes its failure there (`add_last`)."""

    def __init__(
        self,
        clock_now: Callable[[], float],
        events: list[Event] | None = None,
        limit: int | None = None,
    ) -> None:
        self._now = clock_now
        self.events: list[Event] = events if events is not None else []
        self.limit = limit
        self._last_allowed = sys.maxsize if limit is None else limit

    @property
    def last_id(self) -> int:
        return len(self.events)

    def add(self, kind: str, previous: int, details: dict[str, Any] | None = None) -> int:
        """Append an event of type `kind`; `details` go under `<kind>EventDetails` as given
        (every caller builds a fresh dict and never touches it again)."""
        events = self.events
        event_id = len(events) + 1
        if event_id >= self._last_allowed and kind != "ExecutionSucceeded":
            raise HistoryLimitReached(self._last_allowed)
        event: Event = {
            "id": event_id,
            "previousEventId": previous,
            "timestamp": self._now(),
            "type": kind,
        }
        if details is not None:
            key = _DETAILS_KEYS.get(kind)
            if key is None:
                key = _DETAILS_KEYS[kind] = _details_key(kind)
            event[key] = details
        events.append(event)
        return event_id

    def add_last(self, kind: str, previous: int, details: dict[str, Any] | None = None) -> int:
        """Append the event that ends an execution whose history is full (past the check);
        nothing may follow it."""
        self._last_allowed = sys.maxsize
        event_id = self.add(kind, previous, details)
        self._last_allowed = 0  # (a branch still unwinding writes nothing more)
        return event_id


_DETAILS_KEYS: dict[str, str] = {}


def _details_key(kind: str) -> str:
    # Every *StateEntered / *StateExited shares one details shape, as on AWS.
    if kind.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if kind.endswith("StateExited"):
        return "stateExitedEventDetails"
    return kind[0].lower() + kind[1:] + "EventDetails"


# --- details builders ----------------------------------------------------------------------------


def execution_started(input_text: str, role_arn: str) -> dict[str, Any]:
    return {"input": input_text, "inputDetails": _NOT_TRUNCATED, "roleArn": role_arn}


def state_entered(name: str, input_text: str) -> dict[str, Any]:
    return {"name": name, "input": input_text, "inputDetails": _NOT_TRUNCATED}


def state_exited(
    name: str, output_text: str, assigned: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name, "output": output_text, "outputDetails": _NOT_TRUNCATED}
    if assigned:
        texts: dict[str, str] = {}  # (a loop, not a comprehension: one call less per state)
        for name, value in assigned.items():
            texts[name] = to_json_text(value)
        details["assignedVariables"] = texts
        details["assignedVariablesDetails"] = _NOT_TRUNCATED
    return details


def output(output_text: str) -> dict[str, Any]:
    return {"output": output_text, "outputDetails": _NOT_TRUNCATED}


def failure(error: str | None, cause: str | None) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details


def evaluation_failed(
    state: str, error: str | None, cause: str | None, location: str | None
) -> dict[str, Any]:
    details = failure(error, cause)
    if location:
        details["location"] = location
    details["state"] = state
    return details


def iteration(name: str, index: int) -> dict[str, Any]:
    return {"name": name, "index": index}


def trace(history: Iterable[Mapping[str, Any]]) -> list[str]:
    """The names of the states entered, in the order they were entered."""
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in history
        if "stateEnteredEventDetails" in event
    ]
