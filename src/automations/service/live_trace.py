"""A process's path as it goes: trace steps built from its history a few events at a time.

`TraceBuilder` reads history events in order and keeps which elements are open, so a runtime
feeds it only what happened since it last looked (the embedded engine at each checkpoint, AWS
from the events after its cursor) instead of reading the whole history again. The end of a run
builds the final trace the same way (`service/outcome.py:trace_steps`), so the live path and
the final one never disagree.

An element stays open while any of its states runs (a Map and its iterations), so its step
ends when the last of them exits; entering it again after that opens a new step. A retry
(`ExecutionRedriven`) leaves what failed as it ended and enters its elements anew.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from automations.asl.timestamps import format_timestamp
from automations.model.process import TraceStep
from automations.state_names import element_of

_ENTERED, _EXITED = "stateEnteredEventDetails", "stateExitedEventDetails"
_REDRIVEN = "executionRedrivenEventDetails"


class TraceBuilder:
    """Trace steps from history events fed in order; `cursor()` says where it stands, so that
    another call (another Lambda invocation) can go on from there (`resumed`)."""

    def __init__(self) -> None:
        self._steps: list[TraceStep] = []
        self._open: dict[str, list[int]] = {}  # element -> [index of its step, states open]
        self._retry: int | None = None
        self.last_event = 0  # the id of the last event read

    @classmethod
    def resumed(cls, steps: Iterable[TraceStep], cursor: Mapping[str, Any]) -> TraceBuilder:
        """A builder that goes on after the events `steps` and `cursor` were built from."""
        builder = cls()
        builder._steps = [step.model_copy() for step in steps]
        builder._open = {
            str(element): [int(slot[0]), int(slot[1])]
            for element, slot in dict(cursor.get("open") or {}).items()
            if int(slot[0]) < len(builder._steps)
        }
        retry = cursor.get("retry")
        builder._retry = None if retry is None else int(retry)
        builder.last_event = int(cursor.get("lastEvent") or 0)
        return builder

    def cursor(self) -> dict[str, Any]:
        """Where the builder stands, as JSON values (the steps themselves are not in it)."""
        return {"lastEvent": self.last_event, "open": self._open, "retry": self._retry}

    def feed(self, events: Iterable[Mapping[str, Any]]) -> bool:
        """Read events newer than the last one read; True when the steps changed."""
        changed = False
        for event in events:
            event_id = event.get("id")
            if isinstance(event_id, int):
                if event_id <= self.last_event:
                    continue  # read before (AWS pages may overlap what the cursor covers)
                self.last_event = event_id
            changed = self._read(event) or changed
        return changed

    def steps(self) -> list[TraceStep]:
        """The steps so far (open ones copied: the builder goes on changing its own)."""
        return [step if step.exited_at is not None else step.model_copy() for step in self._steps]

    def _read(self, event: Mapping[str, Any]) -> bool:
        details = event.get(_ENTERED)
        if details is not None:
            element = element_of(str(details["name"]))
            slot = self._open.get(element)
            if slot is not None and slot[1]:
                slot[1] += 1
                return False
            # Values are ours (an element id, a formatted moment): no validation needed.
            step = TraceStep.model_construct(
                element=element, entered_at=_moment(event), exited_at=None, retry=self._retry
            )
            self._open[element] = [len(self._steps), 1]
            self._steps.append(step)
            return True
        redriven = event.get(_REDRIVEN)
        if redriven is not None:
            self._retry = int(redriven.get("redriveCount", (self._retry or 0) + 1))
            self._open = {}
            return False
        details = event.get(_EXITED)
        if details is None:
            return False
        slot = self._open.get(element_of(str(details["name"])))
        if slot is None or not slot[1]:
            return False
        slot[1] -= 1
        if slot[1]:
            return False
        self._steps[slot[0]].exited_at = _moment(event)
        return True


def _moment(event: Mapping[str, Any]) -> str:
    return format_timestamp(float(event.get("timestamp", 0.0)))
