"""Step Functions in moto for the executor tests: the differential test's patches (imported, not
copied: JSONata evaluated, components run in-process, timers compressed), a function per
component, the SQLite scenario and process stores (the real embedded adapters), and the
service's `Processes` over the StepFunctionsExecutor, as the AWS runtime wires them.

Test modules load it with `load_support()` (tests/ is no package; pytest runs in importlib
mode, so a module beside a test is not importable by name).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import moto_support

from automations.adapters.aws.history import DETAIL_TYPE, SOURCE
from automations.adapters.aws.machines import Machines, component_arn_from_prefix
from automations.adapters.aws.stepfunctions import StepFunctionsExecutor
from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.processes import SqliteProcessStore
from automations.adapters.sqlite.scenarios import SqliteScenarioStore
from automations.asl import ComponentResolver, Engine, ExecutionResult, RealClock, VirtualClock
from automations.components import registry
from automations.model.event import EventType
from automations.model.process import ProcessRecord
from automations.service.processes import ProcessDeps, Processes, Start, latest_standard
from automations.service.scenarios import save_scenario
from automations.service.variables import Trigger
from automations.settings import Settings
from automations.waiting import PollingWaits, ThreadSafeCounters

TESTS = Path(__file__).resolve().parents[2]
EXAMPLES = TESTS.parent / "examples"
EXPECTATIONS: dict[str, list[dict[str, Any]]] = json.loads(
    (EXAMPLES / "expectations.json").read_text(encoding="utf-8")
)
FUNCTION_PREFIX = "automations-"  # what the differential harness names component functions
POLL_SECONDS = 0.01
DEADLINE_SECONDS = 20.0


REGION = moto_support.REGION


class MotoSyncCall:
    """A stand-in for StartSyncExecution, which moto lacks: starts the (EXPRESS) machine with
    StartExecution, polls DescribeExecution and answers in StartSyncExecution's shape.

    `hold` (when given) keeps it from starting until the event is set: a run that outlives
    any timeout, deterministically.
    """

    def __init__(self, sfn: Any, hold: threading.Event | None = None) -> None:
        self._sfn = sfn
        self._hold = hold
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if self._hold is not None:
            self._hold.wait(DEADLINE_SECONDS)
        arn = self._sfn.start_execution(**kwargs)["executionArn"]
        described = finished(self._sfn, arn)
        keep = ("executionArn", "stateMachineArn", "name", "startDate", "stopDate", "status")
        answer = {key: described[key] for key in keep}
        answer |= {k: described[k] for k in ("input", "output", "error", "cause") if k in described}
        return answer


def finished(sfn: Any, execution_arn: str) -> dict[str, Any]:
    """DescribeExecution once the execution has ended (bounded)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        # moto shows the status a moment before the stop date, and no stop date on TIMED_OUT
        if described["status"] != "RUNNING" and (
            "stopDate" in described or described["status"] == "TIMED_OUT"
        ):
            return described
        assert time.monotonic() < deadline, f"{execution_arn} still RUNNING"
        time.sleep(POLL_SECONDS)


