"""Send what waits in the stack's dead-letter queues back to the dispatcher (docs/operations.md).

    python infra/redrive.py execution-ends <ExecutionEndsDeadLettersQueueUrl> <name>-dispatcher
    python infra/redrive.py record-events <UndispatchedEventsQueueUrl> <name>-dispatcher

Both are safe to run twice: the dispatcher ends a process once (an end for a process that is
no longer running changes nothing) and starts one process per (event, subscription).

- execution-ends: each message *is* an EventBridge "Execution Status Change" event the rule
  could not deliver; it is invoked as it is.
- record-events: each message only says which stream records failed (Lambda's on-failure
  record: shard and sequence numbers); the records are read again from the Records stream,
  which keeps them 24 hours, and invoked as one batch. Older ones are gone: the message is kept
  and reported, so that someone decides (docs/operations.md says how).

A message is deleted only once the dispatcher took it without an error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Invoke = Callable[[dict[str, Any]], dict[str, Any]]  # event -> the dispatcher's answer


class RedriveFailed(Exception):
    """Raised for one message that could not be sent back (the message stays in its queue)."""


@dataclass
class Outcome:
    """What one run did: messages sent back (and deleted), and those kept with the reason."""

    redriven: int = 0
    kept: list[str] = field(default_factory=list)


def messages(sqs: Any, queue_url: str) -> Iterator[dict[str, Any]]:
    """Every message of the queue once (each stays invisible for five minutes meanwhile)."""
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=300, WaitTimeSeconds=0
        ).get("Messages", [])
        if not batch:
            return
        yield from batch


def redrive(
    sqs: Any, queue_url: str, event_of: Callable[[dict[str, Any]], dict[str, Any]], invoke: Invoke
) -> Outcome:
    """Invoke the dispatcher with the event each message stands for; delete what it took."""
    outcome = Outcome()
    for message in messages(sqs, queue_url):
        try:
            answer = invoke(event_of(json.loads(message["Body"])))
            failures = answer.get("batchItemFailures") or []
            if failures:
                raise RedriveFailed(f"the dispatcher failed records {failures}")
        except (RedriveFailed, KeyError, ValueError) as failed:  # a malformed body is kept too
            outcome.kept.append(f"{message['MessageId']}: {failed!r}")
            continue
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        outcome.redriven += 1
    return outcome


def execution_end(body: dict[str, Any]) -> dict[str, Any]:
    """An execution-ends message is the event itself."""
    if body.get("detail-type") != "Step Functions Execution Status Change":
        raise RedriveFailed(f"not an execution status change: {body.get('detail-type')!r}")
    return body


def record_batch(streams: Any, region: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The stream records an on-failure message names, as the Lambda event of one batch."""

    def event_of(body: dict[str, Any]) -> dict[str, Any]:
        info = body.get("DDBStreamBatchInfo")
        if not isinstance(info, dict):
            raise RedriveFailed("no DDBStreamBatchInfo: not a stream on-failure record")
        first, last = int(info["startSequenceNumber"]), int(info["endSequenceNumber"])
        try:
            iterator = streams.get_shard_iterator(
                StreamArn=info["streamArn"],
                ShardId=info["shardId"],
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=info["startSequenceNumber"],
            )["ShardIterator"]
        except streams.exceptions.TrimmedDataAccessException:
            raise RedriveFailed("its records are older than the stream's 24 hours") from None
        found = list(_records_between(streams, iterator, first, last))
        if not found:
            raise RedriveFailed("its records are no longer in the stream")
        return {"Records": [_as_lambda_record(r, info["streamArn"], region) for r in found]}

    return event_of


def _records_between(
    streams: Any, iterator: str | None, first: int, last: int
) -> Iterator[dict[str, Any]]:
    while iterator:
        answer = streams.get_records(ShardIterator=iterator, Limit=1000)
        for record in answer["Records"]:
            number = int(record["dynamodb"]["SequenceNumber"])
            if number > last:
                return
            if number >= first:
                yield record
        if not answer["Records"]:
            return  # caught up with the shard's end
        iterator = answer.get("NextShardIterator")


def _as_lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """GetRecords gives what Lambda delivers, but without the source ARN and with the
    creation time as a datetime (Lambda: epoch seconds)."""
    images = dict(record["dynamodb"])
    stamp = images.get("ApproximateCreationDateTime")
    if isinstance(stamp, datetime):
        images["ApproximateCreationDateTime"] = int(stamp.timestamp())
    return record | {"dynamodb": images, "eventSourceARN": stream_arn, "awsRegion": region}


def lambda_invoker(client: Any, function: str) -> Invoke:
    """Invoke `function` synchronously; an error it raised is a RedriveFailed."""

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        answer = client.invoke(FunctionName=function, Payload=json.dumps(event).encode())
        payload = json.loads(answer["Payload"].read() or b"null")
        if answer.get("FunctionError"):
            raise RedriveFailed(f"the dispatcher failed: {payload}")
        return payload if isinstance(payload, dict) else {}

    return invoke


def main(argv: list[str] | None = None) -> int:
    import boto3  # only here: the module's functions are given their clients

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queue", choices=["execution-ends", "record-events"])
    parser.add_argument("queue_url", help="the queue's URL (a stack output)")
    parser.add_argument(
        "function", help="the dispatcher function's name (<DeploymentName>-dispatcher)"
    )
    args = parser.parse_args(argv)
    session = boto3.session.Session()
    invoke = lambda_invoker(session.client("lambda"), args.function)
    event_of: Callable[[dict[str, Any]], dict[str, Any]]
    if args.queue == "execution-ends":
        event_of = execution_end
    else:
        event_of = record_batch(session.client("dynamodbstreams"), str(session.region_name))
    outcome = redrive(session.client("sqs"), args.queue_url, event_of, invoke)
    print(f"redriven: {outcome.redriven}, kept: {len(outcome.kept)}")
    for reason in outcome.kept:
        print(f"  kept {reason}")
    return 1 if outcome.kept else 0


if __name__ == "__main__":
    sys.exit(main())
