"""Background processes: stored `queued`, started oldest first while fewer than `max_running`
run; every end frees a slot and starts the next. None is ever dropped.

With a `Primary` (another server process on the same database), background runs are that
process's: this one only tells it to pump.
"""

from __future__ import annotations

from automations.errors import AutomationsError
from automations.model.process import ProcessRecord, ProcessStatus
from automations.ports import ExecutionEnd, Primary
from automations.service.process_records import (
    MAX_RUNNING_SEEN,
    SCENARIO_MISSING,
    STANDARD,
    ProcessRecords,
    Start,
)

START_FAILED = "Process.StartFailed"


class ProcessQueue:
    """Admission of background runs, and the pump that starts them."""

    def __init__(self, records: ProcessRecords, primary: Primary | None = None) -> None:
        self._records = records
        self._deps = records.deps
        self._primary = primary

    def enqueue(self, start: Start) -> ProcessRecord | None:
        """Store a background run as `queued` (or at once as `error` when it must not run);
        None when a process with this id exists already. `pump()` starts queued ones."""
        record, _ = self._records.new(start)
        return record if self._deps.processes.create(record) else None

    def pump(self) -> int:
        """Start queued processes, oldest first, while slots are free; how many started (none
        here when another process is the primary: it is told to)."""
        if self._primary is not None:
            self._primary.pump()
            return 0
        claimed = self._deps.processes.claim_queued(
            self._deps.settings.max_running, self._records.now()
        )
        if claimed:
            running = self._deps.processes.count(ProcessStatus.RUNNING)
            self._deps.counters.at_least(MAX_RUNNING_SEEN, running)
        for process in claimed:
            self.start_claimed(process, resume=False)
        return len(claimed)

    def start_claimed(self, process: ProcessRecord, *, resume: bool) -> None:
        """Run a process the store has marked `running` (from its checkpoint when `resume`)."""
        version = self._deps.scenarios.get_version(process.scenario_id, process.scenario_version)
        if version is None or STANDARD not in version.compiled:
            self._records.finish(
                process.id,
                ExecutionEnd("FAILED", error=SCENARIO_MISSING, cause="the scenario is gone"),
            )
            return
        request = self._records.request(process, version, express=False)
        run = self._deps.executor.resume if resume else self._deps.executor.start
        try:
            run(request, lambda end: self.finish_and_pump(process.id, end))
        except AutomationsError as exc:
            # Claimed but not started: no run will report an end, so it ends here (its slot
            # is freed) instead of holding a slot for ever; the next claimed ones still start.
            self._records.finish(
                process.id, ExecutionEnd("FAILED", error=START_FAILED, cause=str(exc))
            )

    def finish_and_pump(self, process_id: str, end: ExecutionEnd) -> None:
        """Store how a run ended, then start what its slot lets start."""
        self._records.finish(process_id, end)
        self.pump()
