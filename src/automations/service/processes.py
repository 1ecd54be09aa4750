"""Processes: queue, start, run while a caller waits, finish, stop and recover, within limits.

The use cases live in one module each and share how a record is built and ended
(`process_records.py`): background runs and their queue (`process_queue.py`), runs a caller
waits for (`sync_runs.py`), the restart (`recovery.py`). `Processes` is what the runtimes,
the API and the other use cases hold: those parts over one set of ports, with stopping and
reading beside them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from automations.model.process import FINAL_STATUSES, ProcessRecord, ProcessStatus
from automations.ports import ExecutionEnd, Primary, ProcessQuery
from automations.service.errors import ProcessAlreadyFinished, ProcessNotFound
from automations.service.process_queue import ProcessQueue
from automations.service.process_records import (
    EXPRESS,
    FINISHED,
    MAX_RUNNING_SEEN,
    STANDARD,
    STARTED,
    OutputCheck,
    ProcessDeps,
    ProcessRecords,
    Start,
    latest_standard,
)
from automations.service.process_retry import retry
from automations.service.recovery import recover
from automations.service.sync_runs import SyncRuns

__all__ = [
    "EXPRESS",
    "STANDARD",
    "OutputCheck",
    "ProcessDeps",
    "Processes",
    "Start",
    "latest_standard",
]

STOP_WAIT_SECONDS = 5.0


class Processes:
    """The process use cases over one set of ports; with `primary`, background processes are
    left to that other server process (this one runs only those its callers wait for)."""

    def __init__(self, deps: ProcessDeps, primary: Primary | None = None) -> None:
        self.deps = deps
        self._records = ProcessRecords(deps)
        self._queue = ProcessQueue(self._records, primary)
        self._sync = SyncRuns(self._records)
        self._primary = primary

    # --- starting and ending (process_queue.py, sync_runs.py, process_records.py) -------------

    def enqueue(self, start: Start) -> ProcessRecord | None:
        """Store a background run as `queued` (None: a process with its id exists already)."""
        return self._queue.enqueue(start)

    def pump(self) -> int:
        """Start queued processes while slots are free; how many started."""
        return self._queue.pump()

    def run_sync(self, start: Start, *, check: OutputCheck | None = None) -> ProcessRecord:
        """Run while the caller waits; the finished process."""
        return self._sync.run(start, check=check)

    async def run_sync_now(
        self, start: Start, budget_seconds: float, *, check: OutputCheck | None = None
    ) -> ProcessRecord | None:
        """`run_sync` on an event loop within `budget_seconds`, or None and nothing done."""
        return await self._sync.run_now(start, budget_seconds, check=check)

    def finish(
        self, process_id: str, end: ExecutionEnd, check: OutputCheck | None = None
    ) -> ProcessRecord | None:
        """Store how a running process ended (None if it was not running any more)."""
        return self._records.finish(process_id, end, check)

    def retry(self, process_id: str, variables: Mapping[str, Any] | None = None) -> ProcessRecord:
        """Run a process that ended in error on from the element that failed (see
        process_retry.py); ProcessNotRetryable says why one cannot be."""
        return retry(self._records, self._queue, self.get(process_id), variables)

    def recover(self) -> int:
        """After a restart (see recovery.py); how many background runs were resumed."""
        return recover(self._records, self._queue)

    # --- stopping -----------------------------------------------------------------------------

    def stop(self, process_id: str) -> ProcessRecord:
        """Stop a queued or running process; it ends `aborted`."""
        process = self.get(process_id)
        if process.status in FINAL_STATUSES:
            raise ProcessAlreadyFinished(f"process {process_id} is already {process.status}")
        if process.status is ProcessStatus.QUEUED:
            stopped = self._records.abort(process_id, frozenset({ProcessStatus.QUEUED}))
            if stopped is not None:
                return stopped
        if self.deps.executor.stop(process_id):
            return self._await_final(process_id)
        if self._primary is not None:  # background runs are the primary's
            self._primary.stop(process_id)
            return self._await_final(process_id)
        # Nothing runs it here (its run was lost): end it in the store.
        aborted = self._records.abort(process_id, frozenset({ProcessStatus.RUNNING}))
        return aborted or self.get(process_id)

    def _await_final(self, process_id: str) -> ProcessRecord:
        """The process once its end is stored by whoever ran it (at most STOP_WAIT_SECONDS)."""
        self.deps.waits.until(
            lambda: self.get(process_id).status in FINAL_STATUSES, STOP_WAIT_SECONDS
        )
        return self.get(process_id)

    # --- reading ------------------------------------------------------------------------------

    def get(self, process_id: str) -> ProcessRecord:
        """The process, or ProcessNotFound."""
        process = self.deps.processes.get(process_id)
        if process is None:
            raise ProcessNotFound(f"process {process_id} not found")
        return process

    def read(self, process_id: str) -> ProcessRecord:
        """`get` for someone looking at the process: a running one with its path up to now
        (where the runtime does not store it as it goes, `ProcessDeps.traces` catches it up)."""
        process = self.get(process_id)
        traces = self.deps.traces
        if traces is None or process.status is not ProcessStatus.RUNNING:
            return process
        return traces.caught_up(process)

    def find(self, query: ProcessQuery) -> list[ProcessRecord]:
        """Processes matching the query, newest first."""
        return self.deps.processes.find(query)

    def counters(self) -> dict[str, int]:
        """Running and queued now, and this server's counters."""
        return (
            {
                "running": self.deps.processes.count(ProcessStatus.RUNNING),
                "queued": self.deps.processes.count(ProcessStatus.QUEUED),
                "maxRunning": self.deps.settings.max_running,
            }
            | {STARTED: 0, FINISHED: 0, MAX_RUNNING_SEEN: 0}
            | self.deps.counters.snapshot()
        )
