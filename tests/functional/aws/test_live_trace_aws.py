"""A running process's path on AWS (`adapters/aws/live_trace.py`), on moto's Step Functions
and DynamoDB: read when the process is read, from the events after the stored cursor only, the
steps and the cursor stored together; a successful end finishes the path from those events.

moto answers GetExecutionHistory with every event, oldest first, whatever `reverseOrder`,
`maxResults` and `nextToken` ask (moto 5.2.5 ignores them), so the paged, newest-first reading
Step Functions serves is checked with botocore's Stubber on a real client: the requests sent and
where the reading stops.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import boto3
import pytest
import sfn_support as sfn
from botocore.stub import Stubber

from automations.adapters.aws.history import execution_history
from automations.adapters.aws.live_trace import PAGE, AwsLiveTraces, events_after
from automations.adapters.aws.processes import DynamoProcessStore
from automations.adapters.aws.tables import create_tables
from automations.model.process import ProcessRecord, ProcessStatus
from automations.ports import ExecutionEnd
from automations.service.live_trace import TraceBuilder
from automations.service.outcome import trace_steps
from automations.service.processes import Processes

TICKET = {"ticket": {"id": "T-9", "assignee": "al"}}


def dynamo_store() -> DynamoProcessStore:
    client = boto3.client("dynamodb", region_name=sfn.REGION)
    names = create_tables(client, {"Records": "t-records", "Automations": "t-automations"})
    return DynamoProcessStore(client, names["Automations"])


def path(process: ProcessRecord) -> list[tuple[str, bool]]:
    return [(step.element, step.exited_at is not None) for step in process.trace]


def test_a_process_waiting_on_a_timer_shows_its_path_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sfn.moto_support, "TIME_SCALE", 1.0)  # the hour's wait takes an hour
    with sfn.world(tmp_path) as world:
        world.save("reminder-timer")
        process_id = world.enqueue("reminder-timer", TICKET)
        execution = world.execution_of(process_id)
        sfn.entered(world.sfn, execution, "WaitOneHour")
        store = dynamo_store()
        assert store.create(world.process(process_id))  # the process as AWS stores it
        live = AwsLiveTraces(world.sfn, store, world.executor.standard_execution)
        processes = Processes(
            dataclasses.replace(world.processes.deps, processes=store, traces=live)
        )

        before = store.get(process_id)
        read = processes.read(process_id)  # what GET /api/v1/processes/{id} answers
        stored = store.trace_cursor(process_id)
        again = processes.read(process_id)
        world.executor.stop(process_id)
        sfn.finished(world.sfn, execution)

    assert before is not None and before.trace == []
    assert read.status is ProcessStatus.RUNNING
    assert path(read) == [("TicketOpened", True), ("WaitOneHour", False)]
    assert stored is not None
    record, cursor = stored
    assert record.trace == read.trace  # stored with the cursor it was built to
    assert cursor is not None and cursor["lastEvent"] >= 4
    assert again.trace == read.trace


def test_a_successful_end_reads_only_the_events_after_the_cursor(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("reminder-timer")
        process_id = world.enqueue("reminder-timer", TICKET)
        execution = world.execution_of(process_id)
        sfn.finished(world.sfn, execution)
        history = execution_history(world.sfn, execution)
        store = dynamo_store()
        assert store.create(world.process(process_id))
        # A look while it ran stored the path up to its sixth event.
        half = TraceBuilder()
        half.feed(history[:6])
        assert store.advance_trace(process_id, half.steps(), half.cursor(), 0) is not None
        live = AwsLiveTraces(world.sfn, store, world.executor.standard_execution)
        ended = live.ended(world.process(process_id), ExecutionEnd("SUCCEEDED"), execution)

    assert [event["id"] for event in ended.history] == [e["id"] for e in history[6:]]
    assert ended.trace == trace_steps(history)  # the same path as from the whole history
    assert [step.element for step in ended.trace] == [
        "TicketOpened",
        "WaitOneHour",
        "SendReminder",
        "Reminded",
    ]


def test_a_stale_cursor_is_not_written_over() -> None:
    """Two readers at once: the one that stores first wins, the other's write is refused."""
    with sfn.moto_support.mock_aws():
        store = dynamo_store()
        process = sfn_process("p-1")
        assert store.create(process)
        one, two = TraceBuilder(), TraceBuilder()
        events = [
            {"id": 1, "timestamp": 1.0, "type": "ExecutionStarted"},
            {"id": 2, "timestamp": 2.0, "stateEnteredEventDetails": {"name": "A"}},
        ]
        one.feed(events)
        two.feed(events[:1])
        first = store.advance_trace("p-1", one.steps(), one.cursor(), 0)
        second = store.advance_trace("p-1", two.steps(), two.cursor(), 0)
        stored = store.trace_cursor("p-1")
    assert first is not None and second is None
    assert stored is not None and stored[1] == one.cursor()
    assert [step.element for step in stored[0].trace] == ["A"]


def sfn_process(process_id: str) -> ProcessRecord:
    return ProcessRecord.model_validate(
        {
            "id": process_id,
            "scenarioId": "s",
            "scenarioVersion": 1,
            "event": {"id": "e", "type": "$manual"},
            "status": "running",
            "queuedAt": "2026-01-01T00:00:00Z",
        }
    )


def test_the_history_is_read_newest_first_until_the_cursor() -> None:
    client = boto3.client(
        "stepfunctions",
        region_name=sfn.REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",  # a stubbed client never signs a real call
    )
    arn = "arn:aws:states:us-east-1:123456789012:execution:m:p-1"

    def page(ids: range, token: str | None) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "events": [
                {"id": i, "previousEventId": i - 1, "timestamp": 1.0, "type": "PassStateEntered"}
                for i in ids
            ]
        }
        if token:
            answer["nextToken"] = token
        return answer

    asked = {"executionArn": arn, "reverseOrder": True, "maxResults": PAGE}
    asked["includeExecutionData"] = False
    with Stubber(client) as stub:
        stub.add_response("get_execution_history", page(range(30, 20, -1), "t1"), asked)
        stub.add_response(
            "get_execution_history", page(range(20, 10, -1), "t2"), asked | {"nextToken": "t1"}
        )
        found = events_after(client, arn, 15)
        stub.assert_no_pending_responses()  # the page holding the cursor is the last one read
    assert [event["id"] for event in found] == list(range(16, 31))
