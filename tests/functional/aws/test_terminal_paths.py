"""Every way a process ends on AWS gives its slot back: the DynamoDB semaphore
(`SEMAPHORE`/`running`, taken by `admit` and `claim_queued`) is zero again after each.

Each path is driven through the runtime the Lambda functions use, on moto: a record write
queues a process (the dispatcher's stream path), a pump claims its slot and starts its
execution, and the end arrives as the function would see it (a Step Functions status-change
event, a synchronous run cut at its limit, a start that fails, an end too large to store).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import handler_support as support
import pytest
from moto_versions import versions_in_moto

from automations.adapters.aws.errors import StepFunctionsFailed
from automations.adapters.aws.processes import RECORD_TOO_LARGE, DynamoProcessStore
from automations.adapters.aws.runtime import AwsRuntime
from automations.demo import bpmn_text
from automations.model.catalog import CatalogDraft, FieldDraft, FieldType
from automations.model.event import EventType
from automations.model.process import ProcessRecord, ProcessStatus
from automations.ports import ProcessQuery
from automations.service import records as use_cases
from automations.service.errors import SyncRunTimedOut
from automations.service.process_queue import START_FAILED
from automations.service.processes import Start
from automations.service.scenarios import save_scenario
from automations.service.subscriptions import SubscriptionDraft, create_subscription
from automations.service.variables import Trigger

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
SCENARIO = "demo-quote"


class Deployment:
    """The dispatcher over a runtime on the moto tables; a record write starts SCENARIO."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]) -> None:
        support.handler_env(monkeypatch, tables, AUTOMATIONS_SYNC_TIMEOUT_SECONDS="0.2")
        self.release = threading.Event()  # the fake StartSyncExecution answers once set
        self.runtime: AwsRuntime = support.install_runtime(sync_call=self._never_in_time)
        self.handler = support.load_handler("dispatcher").handler
        automation = self.runtime.automation
        save_scenario(automation.scenarios, SCENARIO, bpmn_text(SCENARIO))
        draft = CatalogDraft(name="Orders", fields=[FieldDraft(name="Title", type=FieldType.TEXT)])
        self.catalog_id = automation.catalogs.create(draft).id
        create_subscription(
            automation.subscriptions,
            automation.catalogs,
            automation.scenarios,
            SubscriptionDraft(
                catalog_id=self.catalog_id, events=[EventType.AFTER_CREATE], scenario_id=SCENARIO
            ),
        )
        self.tables = tables

    def _never_in_time(self, **_: Any) -> dict[str, Any]:
        self.release.wait(timeout=10)
        return {"status": "SUCCEEDED", "output": "{}"}

    def started(self, title: str = "one") -> ProcessRecord:
        """A record written, its process queued by the dispatcher and started by its pump."""
        use_cases.create_record(self.runtime.record_deps, self.catalog_id, {"1": title})
        records = support.stream_records(self.runtime.dynamodb, self.tables["Records"])
        self.handler({"Records": records[-1:]}, support.LambdaContext())
        (process,) = [p for p in self.processes() if p.input["values"]["1"] == title]
        return process

    def end(self, process: ProcessRecord, status: str, **detail: Any) -> ProcessRecord:
        """Deliver the execution's status change to the dispatcher; the stored process."""
        arn = self.execution_arn(process.id)
        self.handler(support.status_change(arn, status, **detail), support.LambdaContext())
        return self.stored(process.id)

    def execution_arn(self, process_id: str) -> str:
        sfn = self.runtime.stepfunctions
        for machine in sfn.list_state_machines()["stateMachines"]:
            for execution in sfn.list_executions(stateMachineArn=machine["stateMachineArn"])[
                "executions"
            ]:
                if execution["name"] == process_id:
                    return str(execution["executionArn"])
        raise AssertionError(f"no execution named {process_id}")

    @property
    def store(self) -> DynamoProcessStore:
        return self.runtime.process_store

    def processes(self) -> list[ProcessRecord]:
        return self.store.find(ProcessQuery(limit=1000))

    def stored(self, process_id: str) -> ProcessRecord:
        found = self.store.get(process_id)
        assert found is not None
        return found

    def slots(self) -> int:
        return self.store.running()


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]) -> Iterator[Deployment]:
    with versions_in_moto():  # moto lacks Step Functions versions (another helper's work)
        deployed = Deployment(monkeypatch, tables)
        yield deployed
        deployed.release.set()


@pytest.mark.parametrize(
    ("status", "detail", "final"),
    [
        ("SUCCEEDED", {"output": '{"done": true}'}, ProcessStatus.COMPLETED),
        ("FAILED", {"error": "States.TaskFailed", "cause": "boom"}, ProcessStatus.ERROR),
        ("TIMED_OUT", {}, ProcessStatus.ERROR),
        ("ABORTED", {}, ProcessStatus.ABORTED),  # stopped (StopExecution's end event)
    ],
    ids=["completed", "error", "timed-out", "stopped"],
)
def test_an_execution_end_frees_the_slot(
    deployment: Deployment, status: str, detail: dict[str, Any], final: ProcessStatus
) -> None:
    process = deployment.started()
    assert process.status is ProcessStatus.RUNNING and deployment.slots() == 1

    ended = deployment.end(process, status, **detail)

    assert ended.status is final
    assert deployment.slots() == 0


def test_stopping_a_process_whose_run_is_lost_frees_the_slot(deployment: Deployment) -> None:
    process = deployment.started()
    deployment.runtime.stepfunctions.stop_execution(
        executionArn=deployment.execution_arn(process.id)
    )  # its execution is gone: no end event will come for it

    stopped = deployment.runtime.processes.stop(process.id)

    assert stopped.status is ProcessStatus.ABORTED
    assert deployment.slots() == 0


def test_a_start_that_fails_ends_the_process_and_frees_the_slot(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: Any) -> None:
        raise StepFunctionsFailed("StartExecution", "AccessDeniedException", "not allowed")

    monkeypatch.setattr(deployment.runtime.executor, "start", refuse)

    process = deployment.started()

    assert process.status is ProcessStatus.ERROR
    assert process.error is not None and process.error.code == START_FAILED
    assert "not allowed" in process.error.message
    assert deployment.slots() == 0


def test_a_synchronous_run_cut_at_its_limit_frees_the_slot(deployment: Deployment) -> None:
    trigger = Trigger(type=EventType.MANUAL, source_id="test", sync=True, facts={})

    with pytest.raises(SyncRunTimedOut) as raised:
        deployment.runtime.processes.run_sync(Start(SCENARIO, trigger))

    cut = deployment.stored(raised.value.process_id)
    assert cut.status is ProcessStatus.ERROR
    assert cut.error is not None and cut.error.code == "Process.Timeout"
    assert deployment.slots() == 0


def test_an_end_too_large_to_store_still_frees_the_slot(deployment: Deployment) -> None:
    # No PROCESS_PARTS_BUCKET: a record past the item limit cannot keep its parts anywhere.
    process = deployment.started(secrets.token_urlsafe(150_000))
    output = json.dumps({"report": secrets.token_urlsafe(200_000)})

    ended = deployment.end(process, "SUCCEEDED", output=output)

    assert ended.status is ProcessStatus.ERROR
    assert ended.error is not None and ended.error.code == RECORD_TOO_LARGE
    assert deployment.slots() == 0
