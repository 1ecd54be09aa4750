"""`process.start`'s port: a running process starts another scenario as a process of its own.

The child is a process like any other (stored, listed, limited, visible with its id) started as
`$manual` with the variables it is given; its `$event.id` is the parent's process id. It is one
step deeper in the chain than its parent, so a scenario that starts itself, or a ring of them,
ends at AUTOMATIONS_MAX_CHAIN_DEPTH with `Process.ChainTooDeep` instead of running forever.
Waited for, it runs as a synchronous run does (a free slot now, the synchronous limit); not
waited for, it is queued and the queue pumped, and its id comes back at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from automations.model.event import EventType
from automations.model.process import ProcessError, ProcessRecord, ProcessStatus
from automations.ports import StartedProcess, StartRefusal
from automations.service.errors import ProcessDataTooLarge, SyncRunTimedOut, TooManyProcesses
from automations.service.outcome import DATA_LIMIT, DATA_TOO_DEEP
from automations.service.process_records import (
    CHAIN_TOO_DEEP,
    SCENARIO_MISSING,
    SYNC_TIMEOUT,
    TOO_MANY,
    Start,
)
from automations.service.processes import Processes
from automations.service.variables import Trigger

# A stored refusal's error code -> what the port calls it.
REFUSALS: Mapping[str, StartRefusal] = {
    SCENARIO_MISSING: "not_found",
    CHAIN_TOO_DEEP: "chain_too_deep",
    TOO_MANY: "busy",
    SYNC_TIMEOUT: "timeout",
    DATA_LIMIT: "invalid_variables",
    DATA_TOO_DEEP: "invalid_variables",
}


class ProcessStarts:
    """The ProcessStarter port of one running process (`parent_id`, at chain `depth`)."""

    def __init__(self, processes: Processes, *, parent_id: str, depth: int) -> None:
        self._processes = processes
        self._parent_id = parent_id
        self._depth = depth

    def start(
        self, scenario_id: str, variables: Mapping[str, Any], *, wait: bool
    ) -> StartedProcess:
        trigger = Trigger(EventType.MANUAL, self._parent_id, None, sync=wait, facts=dict(variables))
        start = Start(scenario_id=scenario_id, trigger=trigger, depth=self._depth)
        if wait:
            return self._waited(start)
        queued = self._processes.enqueue(start)
        assert queued is not None  # a fresh random id cannot exist yet
        if queued.status is ProcessStatus.QUEUED:
            self._processes.pump()
        return started(self._processes.get(queued.id), with_variables=False)

    def _waited(self, start: Start) -> StartedProcess:
        try:
            return started(self._processes.run_sync(start), with_variables=True)
        except SyncRunTimedOut as timed_out:
            return started(self._processes.get(timed_out.process_id), with_variables=False)
        except (TooManyProcesses, ProcessDataTooLarge) as refused:
            code = TOO_MANY if isinstance(refused, TooManyProcesses) else DATA_LIMIT
            # Stored with its error; the run's id is not handed back with these two.
            return StartedProcess(
                process_id="",
                status=ProcessStatus.ERROR,
                error=ProcessError(code=code, message=refused.message),
                refusal=REFUSALS[code],
            )


def started(process: ProcessRecord, *, with_variables: bool) -> StartedProcess:
    """What the port says of a stored process."""
    error = process.error
    completed = process.status is ProcessStatus.COMPLETED
    return StartedProcess(
        process_id=process.id,
        status=process.status,
        variables=dict(process.output or {}) if with_variables and completed else None,
        error=error,
        refusal=REFUSALS.get(error.code) if error is not None else None,
    )
