"""infra/redrive.py against moto: what waits in a dead-letter queue reaches the dispatcher
again, and only what it took leaves the queue."""

from __future__ import annotations

import importlib.util
import json
import sys
from typing import Any

import boto3
import handler_support as support
import pytest

from automations.adapters.aws.tables import create_tables


def load_redrive() -> Any:
    name = "infra_redrive"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, support.ROOT / "infra" / "redrive.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


redrive = load_redrive()


class Dispatcher:
    """Stands for the dispatcher function: notes each event; fails when told to."""

    def __init__(self, answer: dict[str, Any] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.answer = answer or {}

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return self.answer


@pytest.fixture
def sqs(mocked_aws: None) -> tuple[Any, str]:
    client = boto3.client("sqs")
    return client, client.create_queue(QueueName="dead-letters")["QueueUrl"]


def left_in(sqs: tuple[Any, str]) -> int:
    client, url = sqs
    attributes = client.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


def test_an_execution_end_is_sent_back_as_it_is_and_deleted(sqs: tuple[Any, str]) -> None:
    client, url = sqs
    arn = f"arn:aws:states:us-east-1:{support.ACCOUNT}:execution:automations-s-std-0:p1"
    event = support.status_change(arn, "FAILED")
    client.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    dispatcher = Dispatcher()

    outcome = redrive.redrive(client, url, redrive.execution_end, dispatcher)

    assert dispatcher.events == [event]
    assert (outcome.redriven, outcome.kept) == (1, [])
    assert left_in(sqs) == 0


def test_what_the_dispatcher_refuses_or_cannot_read_stays(sqs: tuple[Any, str]) -> None:
    client, url = sqs
    arn = f"arn:aws:states:us-east-1:{support.ACCOUNT}:execution:automations-s-std-0:p1"
    client.send_message(QueueUrl=url, MessageBody=json.dumps(support.status_change(arn, "FAILED")))
    client.send_message(QueueUrl=url, MessageBody=json.dumps({"detail-type": "Something else"}))
    client.send_message(QueueUrl=url, MessageBody="not json")

    def failing(event: dict[str, Any]) -> dict[str, Any]:
        raise redrive.RedriveFailed("the dispatcher failed: boom")

    outcome = redrive.redrive(client, url, redrive.execution_end, failing)

    assert outcome.redriven == 0
    assert len(outcome.kept) == 3
    assert any("boom" in reason for reason in outcome.kept)
    assert any("Something else" in reason for reason in outcome.kept)
    assert left_in(sqs) == 3


def test_failed_records_are_read_again_from_the_stream(sqs: tuple[Any, str]) -> None:
    client, url = sqs
    dynamodb = boto3.client("dynamodb")
    table = create_tables(dynamodb, {"Records": "records-t", "Automations": "automations-t"})
    records_table = table["Records"]
    for n in range(4):
        dynamodb.put_item(
            TableName=records_table,
            Item={"catalogId": {"S": "c1"}, "recordId": {"S": f"r{n}"}, "values": {"S": "{}"}},
        )
    delivered = support.stream_records(dynamodb, records_table)
    failed = delivered[1:3]  # the batch Lambda gave up on: the second and third writes
    info = {
        "shardId": _shard_of(dynamodb, records_table),
        "startSequenceNumber": failed[0]["dynamodb"]["SequenceNumber"],
        "endSequenceNumber": failed[-1]["dynamodb"]["SequenceNumber"],
        "streamArn": failed[0]["eventSourceARN"],
        "batchSize": 2,
    }
    on_failure = {
        "requestContext": {"condition": "RetryAttemptsExhausted"},
        "DDBStreamBatchInfo": info,
    }
    client.send_message(QueueUrl=url, MessageBody=json.dumps(on_failure))
    dispatcher = Dispatcher()
    streams = boto3.client("dynamodbstreams")

    outcome = redrive.redrive(client, url, redrive.record_batch(streams, "us-east-1"), dispatcher)

    (event,) = dispatcher.events
    assert [r["dynamodb"]["Keys"]["recordId"]["S"] for r in event["Records"]] == ["r1", "r2"]
    assert [r["dynamodb"] for r in event["Records"]] == [r["dynamodb"] for r in failed]
    assert all(r["eventSourceARN"] == info["streamArn"] for r in event["Records"])
    assert (outcome.redriven, left_in(sqs)) == (1, 0)


def test_records_the_dispatcher_fails_again_keep_their_message(sqs: tuple[Any, str]) -> None:
    client, url = sqs
    dynamodb = boto3.client("dynamodb")
    records_table = create_tables(dynamodb, {"Records": "records-t", "Automations": "a-t"})[
        "Records"
    ]
    dynamodb.put_item(
        TableName=records_table, Item={"catalogId": {"S": "c1"}, "recordId": {"S": "r0"}}
    )
    (record,) = support.stream_records(dynamodb, records_table)
    number = record["dynamodb"]["SequenceNumber"]
    info = {
        "shardId": _shard_of(dynamodb, records_table),
        "startSequenceNumber": number,
        "endSequenceNumber": number,
        "streamArn": record["eventSourceARN"],
    }
    client.send_message(QueueUrl=url, MessageBody=json.dumps({"DDBStreamBatchInfo": info}))
    dispatcher = Dispatcher({"batchItemFailures": [{"itemIdentifier": number}]})

    outcome = redrive.redrive(
        client, url, redrive.record_batch(boto3.client("dynamodbstreams"), "us-east-1"), dispatcher
    )

    assert outcome.redriven == 0 and number in outcome.kept[0]
    assert left_in(sqs) == 1


def _shard_of(dynamodb: Any, table: str) -> str:
    stream_arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams")
    (shard,) = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    return str(shard["ShardId"])
