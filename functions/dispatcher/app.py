"""The dispatcher on Lambda: three kinds of event, one table.

- Records-table stream batches: each record's event queues its processes (at least once,
  deduplicated by process id); a record that fails is reported alone (`batchItemFailures`).
- Step Functions "Execution Status Change": the process ends as its execution did, its slot is
  freed, queued processes start.
- The one-minute "Scheduled Event" tick: due schedules fire, queued processes start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from automations.adapters.aws.lambda_logs import share_logger
from automations.adapters.aws.runtime import aws_runtime

logger = Logger()
share_logger(logger)  # the package's loggers write JSON through it, keys included
metrics = Metrics()
tracer = Tracer(patch_modules=["botocore"])  # see functions/api/app.py

STREAM = "stream"
EXECUTION_END = "Step Functions Execution Status Change"
TICK = "Scheduled Event"
# Execution ends counted for the alarms: machines are created at run time, so template.yaml
# cannot alarm on each one's AWS/States metrics; these count every machine of the stack.
ENDED_METRICS = {"FAILED": "ExecutionsFailed", "TIMED_OUT": "ExecutionsTimedOut"}


class UnknownEvent(ValueError):
    """Raised for an event the dispatcher is not subscribed to (a template mistake)."""


def _stream(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # ~115 ms of imports that only stream batches need.
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecord,
    )

    runtime = aws_runtime()
    queued = 0

    def record_handler(record: DynamoDBRecord) -> None:  # powertools passes it as `record`
        nonlocal queued
        queued += runtime.dispatch_record(record.raw_event)

    answer = process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.DynamoDBStreams),
        context=context,
    )
    metrics.add_metric(name="ProcessesQueued", unit=MetricUnit.Count, value=queued)
    try:
        runtime.pump()
    except Exception:  # the batch is stored: the next tick starts what this pump could not
        logger.exception("pump after a stream batch failed")
    return dict(answer)


def _execution_end(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    detail = event["detail"]
    logger.append_keys(process=detail.get("name"))  # the execution name is the process id
    ended = ENDED_METRICS.get(str(detail.get("status")))
    if ended is not None:
        metrics.add_metric(name=ended, unit=MetricUnit.Count, value=1)
    finished = aws_runtime().finish_execution(detail)
    if finished is not None:
        metrics.add_metric(name="ProcessesEnded", unit=MetricUnit.Count, value=1)
    return {"processId": finished.id if finished else None}


def _tick(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    fired, started = aws_runtime().tick()
    metrics.add_metric(name="SchedulesFired", unit=MetricUnit.Count, value=fired)
    return {"fired": fired, "started": started}


HANDLERS: dict[str, Callable[[dict[str, Any], LambdaContext], dict[str, Any]]] = {
    STREAM: _stream,
    EXECUTION_END: _execution_end,
    TICK: _tick,
}


def kind_of(event: dict[str, Any]) -> str:
    """`stream` for a stream batch, else the EventBridge detail-type."""
    return STREAM if "Records" in event else str(event.get("detail-type", ""))


@logger.inject_lambda_context(clear_state=True)  # one event's process id does not linger
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    kind = kind_of(event)
    run = HANDLERS.get(kind)
    if run is None:
        raise UnknownEvent(f"the dispatcher does not handle {kind!r} events")
    return run(event, context)
