"""Ports of the interpreter: time, tasks and checkpoints come in through these Protocols."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Clock(Protocol):
    """Where the interpreter reads the time and waits (a Wait state, a retry back-off)."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return after `seconds` of this clock's time."""
        ...

    def start_work(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run outside work (a task call) as an asyncio task.

        A virtual clock must not jump ahead while such work runs (it takes real time), so the
        interpreter starts every task call through here.
        """
        ...


@dataclass(frozen=True, slots=True)
class TaskContext:
    """What a resolver knows about the Task state it serves."""

    execution_id: str
    execution_name: str
    state_name: str
    retry_count: int
    context_object: Mapping[str, Any]
    heartbeat: Callable[[], None] = lambda: None
    # Runs another machine as a child execution (states:startExecution.sync:2).
    run_child: Callable[[Any, Any, str], Awaitable[Any]] | None = None
    services: Mapping[str, Any] = field(default_factory=dict)


class ResourceResolver(Protocol):
    """Runs a Task: takes its Resource ARN and evaluated Parameters/Arguments, returns the result.

    Raise `automations.asl.errors.TaskError(error, cause)` to fail the task.
    """

    async def __call__(self, resource: str, arguments: Any, context: TaskContext) -> Any: ...


class CheckpointStore(Protocol):
    """Keeps the latest checkpoint of each execution (plain JSON-compatible dicts)."""

    def save(self, execution_id: str, checkpoint: dict[str, Any]) -> None: ...

    def load(self, execution_id: str) -> dict[str, Any] | None: ...
