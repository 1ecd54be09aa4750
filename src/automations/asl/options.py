"""`EngineOptions`: the interpreter's knobs, and `ExecutionResult`: how an execution ended.

Kept apart from the frame loop (`execution`) so that the state handlers and their `StateRun`
can name both without importing the loop that imports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from automations.asl import history
from automations.asl.errors import MAX_HISTORY_EVENTS
from automations.expressions import DEFAULT_TIMEOUT_SECONDS

Status = Literal["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]


@dataclass(frozen=True)
class EngineOptions:
    """Knobs of the interpreter; the defaults are AWS's limits."""

    expression_timeout: float | None = DEFAULT_TIMEOUT_SECONDS
    max_payload_bytes: int = 256 * 1024
    # Events a STANDARD execution's history may hold (None: no limit).
    max_history_events: int | None = MAX_HISTORY_EVENTS
    region: str = "us-east-1"
    account: str = "000000000000"
    role_arn: str = "arn:aws:iam::000000000000:role/automations-embedded"
    services: Mapping[str, Any] = field(default_factory=dict)  # handed to components
    seed: int | None = None  # makes retry jitter reproducible
    # Save after literally every transition, not only before each wait (slower; for tests).
    checkpoint_each_transition: bool = False
    # An event loop runs the execution, so it may await between states to let others run.
    # False for a caller that steps a machine that never waits by hand (`run_now`).
    gives_way: bool = True


@dataclass(frozen=True)
class ExecutionResult:
    """How an execution ended, with its full history."""

    execution_id: str
    name: str
    status: Status
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def trace(self) -> list[str]:
        return history.trace(self.history)

    def to_dict(self) -> dict[str, Any]:
        return {
            "execution_id": self.execution_id,
            "name": self.name,
            "status": self.status,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
        }
