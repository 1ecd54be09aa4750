"""Execution histories from Step Functions, and the end of a run from its EventBridge event.

GetExecutionHistory answers with the events the embedded engine writes (`id`, `previousEventId`,
`type`, `<kind>EventDetails`); only `timestamp` differs (botocore gives a datetime, the engine
epoch seconds), so `service.outcome` reads both alike once that is converted.

Step Functions sends a "Step Functions Execution Status Change" event to EventBridge whenever a
STANDARD execution changes status; `execution_end(detail, client)` turns the `detail` of a final
one (SUCCEEDED, FAILED, TIMED_OUT, ABORTED) into the process id (the execution's name) and an
`ExecutionEnd`, so the dispatcher can `finish` the process exactly as the embedded executor's
`on_end` does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from automations.adapters.aws.client_errors import step_functions_failed
from automations.adapters.aws.errors import ExecutionNotEnded
from automations.json_depth import JSON_DEPTH_CEILING, text_depth_over, too_deep_message
from automations.ports import ExecutionEnd
from automations.service.outcome import DATA_TOO_DEEP

DETAIL_TYPE = "Step Functions Execution Status Change"
SOURCE = "aws.states"
FINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})
# What the embedded executor reports for a stopped run; AWS reports it only when the caller of
# StopExecution gave it (ours does; the console and moto do not).
STOPPED = ("Process.Stopped", "The process was stopped.")
PAGE = 1000  # GetExecutionHistory's largest page
_END_DETAILS = {
    "ExecutionFailed": "executionFailedEventDetails",
    "ExecutionAborted": "executionAbortedEventDetails",
    "ExecutionTimedOut": "executionTimedOutEventDetails",
}


def engine_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """One GetExecutionHistory event in the engine's shape (timestamp in epoch seconds)."""
    converted = dict(event)
    stamp = converted.get("timestamp")
    if isinstance(stamp, datetime):
        converted["timestamp"] = stamp.timestamp()
    return converted


def execution_history(client: Any, execution_arn: str) -> list[dict[str, Any]]:
    """Every event of the execution, oldest first, in the engine's shape."""
    events: list[dict[str, Any]] = []
    try:
        pages = client.get_paginator("get_execution_history").paginate(
            executionArn=execution_arn,
            includeExecutionData=True,
            PaginationConfig={"PageSize": PAGE},
        )
        for page in pages:
            events.extend(engine_event(event) for event in page["events"])
    except ClientError as exc:
        raise step_functions_failed("GetExecutionHistory", exc) from exc
    return events


def execution_end(
    detail: Mapping[str, Any], client: Any, *, read_history: bool = True
) -> tuple[str, ExecutionEnd]:
    """The process id and end of a run from a status-change event's `detail`.

    The history is read with GetExecutionHistory (the event carries none), unless
    `read_history` is False (a successful end whose path is caught up from its newest events,
    `adapters/aws/live_trace.py`). Output larger than EventBridge carries
    (`outputDetails.included` false) is read with DescribeExecution.
    """
    status = str(detail.get("status"))
    if status not in FINAL_STATUSES:
        raise ExecutionNotEnded(f"execution {detail.get('name')} is {status}, not ended")
    arn = str(detail["executionArn"])
    history = execution_history(client, arn) if read_history else []
    error, cause = _failure(detail, history)
    if status == "ABORTED" and error is None:
        error, cause = STOPPED
    output = _output(detail, client, arn) if status == "SUCCEEDED" else None
    return str(detail["name"]), ended(status, output, error, cause, history)


def ended(
    status: str,
    output_text: str | None,
    error: str | None,
    cause: str | None,
    history: list[dict[str, Any]] | None = None,
) -> ExecutionEnd:
    """The end of a run from what Step Functions reports, its output parsed. An expression can
    build an output nested past what Python's parser takes (the 256 KB payload holds 100,000
    levels): checked on the text first, such a run fails `Process.DataTooDeep` instead. The
    configured depth, lower, is the service's to apply to the parsed value."""
    events = history or []
    if output_text is None:
        return ExecutionEnd(status, None, error, cause, events)
    found = text_depth_over(output_text, JSON_DEPTH_CEILING)
    if found is not None:
        detail = f"{found} levels"
        message = too_deep_message("the execution's output", JSON_DEPTH_CEILING, detail)
        return ExecutionEnd("FAILED", None, DATA_TOO_DEEP, message, events)
    return ExecutionEnd(status, json.loads(output_text), error, cause, events)


def _output(detail: Mapping[str, Any], client: Any, arn: str) -> str | None:
    text = detail.get("output")
    included = (detail.get("outputDetails") or {}).get("included", True)
    if text is None or not included:
        try:
            text = client.describe_execution(executionArn=arn).get("output")
        except ClientError as exc:
            raise step_functions_failed("DescribeExecution", exc) from exc
    return None if text is None else str(text)


def _failure(
    detail: Mapping[str, Any], history: list[dict[str, Any]]
) -> tuple[str | None, str | None]:
    """The error and cause of the event, else of the history's final event (older events and
    some statuses carry none in `detail`). Empty strings count as none."""
    error, cause = detail.get("error") or None, detail.get("cause") or None
    if error is None and history:
        key = _END_DETAILS.get(str(history[-1].get("type")))
        details = history[-1].get(key, {}) if key else {}
        error, cause = details.get("error") or None, details.get("cause") or cause
    return error, cause
