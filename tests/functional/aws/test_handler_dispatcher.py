"""functions/dispatcher fed real-shaped events on moto: stream batches read from the Records
table's stream after real writes, Step Functions status changes, the schedule tick.

Executions are not run here (moto's Step Functions keeps them RUNNING): what is checked is
what the dispatcher stores and starts.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import handler_support as support
import iam_support as iam
import pytest

from automations.demo import bpmn_text
from automations.model.base import utc_iso
from automations.model.catalog import CatalogDraft, FieldDraft, FieldType
from automations.model.event import EventType
from automations.model.process import ProcessStatus
from automations.model.process_ids import process_id_for
from automations.model.scenario import Schedule
from automations.ports import ProcessQuery
from automations.service import records as use_cases
from automations.service.scenarios import save_scenario
from automations.service.subscriptions import SubscriptionDraft, create_subscription

# powertools warns when an invocation added no metric but the cold-start one (as on Lambda).
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
SCENARIO = "demo-quote"  # any saved scenario will do: nothing runs it here


class Deployment:
    """The dispatcher's handler over a runtime on the moto tables, with a catalog whose
    `$record.after.create` starts SCENARIO."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]) -> None:
        support.handler_env(monkeypatch, tables)
        self.tables = tables
        self.recorder = iam.Recorder(tables)
        self.runtime = support.install_runtime(session=self.recorder.session)
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

    def write(self, *titles: str) -> list[dict[str, Any]]:
        """Create one record per title; the stream records those writes caused."""
        for title in titles:
            use_cases.create_record(self.runtime.record_deps, self.catalog_id, {"1": title})
        return support.stream_records(self.runtime.dynamodb, self.tables["Records"])

    def deliver(self, event: dict[str, Any]) -> Any:
        with self.recorder.recording():
            return self.handler(event, support.LambdaContext())

    def processes(self) -> list[Any]:
        return self.runtime.process_store.find(ProcessQuery(limit=1000))

    def executions(self) -> list[dict[str, Any]]:
        sfn = self.runtime.stepfunctions
        found: list[dict[str, Any]] = []
        for machine in sfn.list_state_machines()["stateMachines"]:
            found += sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]
        return found

    def semaphore(self) -> int:
        item = self.runtime.dynamodb.get_item(
            TableName=self.tables["Automations"],
            Key={"pk": {"S": "SEMAPHORE"}, "sk": {"S": "running"}},
        )["Item"]
        return int(item["running"]["N"])


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]) -> Iterator[Deployment]:
    deployed = Deployment(monkeypatch, tables)
    yield deployed
    # Every AWS call the handler made is one its policies in template.yaml allow.
    assert iam.denied("DispatcherFunction", deployed.recorder.requests) == []


def test_a_batch_delivered_twice_starts_each_process_once(deployment: Deployment) -> None:
    batch = {"Records": deployment.write("first", "second", "third")}
    assert [r["eventName"] for r in batch["Records"]] == ["INSERT"] * 3

    first = deployment.deliver(batch)
    again = deployment.deliver(copy.deepcopy(batch))

    assert first == again == {"batchItemFailures": []}
    processes = deployment.processes()
    assert len(processes) == 3
    assert {p.status for p in processes} == {ProcessStatus.RUNNING}
    assert sorted(e["name"] for e in deployment.executions()) == sorted(p.id for p in processes)
    assert deployment.semaphore() == 3
    actions = {r.action for r in deployment.recorder.requests}
    assert {"dynamodb:Query", "dynamodb:PutItem", "states:StartExecution"} <= actions


def test_a_failing_record_is_reported_alone(deployment: Deployment) -> None:
    records = deployment.write("first", "second", "third")
    broken = copy.deepcopy(records[1])
    broken["dynamodb"]["NewImage"]["eventType"] = {"S": "$record.after.exploded"}

    answer = deployment.deliver({"Records": [records[0], broken, records[2]]})

    sequence = broken["dynamodb"]["SequenceNumber"]
    assert answer == {"batchItemFailures": [{"itemIdentifier": sequence}]}
    titles = sorted(p.input["values"]["1"] for p in deployment.processes())
    assert titles == ["first", "third"]


def test_a_timed_out_execution_is_an_error_and_frees_its_slot(deployment: Deployment) -> None:
    deployment.deliver({"Records": deployment.write("slow", "quick")})
    assert deployment.semaphore() == 2
    slow = next(p for p in deployment.processes() if p.input["values"]["1"] == "slow")
    execution = next(e for e in deployment.executions() if e["name"] == slow.id)

    answer = deployment.deliver(support.status_change(execution["executionArn"], "TIMED_OUT"))

    assert answer == {"processId": slow.id}
    ended = deployment.runtime.process_store.get(slow.id)
    assert ended is not None and ended.status is ProcessStatus.ERROR
    assert ended.error is not None and ended.error.code
    assert deployment.semaphore() == 1
    # A second delivery of the same event changes nothing (the slot is freed once).
    deployment.deliver(support.status_change(execution["executionArn"], "TIMED_OUT"))
    assert deployment.semaphore() == 1


@pytest.mark.parametrize(
    ("status", "metric"),
    [("FAILED", "ExecutionsFailed"), ("TIMED_OUT", "ExecutionsTimedOut"), ("SUCCEEDED", None)],
)
def test_failed_and_timed_out_ends_are_counted_for_the_alarms(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], status: str, metric: str | None
) -> None:
    deployment.deliver({"Records": deployment.write("one")})
    (execution,) = deployment.executions()
    capsys.readouterr()

    deployment.deliver(support.status_change(execution["executionArn"], status))

    # Metrics leave as CloudWatch embedded-metric JSON lines on stdout.
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    counted = {
        m["Name"]: blob[m["Name"]]
        for blob in blobs
        for directive in blob["_aws"]["CloudWatchMetrics"]
        for m in directive["Metrics"]
    }
    ended = {
        name: value
        for name, value in counted.items()
        if name in ("ExecutionsFailed", "ExecutionsTimedOut")
    }
    assert ended == ({metric: [1.0]} if metric else {})
    assert "ProcessesEnded" in counted


def test_an_execution_that_is_no_process_is_ignored(deployment: Deployment) -> None:
    arn = f"arn:aws:states:us-east-1:{support.ACCOUNT}:execution:child-std-0123:call-1"

    assert deployment.deliver(support.status_change(arn, "SUCCEEDED")) == {"processId": None}


def test_the_tick_fires_a_due_schedule(deployment: Deployment) -> None:
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    deployment.runtime.automation.schedules.put(
        Schedule(id="every-5", expression="rate(5 minutes)", scenario_id=SCENARIO, next_run_at=due)
    )

    answer = deployment.deliver(support.scheduled_event())

    assert answer["fired"] == 1  # (fire_due starts it itself; the tick's pump finds none)
    time = utc_iso(due)
    process = deployment.runtime.process_store.get(process_id_for(due, "schedule", "every-5", time))
    assert process is not None and process.status is ProcessStatus.RUNNING
    assert process.input["schedule"] == {"id": "every-5", "time": time}
    moved = deployment.runtime.automation.schedules.get("every-5")
    assert moved is not None and moved.next_run_at is not None
    assert moved.next_run_at > datetime.now(UTC)
    assert deployment.deliver(support.scheduled_event())["fired"] == 0
    assert len(deployment.processes()) == 1


def test_an_event_it_is_not_subscribed_to_fails_loudly(deployment: Deployment) -> None:
    with pytest.raises(ValueError, match="Object Created"):
        deployment.deliver({"source": "aws.s3", "detail-type": "Object Created", "detail": {}})
