"""The StepFunctionsExecutor in moto: start, start twice, run (EXPRESS and STANDARD), stop."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
import sfn_support as sfn

from automations.adapters.aws.errors import ProcessUnknown
from automations.adapters.aws.stepfunctions import sync_client
from automations.model.process import ProcessStatus
from automations.ports import ExecutionRequest
from automations.service.errors import SyncRunTimedOut
from automations.service.processes import Start
from automations.service.variables import Trigger

ORDER = {"order": {"id": "A-1", "total": 1500}}


def manual(facts: dict[str, Any], *, sync: bool = False) -> Trigger:
    return Trigger(type=sfn.EventType.MANUAL, source_id="test", sync=sync, facts=facts)


def request_of(world: Any, process_id: str) -> ExecutionRequest:
    """The request the service builds for a stored background process."""
    process = world.process(process_id)
    version = world.scenarios.get_version(process.scenario_id, process.scenario_version)
    return ExecutionRequest(process_id, version.compiled["STANDARD"], version.id, process.input)


def test_a_started_example_runs_to_success(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("order-approval")
        process_id = world.enqueue("order-approval", ORDER)
        execution = world.execution_of(process_id)
        described = sfn.finished(world.sfn, execution)
        machine = world.sfn.describe_state_machine(stateMachineArn=described["stateMachineArn"])

    assert described["status"] == "SUCCEEDED"
    assert described["name"] == process_id
    output = json.loads(described["output"])
    assert (output["decision"], output["approvedBy"]) == ("approved", "manager")
    assert machine["type"] == "STANDARD"
    assert machine["name"] == "order-approval-std"


def test_starting_a_process_twice_is_one_execution(tmp_path: Path) -> None:
    calls: list[Any] = []
    with sfn.world(tmp_path) as world:
        world.save("counter-loop")
        process_id = world.enqueue("counter-loop", {"n": 2})
        request = request_of(world, process_id)
        world.executor.start(request, calls.append)  # a redelivery while it runs or after
        execution = world.execution_of(process_id)
        sfn.finished(world.sfn, execution)
        world.executor.start(request, calls.append)  # and once it has ended
        world.executor.resume(request, calls.append)
        machine = world.sfn.describe_execution(executionArn=execution)["stateMachineArn"]
        executions = world.sfn.list_executions(stateMachineArn=machine)["executions"]

    assert [e["name"] for e in executions] == [process_id]
    assert calls == []  # on AWS the end arrives as an EventBridge event, never through on_end


def test_a_process_that_is_not_stored_cannot_start(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("counter-loop")
        version = world.scenarios.latest("counter-loop")
        request = ExecutionRequest("nobody", version.compiled["STANDARD"], version.id, {"n": 1})
        with pytest.raises(ProcessUnknown):
            world.executor.start(request, lambda end: None)
        assert world.machine_count() == 0


def test_stop_aborts_a_running_execution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sfn.moto_support, "TIME_SCALE", 1.0)  # the hour's wait takes an hour
    with sfn.world(tmp_path) as world:
        world.save("reminder-timer")
        process_id = world.enqueue("reminder-timer", {"ticket": {"id": "T-9", "assignee": "al"}})
        execution = world.execution_of(process_id)
        sfn.entered(world.sfn, execution, "WaitOneHour")
        stopped = world.executor.stop(process_id)
        described = sfn.finished(world.sfn, execution)
        again = world.executor.stop(process_id)
        unknown = world.executor.stop("no-such-process")

    assert stopped is True
    assert described["status"] == "ABORTED"
    assert (again, unknown) == (False, False)


def test_a_synchronous_run_uses_the_express_machine(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("order-approval")
        process = world.processes.run_sync(Start("order-approval", manual(ORDER, sync=True)))
        (call,) = world.sync_call.calls
        machine = world.sfn.describe_state_machine(stateMachineArn=call["stateMachineArn"])

    assert machine["type"] == "EXPRESS"
    assert machine["name"] == "order-approval-exp"
    assert call["name"] == process.id
    assert process.status is ProcessStatus.COMPLETED
    assert process.output is not None and process.output["approvedBy"] == "manager"
    assert process.trace == []  # StartSyncExecution returns no history


def test_a_failed_synchronous_run_is_an_error(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("order-approval")
        facts = {"order": {"id": "A-0", "total": 0}}
        process = world.processes.run_sync(Start("order-approval", manual(facts, sync=True)))

    assert process.status is ProcessStatus.ERROR
    assert process.error is not None and process.error.code == "order.invalid"


def test_a_synchronous_run_past_its_time_limit_times_out(tmp_path: Path) -> None:
    hold = threading.Event()  # the fake StartSyncExecution answers only once released
    settings = sfn.Settings(demo=False, sync_timeout_seconds=0.05)
    with sfn.world(tmp_path, hold=hold, settings=settings) as world:
        world.save("order-approval")
        with pytest.raises(SyncRunTimedOut) as raised:
            world.processes.run_sync(Start("order-approval", manual(ORDER, sync=True)))
        process = world.process(raised.value.process_id)
        hold.set()  # the run goes on (AWS cannot stop an EXPRESS run) and ends before the mock

    assert process.status is ProcessStatus.ERROR  # failed by its limit, not stopped by anyone
    assert process.error is not None and process.error.code == "Process.Timeout"


def test_a_synchronous_run_without_express_machine_runs_standard(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("reminder-timer")  # a one-hour wait: no EXPRESS machine
        facts = {"ticket": {"id": "T-3", "assignee": "cy"}}
        process = world.processes.run_sync(Start("reminder-timer", manual(facts, sync=True)))

    assert world.sync_call.calls == []
    assert process.status is ProcessStatus.COMPLETED
    assert [step.element for step in process.trace] == [
        "TicketOpened",
        "WaitOneHour",
        "SendReminder",
        "Reminded",
    ]


def test_a_standard_synchronous_run_past_its_limit_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sfn.moto_support, "TIME_SCALE", 1.0)  # the hour's wait takes an hour
    settings = sfn.Settings(demo=False, sync_timeout_seconds=0.3)
    with sfn.world(tmp_path, settings=settings) as world:
        world.save("reminder-timer")
        facts = {"ticket": {"id": "T-4", "assignee": "di"}}
        with pytest.raises(SyncRunTimedOut) as raised:
            world.processes.run_sync(Start("reminder-timer", manual(facts, sync=True)))
        process = world.process(raised.value.process_id)
        described = sfn.finished(world.sfn, world.execution_of(process.id))

    assert described["status"] == "ABORTED"  # the execution is stopped; the process failed
    assert process.status is ProcessStatus.ERROR
    assert process.error is not None and process.error.code == "Process.Timeout"
    assert [step.element for step in process.trace][-1] == "WaitOneHour"


def test_the_sync_client_never_retries_a_synchronous_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = sync_client()
    assert client.meta.config.read_timeout > 300  # an EXPRESS run may last five minutes
    assert client.meta.config.retries["total_max_attempts"] == 1
