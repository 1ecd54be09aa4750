"""A running process's path on AWS, read from its execution's newest history events only.

Step Functions tells nobody when a state is entered (its EventBridge events are execution
status changes), so the path is caught up when it is wanted, from where it was left:

- someone reads a running process (`GET /api/v1/processes/{id}`, `Processes.read`):
  GetExecutionHistory newest first, page by page, until the pages reach the event the stored
  trace was built to (`DynamoProcessStore.trace_cursor`); the steps and the new cursor are
  stored together (`DynamoProcessStore.advance_trace`), so each event is read about once
  however often the process is looked at;
- a successful end (`AwsRuntime.finish_execution`): the same read finishes the path, and
  nothing older is read. An unsuccessful end still reads the whole history once, since the
  variables kept at a failure are every assignment since the start.

Chosen over the alternatives: a history read by every component call (a step runner) would
cost one more call and one more write per step whether anyone looks or not, and would give
`http.request`, which has no rights at all, the right to read executions and write processes;
Step Functions sends no state-level events to EventBridge. So the list shows a running
process's path as of the last time it was read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from automations.adapters.aws.client_errors import step_functions_failed
from automations.adapters.aws.errors import StepFunctionsFailed
from automations.model.process import ProcessRecord, TraceStep
from automations.ports import ExecutionEnd
from automations.service.live_trace import TraceBuilder

logger = logging.getLogger(__name__)

PAGE = 100  # events per page, newest first: a look at a running process is usually one page


class TraceCursors(Protocol):
    """Where a process's trace stands (`adapters/aws/processes.py:DynamoProcessStore`)."""

    def trace_cursor(
        self, process_id: str
    ) -> tuple[ProcessRecord, dict[str, Any] | None] | None: ...

    def advance_trace(
        self, process_id: str, trace: list[TraceStep], cursor: dict[str, Any], after: int
    ) -> ProcessRecord | None: ...


def events_after(client: Any, execution_arn: str, after: int) -> list[dict[str, Any]]:
    """The execution's events with ids above `after`, oldest first: read newest first, page
    by page, stopping at the first page that reaches back to `after`. (Names and times are
    all the path needs: the events' data is left out.)"""
    from automations.adapters.aws.history import engine_event

    found: dict[int, dict[str, Any]] = {}
    arguments: dict[str, Any] = {
        "executionArn": execution_arn,
        "reverseOrder": True,
        "maxResults": PAGE,
        "includeExecutionData": False,
    }
    try:
        while True:
            page = client.get_execution_history(**arguments)
            ids = []
            for event in page.get("events", []):
                event_id = int(event["id"])
                ids.append(event_id)
                if event_id > after:
                    found[event_id] = engine_event(event)
            token = page.get("nextToken")
            if not token or not ids or min(ids) <= after:
                break
            arguments["nextToken"] = token
    except ClientError as exc:
        raise step_functions_failed("GetExecutionHistory", exc) from exc
    return [found[event_id] for event_id in sorted(found)]


class AwsLiveTraces:
    """`TraceSource` on Step Functions: a running process's trace caught up from its newest
    events. `execution_of` names a process's STANDARD execution (None: it has none)."""

    def __init__(
        self,
        client: Any,
        cursors: TraceCursors,
        execution_of: Callable[[str], str | None],
    ) -> None:
        self._client = client
        self._cursors = cursors
        self._execution_of = execution_of

    def caught_up(self, process: ProcessRecord) -> ProcessRecord:
        try:
            return self._caught_up(process)
        except (StepFunctionsFailed, BotoCoreError):
            # Reading a process never fails for its path: it is shown as last stored.
            logger.warning("the path of process %s could not be read", process.id, exc_info=True)
            return process

    def _caught_up(self, process: ProcessRecord) -> ProcessRecord:
        arn = self._execution_of(process.id)
        found = self._cursors.trace_cursor(process.id)
        if arn is None or found is None:
            return process
        stored, cursor = found
        builder = _builder(stored, cursor)
        after = builder.last_event
        builder.feed(events_after(self._client, arn, after))
        if builder.last_event == after:
            return stored
        written = self._cursors.advance_trace(process.id, builder.steps(), builder.cursor(), after)
        # Another reader stored it first (or it just ended): what is stored now wins.
        return written or stored

    def ended(self, process: ProcessRecord, end: ExecutionEnd, execution_arn: str) -> ExecutionEnd:
        """A successful `end` with its whole path, from the events since the stored cursor
        (the end event itself came with `end`, which read no history)."""
        found = self._cursors.trace_cursor(process.id)
        builder = _builder(*found) if found else TraceBuilder()
        events = events_after(self._client, execution_arn, builder.last_event)
        builder.feed(events)
        return replace(end, history=events, trace=builder.steps())


def _builder(stored: ProcessRecord, cursor: Mapping[str, Any] | None) -> TraceBuilder:
    if cursor is None:  # from the start (a trace kept from before a retry is read anew)
        return TraceBuilder()
    return TraceBuilder.resumed(stored.trace, cursor)
