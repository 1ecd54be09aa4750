"""Processes: queue, start, run while a caller waits, finish, stop and recover, within limits.

- Background runs are stored `queued` and started oldest first while fewer than
  `max_running` run; every end frees a slot and starts the next. None is ever dropped.
- A synchronous run takes a free slot at once or fails with TooManyProcesses (a caller that
  waits cannot stand in a queue), and is stopped (`aborted`) after `sync_timeout_seconds`.
  One whose machine can never wait runs to its end at once and is stored once, when it ends.
- With a `Primary` (another server process on the same database), background runs are that
  process's: this one only tells it to pump or to stop.
- A process that must not run (its scenario is gone, its start variables break a data limit,
  size or depth, its event comes from a chain of processes too deep) is stored at once as
  `error`, so that the refusal is visible where every other process is.
- At start-up `recover()` resumes every background run left `running` from its checkpoint and
  aborts synchronous ones (nobody waits for them any more).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NoReturn, Protocol

from automations.asl.ports import Clock
from automations.model.base import from_epoch
from automations.model.process import (
    FINAL_STATUSES,
    EventRef,
    Initiator,
    ProcessChange,
    ProcessError,
    ProcessRecord,
    ProcessStatus,
)
from automations.model.process_ids import new_process_id
from automations.model.scenario import ScenarioVersion
from automations.ports import (
    ExecutionEnd,
    ExecutionRequest,
    Executor,
    ProcessQuery,
    ProcessStore,
    ScenarioStore,
)
from automations.service.errors import (
    ProcessAlreadyFinished,
    ProcessDataTooLarge,
    ProcessNotFound,
    SyncRunTimedOut,
    TooManyProcesses,
)
from automations.service.outcome import (
    DATA_LIMIT,
    DATA_TOO_DEEP,
    ended_as,
    start_data_problem,
    trace_steps,
)
from automations.service.variables import Trigger, start_variables
from automations.settings import Settings

logger = logging.getLogger(__name__)

STANDARD, EXPRESS = "STANDARD", "EXPRESS"
CHAIN_TOO_DEEP = "Process.ChainTooDeep"
SCENARIO_MISSING = "Process.ScenarioNotFound"
TOO_MANY = "Process.TooManyProcesses"
SYNC_TIMEOUT = "Process.Timeout"
INTERRUPTED = "Process.Interrupted"
STOPPED = "Process.Stopped"
STOP_WAIT_SECONDS = 5.0

# What a waiting caller checks in a completed run's variables: (code, message) fails the run.
OutputCheck = Callable[[dict[str, Any]], tuple[str, str] | None]


def latest_standard(
    scenarios: ScenarioStore,
) -> Callable[[str], tuple[str, Mapping[str, Any]] | None]:
    """What a call activity runs: a scenario's latest version, as (version id, its STANDARD
    definition), or None when it has none (both executors look called scenarios up this way)."""

    def lookup(scenario_id: str) -> tuple[str, Mapping[str, Any]] | None:
        version = scenarios.latest(scenario_id)
        if version is None or STANDARD not in version.compiled:
            return None
        return version.id, version.compiled[STANDARD]

    return lookup


@dataclass(frozen=True, slots=True)
class Start:
    """A process to start: the scenario, the trigger, and (for deduplication) its id."""

    scenario_id: str
    trigger: Trigger
    process_id: str | None = None
    subscription_id: str | None = None
    depth: int = 0


@dataclass(frozen=True, slots=True)
class ProcessDeps:
    """The ports processes need."""

    scenarios: ScenarioStore
    processes: ProcessStore
    executor: Executor
    clock: Clock
    settings: Settings


@dataclass(slots=True)
class Metrics:
    """Counters of this server since it started (for operators and the limit tests)."""

    started: int = 0
    finished: int = 0
    max_running_seen: int = 0  # looked at when queued processes start (not per synchronous run)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return {
                "started": self.started,
                "finished": self.finished,
                "maxRunningSeen": self.max_running_seen,
            }


class Primary(Protocol):
    """The server process that runs background processes, as another server process sees it
    (several embedded server processes may share one database; only one runs these)."""

    def pump(self) -> None:
        """Processes were queued: start what the limit allows."""
        ...

    def stop(self, process_id: str) -> None:
        """Stop this process if it runs there (else end it in the store)."""
        ...


class Processes:
    """The process use cases over one set of ports; with `primary`, background processes are
    left to that other server process (this one runs only those its callers wait for)."""

    def __init__(self, deps: ProcessDeps, primary: Primary | None = None) -> None:
        self.deps = deps
        self.metrics = Metrics()
        self._primary = primary

    # --- starting -----------------------------------------------------------------------------

    def enqueue(self, start: Start) -> ProcessRecord | None:
        """Store a background run as `queued` (or at once as `error` when it must not run);
        None when a process with this id exists already. `pump()` starts queued ones."""
        record, _ = self._record(start)
        return record if self.deps.processes.create(record) else None

    def run_sync(self, start: Start, *, check: OutputCheck | None = None) -> ProcessRecord:
        """Run while the caller waits and return the finished process (any final status);
        `check` may fail a completed run whose variables the caller cannot use.

        A machine that can never wait (the executor says so) runs to its end in this thread and
        is stored once, when it ends: it could not be seen running, nor be left half-run by a
        crash. Any other run is stored `running` first and changed when it ends.

        Raises TooManyProcesses, ProcessDataTooLarge or SyncRunTimedOut; each leaves the
        process stored with its error.
        """
        record, request = self._prepared(start)
        if request is None:
            return record
        if self.deps.executor.can_run_now(request):
            limit = self.deps.settings.sync_timeout_seconds
            ended = self._run_now(record, request, limit, check)
            if ended is None:
                ended = self._sync_timed_out(record)
            self.deps.processes.create(ended)
            if ended.error is not None and ended.error.code == SYNC_TIMEOUT:
                raise SyncRunTimedOut(ended.error.message, record.id)
            return ended
        if not self.deps.processes.admit(record, self.deps.settings.max_running):
            self._refuse_busy(record)
        end = self.deps.executor.run(request, self.deps.settings.sync_timeout_seconds)
        if end.timed_out:
            cause = self._sync_limit_text()
            # Failed by its limit, not stopped by anyone: `error`, as a machine's own timeout.
            timed_out = replace(end, status="TIMED_OUT", error=SYNC_TIMEOUT, cause=cause)
            self.finish(record.id, timed_out)
            raise SyncRunTimedOut(cause, record.id)
        return self.finish(record.id, end, check) or record

    def _sync_limit_text(self) -> str:
        seconds = self.deps.settings.sync_timeout_seconds
        return f"the synchronous run took longer than {seconds:g} s (the limit)"

    def _sync_timed_out(self, record: ProcessRecord) -> ProcessRecord:
        end = ExecutionEnd("TIMED_OUT", error=SYNC_TIMEOUT, cause=self._sync_limit_text())
        return record.model_copy(update=self._end_fields(record.started_at, end))

    async def run_sync_now(
        self, start: Start, budget_seconds: float, *, check: OutputCheck | None = None
    ) -> ProcessRecord | None:
        """`run_sync` for an event loop, when the machine can never wait and ends within
        `budget_seconds`; else None and nothing done (the caller hands the run to a thread,
        where it has the whole synchronous limit). The end is stored with `create_async`: the
        loop serves others while the write waits for its group commit."""
        record, request = self._prepared(start)
        if request is None:
            return record
        if not self.deps.executor.can_run_now(request):
            return None
        ended = self._run_now(record, request, budget_seconds, check)
        if ended is None:
            return None
        await self.deps.processes.create_async(ended)
        return ended

    def _prepared(self, start: Start) -> tuple[ProcessRecord, ExecutionRequest | None]:
        """The process a synchronous run starts, and its request; no request when it must not
        run (then it is stored with its error, or ProcessDataTooLarge raised)."""
        record, version = self._record(start, sync=True)
        if version is None or record.status is ProcessStatus.ERROR:
            self.deps.processes.create(record)
            if record.error is not None and record.error.code == DATA_LIMIT:
                raise ProcessDataTooLarge(record.error.message)
            return record, None
        return record, self._request(record, version, express=EXPRESS in version.compiled)

    def _run_now(
        self,
        record: ProcessRecord,
        request: ExecutionRequest,
        budget_seconds: float,
        check: OutputCheck | None = None,
    ) -> ProcessRecord | None:
        """Run a machine that never waits, if a slot is free; the process as it ended (not
        stored yet), or None when it was still running after `budget_seconds`."""
        if self.deps.processes.count(ProcessStatus.RUNNING) >= self.deps.settings.max_running:
            self._refuse_busy(record)
        end = self.deps.executor.run_now(request, budget_seconds)
        if end is None:
            return None
        with self.metrics.lock:
            self.metrics.finished += 1
        return record.model_copy(update=self._end_fields(record.started_at, end, check))

    def _refuse_busy(self, record: ProcessRecord) -> NoReturn:
        self._store_refused(record, TOO_MANY, "every process slot is taken; try again later")
        raise TooManyProcesses(
            f"{self.deps.settings.max_running} processes are running (the limit)"
        )

    def pump(self) -> int:
        """Start queued processes, oldest first, while slots are free; how many started (none
        here when another process is the primary: it is told to)."""
        if self._primary is not None:
            self._primary.pump()
            return 0
        now = from_epoch(self.deps.clock.now())
        claimed = self.deps.processes.claim_queued(self.deps.settings.max_running, now)
        if claimed:
            self._note_running()
        for process in claimed:
            self._start_claimed(process, resume=False)
        return len(claimed)

    def _start_claimed(self, process: ProcessRecord, *, resume: bool) -> None:
        version = self.deps.scenarios.get_version(process.scenario_id, process.scenario_version)
        if version is None or STANDARD not in version.compiled:
            self.finish(
                process.id,
                ExecutionEnd("FAILED", error=SCENARIO_MISSING, cause="the scenario is gone"),
            )
            return
        request = self._request(process, version, express=False)
        run = self.deps.executor.resume if resume else self.deps.executor.start
        run(request, lambda end: self._finish_and_pump(process.id, end))

    # --- ending -------------------------------------------------------------------------------

    def finish(
        self, process_id: str, end: ExecutionEnd, check: OutputCheck | None = None
    ) -> ProcessRecord | None:
        """Store how a running process ended (None if it was not running any more)."""
        current = self.deps.processes.get(process_id)
        change = self._ending(current.started_at if current is not None else None, end, check)
        changed = self.deps.processes.change(process_id, frozenset({ProcessStatus.RUNNING}), change)
        if changed is not None:
            with self.metrics.lock:
                self.metrics.finished += 1
        return changed

    def _ending(
        self, started: datetime | None, end: ExecutionEnd, check: OutputCheck | None = None
    ) -> ProcessChange:
        return ProcessChange(**self._end_fields(started, end, check))

    def _end_fields(
        self, started: datetime | None, end: ExecutionEnd, check: OutputCheck | None = None
    ) -> dict[str, Any]:
        """What the end of a run sets on its process (the fields of a ProcessChange, those that
        are None left out): a run that never waited takes them straight into its record."""
        status, output, failure = ended_as(
            end.status,
            end.output,
            end.error,
            end.cause,
            end.history,
            max_depth=self.deps.settings.max_json_depth,
        )
        now = from_epoch(self.deps.clock.now())
        fields: dict[str, Any] = {
            "status": ProcessStatus(status),
            "finished_at": now,
            "trace": trace_steps(end.history),
        }
        if started is not None:
            fields["duration_ms"] = _milliseconds(started, now)
        if status == "completed":
            fields["output"] = output
        if failure is not None:
            fields["error"] = ProcessError(
                code=failure.code, message=failure.message or "", element=failure.element
            )
        return _checked(fields, check)

    def _finish_and_pump(self, process_id: str, end: ExecutionEnd) -> None:
        self.finish(process_id, end)
        self.pump()

    def stop(self, process_id: str) -> ProcessRecord:
        """Stop a queued or running process; it ends `aborted`."""
        process = self.get(process_id)
        if process.status in FINAL_STATUSES:
            raise ProcessAlreadyFinished(f"process {process_id} is already {process.status}")
        if process.status is ProcessStatus.QUEUED:
            stopped = self._abort(process_id, frozenset({ProcessStatus.QUEUED}))
            if stopped is not None:
                return stopped
        if self.deps.executor.stop(process_id):
            return self._await_final(process_id)
        if self._primary is not None:  # background runs are the primary's
            self._primary.stop(process_id)
            return self._await_final(process_id)
        # Nothing runs it here (its run was lost): end it in the store.
        return self._abort(process_id, frozenset({ProcessStatus.RUNNING})) or self.get(process_id)

    def _abort(self, process_id: str, expected: frozenset[ProcessStatus]) -> ProcessRecord | None:
        now = from_epoch(self.deps.clock.now())
        return self.deps.processes.change(
            process_id,
            expected,
            ProcessChange(
                status=ProcessStatus.ABORTED,
                finished_at=now,
                error=ProcessError(code=STOPPED, message="The process was stopped."),
            ),
        )

    def _await_final(self, process_id: str) -> ProcessRecord:
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while True:
            process = self.get(process_id)
            if process.status in FINAL_STATUSES or time.monotonic() > deadline:
                return process
            time.sleep(0.02)

    # --- reading ------------------------------------------------------------------------------

    def get(self, process_id: str) -> ProcessRecord:
        """The process, or ProcessNotFound."""
        process = self.deps.processes.get(process_id)
        if process is None:
            raise ProcessNotFound(f"process {process_id} not found")
        return process

    def find(self, query: ProcessQuery) -> list[ProcessRecord]:
        """Processes matching the query, newest first."""
        return self.deps.processes.find(query)

    def counters(self) -> dict[str, int]:
        """Running and queued now, and this server's counters."""
        return {
            "running": self.deps.processes.count(ProcessStatus.RUNNING),
            "queued": self.deps.processes.count(ProcessStatus.QUEUED),
            "maxRunning": self.deps.settings.max_running,
        } | self.metrics.snapshot()

    # --- recovery -----------------------------------------------------------------------------

    def recover(self) -> int:
        """After a restart: resume background runs left `running`, abort synchronous ones,
        then start queued ones. How many were resumed."""
        resumed = 0
        for process in self._all_running():
            if process.event.async_:
                self._start_claimed(process, resume=True)
                resumed += 1
            else:
                end = ExecutionEnd(
                    "ABORTED",
                    error=INTERRUPTED,
                    cause="the server stopped while the caller was waiting for this run",
                )
                self.finish(process.id, end)
        self.pump()
        return resumed

    def _all_running(self) -> list[ProcessRecord]:
        found: list[ProcessRecord] = []
        page = 500
        while True:
            batch = self.deps.processes.find(
                ProcessQuery(status=ProcessStatus.RUNNING, limit=page, offset=len(found))
            )
            found += batch
            if len(batch) < page:
                return found

    # --- building -----------------------------------------------------------------------------

    def _record(
        self, start: Start, *, sync: bool = False
    ) -> tuple[ProcessRecord, ScenarioVersion | None]:
        version = self.deps.scenarios.latest(start.scenario_id)
        variables = start_variables(start.trigger, start.scenario_id)
        clock_now = self.deps.clock.now()
        now = from_epoch(clock_now)
        refusal = self._refusal(start, version, variables)
        record = ProcessRecord(
            id=start.process_id or new_process_id(clock_now),
            scenario_id=start.scenario_id,
            scenario_version=version.version if version is not None else 0,
            subscription_id=start.subscription_id,
            event=EventRef.model_validate(
                {"id": start.trigger.source_id, "type": str(start.trigger.type), "async": not sync}
            ),
            initiator=Initiator(user_id=start.trigger.user_id),
            input=variables,
            depth=start.depth,
            status=ProcessStatus.QUEUED,
            queued_at=now,
            started_at=now if sync and refusal is None else None,  # a caller waits: it runs now
        )
        if refusal is not None:
            code, message = refusal
            record = record.model_copy(
                update={
                    "status": ProcessStatus.ERROR,
                    "finished_at": now,
                    "duration_ms": 0,
                    "error": ProcessError(code=code, message=message),
                }
                # Too deep to be stored and read back: the message says where it was.
                | ({"input": {}} if code == DATA_TOO_DEEP else {})
            )
        return record, version

    def _refusal(
        self, start: Start, version: ScenarioVersion | None, variables: dict[str, Any]
    ) -> tuple[str, str] | None:
        settings = self.deps.settings
        if version is None:
            return SCENARIO_MISSING, f"scenario {start.scenario_id} has no saved version"
        if start.depth >= settings.max_chain_depth:
            return CHAIN_TOO_DEEP, (
                f"this event comes from a chain of {start.depth} processes each triggering the "
                f"next; the limit is {settings.max_chain_depth} (AUTOMATIONS_MAX_CHAIN_DEPTH)"
            )
        return start_data_problem(
            variables, settings.max_process_data_bytes, settings.max_json_depth
        )

    def _store_refused(self, record: ProcessRecord, code: str, message: str) -> None:
        now = from_epoch(self.deps.clock.now())
        self.deps.processes.create(
            record.model_copy(
                update={
                    "status": ProcessStatus.ERROR,
                    "finished_at": now,
                    "duration_ms": 0,
                    "error": ProcessError(code=code, message=message),
                }
            )
        )

    def _request(
        self, process: ProcessRecord, version: ScenarioVersion, *, express: bool
    ) -> ExecutionRequest:
        flavour = EXPRESS if express else STANDARD
        with self.metrics.lock:
            self.metrics.started += 1
        return ExecutionRequest(
            process_id=process.id,
            definition=version.compiled[flavour],
            definition_key=version.id,
            input=process.input,
            express=express,
            depth=process.depth,
            scenario_id=process.scenario_id,
        )

    def _note_running(self) -> None:
        running = self.deps.processes.count(ProcessStatus.RUNNING)
        with self.metrics.lock:
            self.metrics.max_running_seen = max(self.metrics.max_running_seen, running)


def _checked(fields: dict[str, Any], check: OutputCheck | None) -> dict[str, Any]:
    """The end `fields` of a completed run, turned into an error when `check` refuses its
    variables (the caller could not use them: the process failed, where everyone can see it)."""
    if check is None or fields["status"] is not ProcessStatus.COMPLETED:
        return fields
    refused = check(fields.get("output", {}))
    if refused is None:
        return fields
    code, message = refused
    kept = {name: value for name, value in fields.items() if name != "output"}
    return kept | {"status": ProcessStatus.ERROR, "error": ProcessError(code=code, message=message)}


def _milliseconds(started: datetime | None, ended: datetime) -> int | None:
    if started is None:
        return None
    return max(0, round((ended - started).total_seconds() * 1000))
