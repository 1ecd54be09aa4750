"""A process's record from its start to its end: what a start stores, what an end changes.

Every way a process runs (queued in the background, a synchronous run, a recovered one) builds
its record, refuses it or ends it here, so that a process looks the same in the store whichever
way it went:
- a process that must not run (its scenario is gone, its start variables break a data limit,
  size or depth, its event comes from a chain of processes too deep) is stored at once as
  `error`, so that the refusal is visible where every other process is;
- an end is stored only over a `running` process (a stopped one stays stopped).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from automations.asl.ports import Clock
from automations.model.base import from_epoch
from automations.model.process import (
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
    Counters,
    ExecutionEnd,
    ExecutionRequest,
    Executor,
    ProcessStore,
    ScenarioStore,
    TraceSource,
    Waits,
)
from automations.service.outcome import DATA_TOO_DEEP, ended_as, start_data_problem, trace_steps
from automations.service.variables import Trigger, start_variables
from automations.settings import Settings

STANDARD, EXPRESS = "STANDARD", "EXPRESS"
CHAIN_TOO_DEEP = "Process.ChainTooDeep"
SCENARIO_MISSING = "Process.ScenarioNotFound"
TOO_MANY = "Process.TooManyProcesses"
SYNC_TIMEOUT = "Process.Timeout"
INTERRUPTED = "Process.Interrupted"
STOPPED = "Process.Stopped"

# The counters every runtime keeps (`GET /api/v1/metrics`).
STARTED, FINISHED, MAX_RUNNING_SEEN = "started", "finished", "maxRunningSeen"

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
    counters: Counters
    waits: Waits
    # Catches a running process's path up when it is read (None: the executor stores it).
    traces: TraceSource | None = None


class ProcessRecords:
    """Builds, refuses and ends process records over one set of ports."""

    def __init__(self, deps: ProcessDeps) -> None:
        self.deps = deps

    def now(self) -> datetime:
        return from_epoch(self.deps.clock.now())

    # --- starting -----------------------------------------------------------------------------

    def new(
        self, start: Start, *, sync: bool = False
    ) -> tuple[ProcessRecord, ScenarioVersion | None]:
        """The record a start makes (`queued`; `error` when it must not run: not stored yet)
        and the scenario version it runs."""
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
        if refusal is None:
            return record, version
        code, message = refusal
        refused = record.model_copy(
            update=_refused_fields(now, code, message)
            # Too deep to be stored and read back: the message says where it was.
            | ({"input": {}} if code == DATA_TOO_DEEP else {})
        )
        return refused, version

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

    def store_refused(self, record: ProcessRecord, code: str, message: str) -> None:
        """Store a process that was not run, with why."""
        self.deps.processes.create(
            record.model_copy(update=_refused_fields(self.now(), code, message))
        )

    def request(
        self, process: ProcessRecord, version: ScenarioVersion, *, express: bool
    ) -> ExecutionRequest:
        """The executor's request for one run of `process` (counted as started)."""
        flavour = EXPRESS if express else STANDARD
        self.deps.counters.add(STARTED)
        return ExecutionRequest(
            process_id=process.id,
            definition=version.compiled[flavour],
            definition_key=version.id,
            input=process.input,
            express=express,
            depth=process.depth,
            scenario_id=process.scenario_id,
        )

    # --- ending -------------------------------------------------------------------------------

    def finish(
        self, process_id: str, end: ExecutionEnd, check: OutputCheck | None = None
    ) -> ProcessRecord | None:
        """Store how a running process ended (None if it was not running any more)."""
        current = self.deps.processes.get(process_id)
        started = current.started_at if current is not None else None
        change = ProcessChange(**self.end_fields(started, end, check))
        changed = self.deps.processes.change(process_id, frozenset({ProcessStatus.RUNNING}), change)
        if changed is not None:
            self.deps.counters.add(FINISHED)
        return changed

    def end_fields(
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
            max_bytes=self.deps.settings.max_process_data_bytes,
        )
        now = self.now()
        fields: dict[str, Any] = {
            "status": ProcessStatus(status),
            "finished_at": now,
            "trace": end.trace if end.trace is not None else trace_steps(end.history),
        }
        if started is not None:
            fields["duration_ms"] = _milliseconds(started, now)
        if status == "completed" or output:  # one that broke off keeps what it held then
            fields["output"] = output
        if failure is not None:
            fields["error"] = ProcessError(
                code=failure.code, message=failure.message or "", element=failure.element
            )
        return _checked(fields, check)

    def abort(self, process_id: str, expected: frozenset[ProcessStatus]) -> ProcessRecord | None:
        """End a process in the store as stopped, if its status is one of `expected`."""
        return self.deps.processes.change(
            process_id,
            expected,
            ProcessChange(
                status=ProcessStatus.ABORTED,
                finished_at=self.now(),
                error=ProcessError(code=STOPPED, message="The process was stopped."),
            ),
        )


def _refused_fields(now: datetime, code: str, message: str) -> dict[str, Any]:
    return {
        "status": ProcessStatus.ERROR,
        "finished_at": now,
        "duration_ms": 0,
        "error": ProcessError(code=code, message=message),
    }


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
