"""Runs a caller waits for (a web request, a before-hook, a card being edited, a manual run).

A synchronous run takes a free slot at once or fails with TooManyProcesses (a caller that waits
cannot stand in a queue), and is cut at `sync_timeout_seconds`: then it ends `error`
`Process.Timeout`. One whose machine can never wait runs to its end at once and is stored once,
when it ends: it could not be seen running, nor be left half-run by a crash.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NoReturn

from automations.model.process import ProcessRecord, ProcessStatus
from automations.ports import ExecutionEnd, ExecutionRequest
from automations.service.errors import ProcessDataTooLarge, SyncRunTimedOut, TooManyProcesses
from automations.service.outcome import DATA_LIMIT
from automations.service.process_records import (
    EXPRESS,
    FINISHED,
    SYNC_TIMEOUT,
    TOO_MANY,
    OutputCheck,
    ProcessRecords,
    Start,
)

# What a run that outlives AUTOMATIONS_SYNC_TIMEOUT_SECONDS ends with (in both runtimes).
SYNC_LIMIT_TEXT = "the synchronous run took longer than {seconds:g} s (the limit)"


class SyncRuns:
    """Runs while the caller waits, in its thread or on its event loop."""

    def __init__(self, records: ProcessRecords) -> None:
        self._records = records
        self._deps = records.deps

    def run(self, start: Start, *, check: OutputCheck | None = None) -> ProcessRecord:
        """Run while the caller waits and return the finished process (any final status);
        `check` may fail a completed run whose variables the caller cannot use.

        Raises TooManyProcesses, ProcessDataTooLarge or SyncRunTimedOut; each leaves the
        process stored with its error.
        """
        record, request = self._prepared(start)
        if request is None:
            return record
        limit = self._deps.settings.sync_timeout_seconds
        if self._deps.executor.can_run_now(request):
            ended = self._run_now(record, request, limit, check)
            if ended is None:
                ended = self._timed_out(record)
            self._deps.processes.create(ended)
            if ended.error is not None and ended.error.code == SYNC_TIMEOUT:
                raise SyncRunTimedOut(ended.error.message, record.id)
            return ended
        if not self._deps.processes.admit(record, self._deps.settings.max_running):
            self._refuse_busy(record)
        end = self._deps.executor.run(request, limit)
        if end.timed_out:
            cause = self._limit_text()
            # Failed by its limit, not stopped by anyone: `error`, as a machine's own timeout.
            timed_out = replace(end, status="TIMED_OUT", error=SYNC_TIMEOUT, cause=cause)
            self._records.finish(record.id, timed_out)
            raise SyncRunTimedOut(cause, record.id)
        return self._records.finish(record.id, end, check) or record

    async def run_now(
        self, start: Start, budget_seconds: float, *, check: OutputCheck | None = None
    ) -> ProcessRecord | None:
        """`run` for an event loop, when the machine can never wait and ends within
        `budget_seconds`; else None and nothing done (the caller hands the run to a thread,
        where it has the whole synchronous limit). The end is stored with `create_async`: the
        loop serves others while the write waits for its group commit."""
        record, request = self._prepared(start)
        if request is None:
            return record
        if not self._deps.executor.can_run_now(request):
            return None
        ended = self._run_now(record, request, budget_seconds, check)
        if ended is None:
            return None
        await self._deps.processes.create_async(ended)
        return ended

    def _prepared(self, start: Start) -> tuple[ProcessRecord, ExecutionRequest | None]:
        """The process a synchronous run starts, and its request; no request when it must not
        run (then it is stored with its error, or ProcessDataTooLarge raised)."""
        record, version = self._records.new(start, sync=True)
        if version is None or record.status is ProcessStatus.ERROR:
            self._deps.processes.create(record)
            if record.error is not None and record.error.code == DATA_LIMIT:
                raise ProcessDataTooLarge(record.error.message)
            return record, None
        return record, self._records.request(record, version, express=EXPRESS in version.compiled)

    def _run_now(
        self,
        record: ProcessRecord,
        request: ExecutionRequest,
        budget_seconds: float,
        check: OutputCheck | None = None,
    ) -> ProcessRecord | None:
        """Run a machine that never waits, if a slot is free; the process as it ended (not
        stored yet), or None when it was still running after `budget_seconds`."""
        if self._deps.processes.count(ProcessStatus.RUNNING) >= self._deps.settings.max_running:
            self._refuse_busy(record)
        end = self._deps.executor.run_now(request, budget_seconds)
        if end is None:
            return None
        self._deps.counters.add(FINISHED)
        return record.model_copy(update=self._records.end_fields(record.started_at, end, check))

    def _refuse_busy(self, record: ProcessRecord) -> NoReturn:
        self._records.store_refused(
            record, TOO_MANY, "every process slot is taken; try again later"
        )
        raise TooManyProcesses(
            f"{self._deps.settings.max_running} processes are running (the limit)"
        )

    def _limit_text(self) -> str:
        return SYNC_LIMIT_TEXT.format(seconds=self._deps.settings.sync_timeout_seconds)

    def _timed_out(self, record: ProcessRecord) -> ProcessRecord:
        end = ExecutionEnd("TIMED_OUT", error=SYNC_TIMEOUT, cause=self._limit_text())
        return record.model_copy(update=self._records.end_fields(record.started_at, end))