def entered(sfn: Any, execution_arn: str, state: str) -> None:
    """Wait (bounded) until the execution has entered `state`."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        events = sfn.get_execution_history(executionArn=execution_arn)["events"]
        names = [
            e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
        ]
        if state in names:
            return
        assert time.monotonic() < deadline, f"{execution_arn} never entered {state}"
        time.sleep(POLL_SECONDS)


def status_change_event(sfn: Any, execution_arn: str) -> dict[str, Any]:
    """The EventBridge event Step Functions sends when this (ended) execution changed status."""
    described = sfn.describe_execution(executionArn=execution_arn)
    account = execution_arn.split(":")[4]

    def millis(key: str) -> int | None:
        return int(described[key].timestamp() * 1000) if key in described else None

    output = described.get("output")
    return {
        "version": "0",
        "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": account,
        "time": described.get("stopDate", described["startDate"]).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [execution_arn],
        "detail": {
            "executionArn": execution_arn,
            "stateMachineArn": described["stateMachineArn"],
            "name": described["name"],
            "status": described["status"],
            "startDate": millis("startDate"),
            "stopDate": millis("stopDate"),
            "input": described["input"],
            "inputDetails": {"included": True},
            "output": output,
            "outputDetails": {"included": True} if output is not None else None,
            "error": described.get("error"),
            "cause": described.get("cause"),
            "redriveCount": 0,
            "redriveStatus": "NOT_REDRIVABLE",
            "redriveStatusReason": f"Execution is {described['status']} and cannot be redriven",
        },
    }


@dataclass
class World:
    """One moto account with the executor wired over SQLite stores."""

    moto: Any  # moto_support.MotoStepFunctions
    sfn: Any
    machines: Machines
    scenarios: SqliteScenarioStore
    process_store: SqliteProcessStore
    executor: StepFunctionsExecutor
    processes: Processes
    sync_call: MotoSyncCall

    def save(self, stem: str, *, as_id: str | None = None) -> None:
        """Save the example `stem` (its called examples first) as a scenario version."""
        text = (EXAMPLES / f"{stem}.bpmn").read_text(encoding="utf-8")
        save_scenario(self.scenarios, as_id or stem, text)

    def enqueue(self, scenario_id: str, facts: dict[str, Any], *, sync: bool = False) -> str:
        """Store a $manual process of `scenario_id` and start it (pump); its id."""
        trigger = Trigger(type=EventType.MANUAL, source_id="test", sync=sync, facts=facts)
        record = self.processes.enqueue(Start(scenario_id, trigger))
        assert record is not None
        assert self.processes.pump() == 1
        return record.id

    def execution_of(self, process_id: str) -> str:
        """The execution ARN of a started process (its only execution)."""
        for machine in self.sfn.list_state_machines()["stateMachines"]:
            found = self.sfn.list_executions(stateMachineArn=machine["stateMachineArn"])
            for execution in found["executions"]:
                if execution["name"] == process_id:
                    return str(execution["executionArn"])
        raise AssertionError(f"no execution named {process_id}")

    def process(self, process_id: str) -> ProcessRecord:
        found = self.process_store.get(process_id)
        assert found is not None
        return found

    def machine_count(self) -> int:
        return len(self.sfn.list_state_machines()["stateMachines"])


@contextmanager
def world(
    tmp_path: Path, *, hold: threading.Event | None = None, settings: Settings | None = None
) -> Iterator[World]:
    """A fresh moto account; every execution has ended before it closes."""
    with moto_support.moto_step_functions() as moto:
        for name in registry.names():
            moto._function_arn(name)  # the harness creates and registers the function
        account = moto._role.split(":")[4]
        prefix = f"arn:aws:lambda:{REGION}:{account}:function:{FUNCTION_PREFIX}"
        db = Database(tmp_path / "aws.db")
        scenarios = SqliteScenarioStore(db, RealClock())
        process_store = SqliteProcessStore(db)
        machines = Machines(
            moto.sfn,
            role_arn=moto._role,
            component_arn=component_arn_from_prefix(prefix),
            children=latest_standard(scenarios),
        )
        sync_call = MotoSyncCall(moto.sfn, hold)
        executor = StepFunctionsExecutor(
            moto.sfn,
            machines,
            processes=process_store,
            versions=scenarios,
            sync_call=sync_call,
            poll_seconds=POLL_SECONDS,
        )
        processes = Processes(
            ProcessDeps(
                scenarios,
                process_store,
                executor,
                RealClock(),
                settings or Settings(demo=False),
                ThreadSafeCounters(),
                PollingWaits(poll_seconds=POLL_SECONDS),
            )
        )
        try:
            yield World(
                moto, moto.sfn, machines, scenarios, process_store, executor, processes, sync_call
            )
        finally:
            if hold is not None:
                hold.set()
            executor.close(wait=True)
            db.close()


def engine_run(root: str, execution_input: dict[str, Any]) -> ExecutionResult:
    """The embedded engine (virtual clock) on example `root`, calling the other examples."""
    import asyncio

    from automations.service.scenarios import compile_bpmn, sibling_scenarios

    def definition(stem: str) -> dict[str, Any]:
        path = EXAMPLES / f"{stem}.bpmn"
        return compile_bpmn(path, file=path.name, known_scenarios=sibling_scenarios(path))[1]

    engine = Engine(ComponentResolver(definitions=definition), VirtualClock())
    start = engine.start(definition(root), execution_input, name="engine")
    return asyncio.run(asyncio.wait_for(start, 5.0))
