"""Processes: one row per run of a scenario, with its status, result and trace."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from automations.model.base import CamelModel, UtcDateTime, UtcText


class ProcessStatus(StrEnum):
    """Where a process is in its life; the last three are final."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    ERROR = "error"
    ABORTED = "aborted"


FINAL_STATUSES = frozenset({ProcessStatus.COMPLETED, ProcessStatus.ERROR, ProcessStatus.ABORTED})


class EventRef(CamelModel):
    """`$event`: which subscription fired, of which type, and whether the caller waits."""

    id: str
    type: str
    async_: bool = Field(default=True, alias="async")


class Initiator(CamelModel):
    """`$user`: who caused the event (None when a process or the system did)."""

    user_id: str | None = None


class ProcessError(CamelModel):
    """Why a process ended in `error`: the error code, its message and the element it came from."""

    code: str
    message: str = ""
    element: str | None = None


class TraceStep(CamelModel):
    """One element entered (and left, once it finished) during the run."""

    element: str
    entered_at: UtcText
    exited_at: UtcText | None = None
    # Which retry entered it (1 for the first); None in the run before any retry.
    retry: int | None = None


class ProcessRecord(CamelModel):
    """A process as stored and listed."""

    id: str
    scenario_id: str
    scenario_version: int
    subscription_id: str | None = None
    event: EventRef
    # How many processes led to the event (0 = a person); the process's own writes are one more.
    depth: int = 0
    initiator: Initiator = Field(default_factory=Initiator)
    input: dict[str, Any] = Field(default_factory=dict)
    status: ProcessStatus = ProcessStatus.QUEUED
    queued_at: UtcDateTime
    started_at: UtcDateTime | None = None
    finished_at: UtcDateTime | None = None
    duration_ms: int | None = None
    output: dict[str, Any] | None = None
    error: ProcessError | None = None
    trace: list[TraceStep] = Field(default_factory=list)
    retries: int = 0  # how many times it was retried from where it failed


class ProcessChange(CamelModel):
    """Fields a status change sets on a process; those left None are not touched."""

    status: ProcessStatus
    started_at: UtcDateTime | None = None
    finished_at: UtcDateTime | None = None
    duration_ms: int | None = None
    output: dict[str, Any] | None = None
    error: ProcessError | None = None
    trace: list[TraceStep] | None = None
    # A retry: the end of the run it goes on from is cleared, and it is counted.
    retried: bool = False

    def applied_to(self, process: ProcessRecord) -> ProcessRecord:
        """The process with the fields this change sets."""
        fields = {
            name: value for name in _CHANGE_FIELDS if (value := getattr(self, name)) is not None
        }
        if self.retried:
            fields |= dict.fromkeys(_ENDED, None) | {"retries": process.retries + 1}
        return process.model_copy(update=fields)


# (`model_fields` is a descriptor that pydantic runs on every access)
_CHANGE_FIELDS = tuple(name for name in ProcessChange.model_fields if name != "retried")
_ENDED = ("finished_at", "duration_ms", "error")
