"""Frames: the tree of running state sequences (machine -> Parallel branches / Map iterations).

A frame knows which machine it runs, the state it is at, that state's input, its own variable
scope, retry counters and whatever progress a long state keeps (a Wait's deadline, a Map's
items). Everything in a frame is JSON, so a checkpoint is the root frame serialised, and
resuming is rebuilding the tree and continuing every unfinished frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from automations.asl.definition import MachinePath

FrameStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "ABORTED"]


@dataclass(eq=False)
class Frame:
    """One running sequence of states and its scope of variables."""

    id: str
    path: MachinePath
    state: str
    input: Any
    variables: dict[str, Any] = field(default_factory=dict)
    parent: Frame | None = field(default=None, repr=False)
    index: int = -1  # the item index of a Map iteration, the branch index of a branch
    entered_id: int = 0  # id of the current state's *StateEntered event; 0: not entered yet
    entered_time: float = 0.0
    last_event: int = 0  # previousEventId of this frame's next event
    retries: dict[str, int] = field(default_factory=dict)  # retrier index -> retries used
    retry_at: float | None = None  # when a scheduled retry of the current state starts
    progress: dict[str, Any] = field(default_factory=dict)  # the current state's own progress
    children: list[Frame] = field(default_factory=list)
    detached: bool = False  # a distributed Map iteration: a child execution, its own history
    status: FrameStatus = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    _visible: dict[str, Any] | None = field(default=None, repr=False)
    history: Any = field(default=None, repr=False)  # a detached frame's History (not saved)
    # A Map's `progress["reported"]` as a set, so each iteration's check is O(1) (not saved).
    reported_index: set[int] | None = field(default=None, repr=False)

    # --- variables ------------------------------------------------------------------------------

    def visible_variables(self) -> Mapping[str, Any]:
        """This scope over the outer ones: what expressions in this frame can read.

        A distributed Map iteration is a child execution: it sees no outer scope (as on AWS).
        """
        visible = self._visible
        if visible is None:
            if self.parent is None:  # a machine's own frame: no outer scope (no call for it)
                visible = self.variables
            else:
                outer = self.outer_variables()
                visible = {**outer, **self.variables} if outer else self.variables
            self._visible = visible
        return visible

    def outer_variables(self) -> Mapping[str, Any]:
        """What the enclosing scopes hold (read-only from this frame)."""
        if self.parent is None or self.detached:
            return {}
        return self.parent.visible_variables()

    def assign(self, values: Mapping[str, Any]) -> None:
        if values:
            self.variables = {**self.variables, **values}
            self._invalidate()

    def _invalidate(self) -> None:
        self._visible = None
        for child in self.children:
            child._invalidate()

    # --- moving on --------------------------------------------------------------------------------

    def move_to(self, state: str, state_input: Any) -> None:
        """Transition: forget everything about the state left behind."""
        self.state = state
        self.input = state_input
        self.entered_id = 0
        self.retries = {}
        self.retry_at = None
        self.progress = {}
        self.children = []

    def finish(self, output: Any) -> None:
        self.status = "SUCCEEDED"
        self.output = output

    def fail(self, error: str | None, cause: str | None) -> None:
        self.status = "FAILED"
        self.error = error
        self.cause = cause

    # --- checkpoints ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": [list(step) for step in self.path],
            "state": self.state,
            "input": self.input,
            "variables": self.variables,
            "index": self.index,
            "entered_id": self.entered_id,
            "entered_time": self.entered_time,
            "last_event": self.last_event,
            "retries": self.retries,
            "retry_at": self.retry_at,
            "progress": self.progress,
            "children": [child.to_dict() for child in self.children],
            "detached": self.detached,
            "status": self.status,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], parent: Frame | None = None) -> Frame:
        frame = cls(
            id=data["id"],
            path=tuple((str(name), int(index)) for name, index in data["path"]),
            state=data["state"],
            input=data["input"],
            variables=dict(data["variables"]),
            parent=parent,
            index=data["index"],
            entered_id=data["entered_id"],
            entered_time=data["entered_time"],
            last_event=data["last_event"],
            retries=dict(data["retries"]),
            retry_at=data["retry_at"],
            progress=dict(data["progress"]),
            detached=data["detached"],
            status=data["status"],
            output=data["output"],
            error=data["error"],
            cause=data["cause"],
        )
        frame.children = [cls.from_dict(child, frame) for child in data["children"]]
        return frame
