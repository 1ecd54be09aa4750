"""The Executor port on AWS Step Functions.

Every scenario has one machine per kind and a Step Functions version per change (`machines.py`):
a process starts on the version that runs its scenario version's definition, and its execution
is named after the machine, so stopping, redriving and reading it needs only the scenario id.

- `start` / `resume`: StartExecution on the scenario version's STANDARD machine version,
  named after the process (a redelivered start finds its execution: `ExecutionAlreadyExists`
  means "already started"). AWS keeps running executions itself, so resuming is starting.
  `on_end` is never called here: the end arrives later as an EventBridge status-change
  event, which the dispatcher turns into `processes.finish` with `history.execution_end`.
- `run`: StartSyncExecution on the EXPRESS machine, waited for at most `timeout_seconds`
  (after that the end says `timed_out`; AWS cannot stop an EXPRESS run, which goes on until it
  ends or reaches its own TimeoutSeconds). StartSyncExecution returns no history, so such runs
  have no trace. A scenario without an EXPRESS machine (a call activity, a long wait) runs its
  STANDARD machine: started, polled, stopped at the deadline, with its full history.
- `redrive`: RedriveExecution of the process's STANDARD execution (a retry): it goes on with
  the version it started on. Its refusal is said with the rules Step Functions documents
  (`REDRIVE_RULES`).
- `stop`: StopExecution of the process's STANDARD execution. A process started before the
  upgrade to one machine per scenario ran on a machine named by content hash: its execution is
  not found under the new name, `stop` says False (the service then ends the process in the
  store; the execution runs on to its end, whose event still reaches the dispatcher).

The scenario id that names a machine comes from the process record (ExecutionRequest carries
only the version's id): one read per start.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from automations.adapters.aws.client_errors import Meaning, meaning, step_functions_failed
from automations.adapters.aws.errors import ProcessUnknown, StepFunctionsFailed
from automations.adapters.aws.history import STOPPED, ended, execution_history
from automations.adapters.aws.machines import Machines, canonical_text, execution_arn, unqualified
from automations.model.process import ProcessRecord
from automations.model.scenario import ScenarioVersion
from automations.ports import ExecutionEnd, ExecutionRequest, OnEnd, RedriveRefused
from automations.service.processes import EXPRESS, STANDARD

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # how often a synchronous STANDARD run is looked at
_ENDED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})

SyncCall = Callable[..., dict[str, Any]]  # StartSyncExecution's keyword arguments → its answer


class ProcessReader(Protocol):
    """What the executor reads of the process store."""

    def get(self, process_id: str) -> ProcessRecord | None: ...


class VersionReader(Protocol):
    """What the executor reads of the scenario store."""

    def get_version(self, scenario_id: str, version: int) -> ScenarioVersion | None: ...

    def latest(self, scenario_id: str) -> ScenarioVersion | None: ...


class StepFunctionsExecutor:
    """Runs compiled scenarios on Step Functions machines made by `Machines`."""

    def __init__(
        self,
        client: Any,
        machines: Machines,
        *,
        processes: ProcessReader,
        versions: VersionReader,
        sync_call: SyncCall | None = None,
        sync_workers: int = 4,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        """`sync_call` defaults to `client.start_sync_execution`; give the client a read
        timeout longer than EXPRESS's 5 minutes and no retries (see `sync_client`), or a slow
        run is started a second time when botocore retries the read."""
        self._client = client
        self._machines = machines
        self._processes = processes
        self._versions = versions
        self._sync_call = sync_call or client.start_sync_execution
        self._waiting = ThreadPoolExecutor(max_workers=sync_workers, thread_name_prefix="sync")
        self._poll_seconds = poll_seconds

    # --- the port ---------------------------------------------------------------------------

    def start(self, request: ExecutionRequest, on_end: OnEnd) -> None:
        self._start(request, EXPRESS if request.express else STANDARD)

    def resume(self, request: ExecutionRequest, on_end: OnEnd) -> None:
        self.start(request, on_end)

    def run(self, request: ExecutionRequest, timeout_seconds: float) -> ExecutionEnd:
        if not request.express:
            return self._run_standard(request, timeout_seconds)
        arn = self._machine(request, EXPRESS)
        answer = self._waiting.submit(
            self._sync_call,
            stateMachineArn=arn,
            name=request.process_id,
            input=_json(request.input),
        )
        try:
            response = answer.result(timeout_seconds)
        except FutureTimeout:
            return ExecutionEnd("ABORTED", timed_out=True)
        except ClientError as exc:
            raise step_functions_failed("StartSyncExecution", exc) from exc
        except BotoCoreError as exc:  # no answer at all (a read timeout, a lost connection)
            raise StepFunctionsFailed("StartSyncExecution", type(exc).__name__, str(exc)) from exc
        return ended(
            str(response["status"]),
            response.get("output"),
            response.get("error"),
            response.get("cause"),
        )

    def can_run_now(self, request: ExecutionRequest) -> bool:
        return False  # every run is an execution in Step Functions, recorded there

    def run_now(self, request: ExecutionRequest, budget_seconds: float) -> ExecutionEnd | None:
        raise NotImplementedError("Step Functions runs every machine as an execution")

    def stop(self, process_id: str) -> bool:
        arn = self._standard_execution(process_id)
        return arn is not None and self._stop(arn)

    def redrive(
        self, request: ExecutionRequest, variables: Mapping[str, Any] | None, on_end: OnEnd
    ) -> None:
        """RedriveExecution of the process's STANDARD execution; its end comes back as every
        end does (the status-change event), `on_end` is not called here."""
        if variables:
            raise RedriveRefused(
                "Step Functions' RedriveExecution goes on with the variables the execution "
                "held and cannot change them: retry without variables (or start the scenario "
                "again with corrected ones)"
            )
        # The execution keeps the version it started on: its machine's name is all it takes.
        machine = self._machines.machine_arn(self._scenario_id(request), STANDARD)
        arn = execution_arn(machine, request.process_id)
        try:
            self._client.redrive_execution(executionArn=arn)
        except ClientError as exc:
            if meaning(exc) is Meaning.NOT_REDRIVABLE:
                raise RedriveRefused(f"{_aws_message(exc)} ({REDRIVE_RULES})") from None
            if meaning(exc) is Meaning.NOT_FOUND:
                raise RedriveRefused("its execution is gone from Step Functions") from None
            raise step_functions_failed("RedriveExecution", exc) from exc

    def close(self, *, wait: bool = False) -> None:
        """Stop waiting for synchronous runs (they go on in AWS); `wait` for the answers of
        those already asked."""
        self._waiting.shutdown(wait=wait, cancel_futures=True)

    # --- helpers ----------------------------------------------------------------------------

    def _machine(self, request: ExecutionRequest, flavour: str) -> str:
        """The version ARN to start `request` on (published here only if it is the scenario's
        newest definition and its save did not reach Step Functions)."""
        scenario_id = self._scenario_id(request)

        def newest() -> bool:
            latest = self._versions.latest(scenario_id)
            compiled = latest.compiled.get(flavour) if latest is not None else None
            return compiled is not None and canonical_text(compiled) == canonical_text(
                request.definition
            )

        return self._machines.version_of(scenario_id, flavour, request.definition, newest)

    def _scenario_id(self, request: ExecutionRequest) -> str:
        if request.scenario_id:
            return request.scenario_id
        process = self._processes.get(request.process_id)  # a request built without it
        if process is None:
            raise ProcessUnknown(f"process {request.process_id} is not stored")
        return process.scenario_id

    def _start(self, request: ExecutionRequest, flavour: str) -> str:
        """StartExecution on the request's version; its execution's ARN."""
        version_arn = self._machine(request, flavour)
        if not self._start_on(version_arn, request):
            # Another Lambda pruned the version this one remembered: look it up again, once.
            self._machines.forget(version_arn)
            version_arn = self._machine(request, flavour)
            if not self._start_on(version_arn, request):
                raise StepFunctionsFailed("StartExecution", "NotFound", f"{version_arn} is gone")
        return execution_arn(unqualified(version_arn), request.process_id)

    def _start_on(self, version_arn: str, request: ExecutionRequest) -> bool:
        """False when the version does not exist."""
        try:
            self._client.start_execution(
                stateMachineArn=version_arn, name=request.process_id, input=_json(request.input)
            )
        except ClientError as exc:
            if meaning(exc) is Meaning.NOT_FOUND:
                return False
            if meaning(exc) is not Meaning.ALREADY_EXISTS:
                raise step_functions_failed("StartExecution", exc) from exc
            logger.info("process %s was started already", request.process_id)
        return True

    def _run_standard(self, request: ExecutionRequest, timeout_seconds: float) -> ExecutionEnd:
        arn = self._start(request, STANDARD)
        deadline = time.monotonic() + timeout_seconds
        while True:
            described = self._describe(arn)
            if described["status"] in _ENDED:
                return ended(
                    str(described["status"]),
                    described.get("output"),
                    described.get("error"),
                    described.get("cause"),
                    execution_history(self._client, arn),
                )
            if time.monotonic() >= deadline:
                self._stop(arn)
                history = execution_history(self._client, arn)
                return ExecutionEnd("ABORTED", history=history, timed_out=True)
            time.sleep(self._poll_seconds)

    def _describe(self, arn: str) -> dict[str, Any]:
        try:
            described: dict[str, Any] = self._client.describe_execution(executionArn=arn)
        except ClientError as exc:
            raise step_functions_failed("DescribeExecution", exc) from exc
        return described

    def _stop(self, arn: str) -> bool:
        """StopExecution if the execution runs; False when it has ended or does not exist."""
        try:
            if self._client.describe_execution(executionArn=arn)["status"] != "RUNNING":
                return False
            self._client.stop_execution(executionArn=arn, error=STOPPED[0], cause=STOPPED[1])
        except ClientError as exc:
            if meaning(exc) is Meaning.NOT_FOUND:
                return False
            raise step_functions_failed("StopExecution", exc) from exc
        return True

    def standard_execution(self, process_id: str) -> str | None:
        """The ARN of the process's STANDARD execution (None when it has none)."""
        return self._standard_execution(process_id)

    def _standard_execution(self, process_id: str) -> str | None:
        """The ARN of the process's STANDARD execution; None when it has none (unknown
        process, a synchronous EXPRESS run, a version without a STANDARD machine)."""
        process = self._processes.get(process_id)
        if process is None:
            return None
        version = self._versions.get_version(process.scenario_id, process.scenario_version)
        if version is None or STANDARD not in version.compiled:
            return None
        if not process.event.async_ and EXPRESS in version.compiled:
            return None  # a synchronous run of the EXPRESS machine: AWS cannot stop it
        return execution_arn(self._machines.machine_arn(process.scenario_id, STANDARD), process_id)


def sync_client(session: Any = None, *, read_timeout: float = 330.0) -> Any:
    """A Step Functions client for StartSyncExecution: reads wait longer than an EXPRESS run
    may last (5 minutes) and nothing is retried, so a slow run is never started twice."""
    import boto3  # only when a deployment builds one: importing boto3 costs ~150 ms
    from botocore.config import Config

    config = Config(read_timeout=read_timeout, retries={"total_max_attempts": 1})
    return (session or boto3.session.Session()).client("stepfunctions", config=config)


# What Step Functions documents of RedriveExecution, said when it refuses one.
REDRIVE_RULES = (
    "Step Functions redrives a STANDARD execution that failed, timed out or was stopped, "
    "within 14 days of its end, at most 1,000 times, and not once its history has 25,000 "
    "events or it has run for a year; EXPRESS executions are never redriven"
)


def _aws_message(exc: ClientError) -> str:
    message = exc.response.get("Error", {}).get("Message")
    return str(message) if message else "Step Functions refused to redrive the execution"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
