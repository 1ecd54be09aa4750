"""`StateRun`: what a state handler works with, and `Outcome`: what it hands back.

A handler reaches the execution running it through `Runner`, the part of `Execution` that
handlers use; the frame loop (`execution`) imports the handlers, so they must not import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from automations.asl import errors, history
from automations.asl.context import ExecutionInfo, context_object
from automations.asl.definition import State
from automations.asl.errors import StatesFailure
from automations.asl.frames import Frame
from automations.asl.history import History
from automations.asl.options import EngineOptions, ExecutionResult
from automations.asl.ports import Clock, ResourceResolver


class Runner(Protocol):
    """What a state handler may ask of the execution it runs in (`Execution` is the one)."""

    info: ExecutionInfo
    clock: Clock
    resolver: ResourceResolver
    options: EngineOptions
    history: History

    def context_parts(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """`$$.Execution` and `$$.StateMachine`, built once per execution."""
        ...

    def history_for(self, frame: Frame) -> History:
        """The history a frame's events go to (a detached frame has its own)."""
        ...

    def checkpoint(self) -> None:
        """Note a transition (saved by the next `persist`)."""
        ...

    def persist(self) -> None:
        """Save the execution if anything changed since the last save."""
        ...

    async def run_frame(self, frame: Frame) -> None:
        """Run a frame's states until it succeeds or fails."""
        ...

    async def run_child(self, definition: Any, child_input: Any, name: str) -> ExecutionResult:
        """Run another machine to its end (states:startExecution.sync:2)."""
        ...


@dataclass(slots=True)  # not frozen: one is built per state, and frozen ones cost 3x as much
class Outcome:
    """A state finished: its output, where to go (`next` None means the frame ends here) and the
    variables it assigns (they take effect now that the state is done). Treat it as read-only."""

    output: Any
    next: str | None
    assigned: Mapping[str, Any] | None = None


@dataclass(slots=True)
class StateRun:
    """One attempt at running a state in a frame."""

    execution: Runner
    frame: Frame
    state: State
    _context: dict[str, Any] | None = None
    _env: tuple[dict[str, Any], dict[str, Any]] | None = None

    @property
    def input(self) -> Any:
        return self.frame.input

    @property
    def name(self) -> str:
        return self.state.name

    def variables(self) -> Mapping[str, Any]:
        return self.frame.visible_variables()

    def expression_env(self, states: dict[str, Any]) -> dict[str, Any]:
        """The variables a JSONata expression sees, `$states` included: built once per
        `states` binding (the variables cannot change before the state is done; evaluations
        never write into it)."""
        cached = self._env
        if cached is not None and cached[0] is states:
            return cached[1]
        env = {**self.frame.visible_variables(), "states": states}
        self._env = (states, env)
        return env

    def context(self, map_item: tuple[int, Any] | None = None) -> dict[str, Any]:
        """The context object `$$` (built once per state run; Map items get their own)."""
        if self._context is None:
            retry_count = sum(self.frame.retries.values()) if self.state.type == "Task" else None
            self._context = context_object(
                self.execution.info,
                self.state.name,
                self.frame.entered_time,
                retry_count=retry_count,
                shared=self.execution.context_parts(),
            )
        if map_item is None:
            return self._context
        return {**self._context, "Map": {"Item": {"Index": map_item[0], "Value": map_item[1]}}}

    def emit(
        self,
        kind: str,
        details: dict[str, Any] | None = None,
        *,
        previous: int | None = None,
        advance: bool = True,
    ) -> int:
        """Add a history event in this frame's chain of events.

        `previous` overrides the previousEventId; `advance=False` records a side event that the
        frame's next event does not follow (AWS does this, e.g., for MapStateSucceeded).
        """
        frame = self.frame
        prior = frame.last_event if previous is None else previous
        if frame.parent is None and not frame.detached:  # the root frame: the execution's own
            event_id = self.execution.history.add(kind, prior, details)
        else:
            event_id = self.execution.history_for(frame).add(kind, prior, details)
        if advance:
            frame.last_event = event_id
        return event_id

    def record_evaluation(self, failure: StatesFailure) -> None:
        """Write the EvaluationFailed event a JSONata evaluation failure gets (once)."""
        if failure.evaluation and not failure.recorded:
            failure.recorded = True
            # AWS links it to the event before the state was entered (a Wait: to its entry).
            entered = self.execution.history_for(self.frame).events[self.frame.entered_id - 1]
            previous = entered["id"] if self.state.type == "Wait" else entered["previousEventId"]
            self.emit(
                "EvaluationFailed",
                history.evaluation_failed(
                    self.state.name, failure.error, failure.cause, failure.location
                ),
                previous=previous,
            )

    def next_state(self) -> str | None:
        """Where a state with Next/End goes."""
        return None if self.state.end else self.state.next

    # --- failures worded as AWS words them ------------------------------------------------------

    def _prefix(self) -> str:
        return (
            f"An error occurred while executing the state '{self.state.name}' "
            f"(entered at the event id #{self.frame.entered_id}). "
        )

    def runtime_error(self, detail: str) -> StatesFailure:
        """States.Runtime: not retriable, not catchable; the execution fails."""
        return StatesFailure(errors.RUNTIME, self._prefix() + detail)

    def query_error(self, detail: str, location: str | None = None) -> StatesFailure:
        """States.QueryEvaluationError, recorded with an EvaluationFailed event."""
        return StatesFailure(
            errors.QUERY_EVALUATION, self._prefix() + detail, evaluation=True, location=location
        )

    def failure(self, error: str, detail: str) -> StatesFailure:
        return StatesFailure(error, self._prefix() + detail)
