"""What a finished execution means for a process: status, variables, error and path.

The same mapping serves every executor: the embedded engine's history and the one
GetExecutionHistory returns on AWS have the same shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel

from automations.asl.json_text import to_json_text
from automations.json_depth import (
    DEFAULT_MAX_JSON_DEPTH,
    json_path,
    too_deep_message,
    value_depth_over,
)
from automations.model.process import TraceStep
from automations.service.live_trace import TraceBuilder
from automations.service.messages import plain_cause
from automations.state_names import element_of

ProcessStatus = Literal["completed", "error", "aborted"]
_STATUS: dict[str, ProcessStatus] = {
    "SUCCEEDED": "completed",
    "FAILED": "error",
    "TIMED_OUT": "error",
    "ABORTED": "aborted",
}
DATA_LIMIT = "Process.DataLimitExceeded"
DEFAULT_MAX_VARIABLES_BYTES = 262_144  # AUTOMATIONS_MAX_PROCESS_DATA_BYTES' default
DATA_TOO_DEEP = "Process.DataTooDeep"
# What an end that names no error means (AWS reports none for a timeout or a stop).
_UNNAMED: dict[str, tuple[str, str | None]] = {
    "TIMED_OUT": ("States.Timeout", "The execution ran longer than its TimeoutSeconds."),
    "ABORTED": ("Process.Stopped", "The process was stopped."),
}


class ProcessError(BaseModel):
    """Why a process ended in error, and at which BPMN element."""

    code: str
    message: str | None
    element: str | None


class ProcessOutcome(BaseModel):
    """The result of a run as `automations run --json` prints it and processes store it."""

    status: ProcessStatus
    output: dict[str, Any]
    error: ProcessError | None
    trace: list[str]


def outcome(
    status: str,
    output: Any,
    error: str | None,
    cause: str | None,
    history: Sequence[Mapping[str, Any]],
    *,
    max_depth: int = DEFAULT_MAX_JSON_DEPTH,
) -> ProcessOutcome:
    """Map an execution's end (Step Functions terms) to the process's (the product's terms)."""
    process_status, variables, failure = ended_as(
        status, output, error, cause, history, max_depth=max_depth
    )
    return ProcessOutcome(
        status=process_status, output=variables, error=failure, trace=element_trace(history)
    )


def ended_as(
    status: str,
    output: Any,
    error: str | None,
    cause: str | None,
    history: Sequence[Mapping[str, Any]],
    *,
    max_depth: int = DEFAULT_MAX_JSON_DEPTH,
    max_bytes: int = DEFAULT_MAX_VARIABLES_BYTES,
) -> tuple[ProcessStatus, dict[str, Any], ProcessError | None]:
    """`outcome` without the path: the status, the variables and the error.

    A process that did not complete keeps its variables as they were when it ended (see
    `variables_at_end`), so that its owner sees what it held where it broke off.

    Final variables nesting deeper than `max_depth` (an expression can build such a value) are
    not kept: the process ends in error `Process.DataTooDeep` instead, since its record could
    not be read back.
    """
    process_status = _STATUS[status]
    failure = None
    if process_status != "completed":
        code, message = (error, cause) if error else _UNNAMED.get(status, (None, cause))
        failure = ProcessError(
            code=code or "States.Runtime",
            message=readable_cause(message),
            element=failing_element(history),
        )
    if process_status == "completed":
        variables = output if isinstance(output, dict) else {}
    else:
        variables = variables_at_end(history, max_bytes)
    too_deep = data_too_deep(variables, max_depth, "variable")
    if too_deep is not None:
        return "error", {}, ProcessError(code=DATA_TOO_DEEP, message=too_deep, element=None)
    return process_status, variables, failure


def variables_at_end(
    history: Iterable[Mapping[str, Any]], max_bytes: int = DEFAULT_MAX_VARIABLES_BYTES
) -> dict[str, Any]:
    """A run's variables when it ended, from its history alone (so both runtimes agree): its
    start variables, then every value a state assigned, in the order they were assigned. Kept
    only within `max_bytes` of JSON (the process data limit); past it, none are kept."""
    variables: dict[str, Any] = {}
    for event in history:
        if started := event.get("executionStartedEventDetails"):
            start = _parsed(started.get("input"))
            if isinstance(start, dict):
                variables.update(start)
        elif exited := event.get("stateExitedEventDetails") or event.get(
            "executionRedrivenEventDetails"
        ):
            # (a retry's changed variables are written as assignments too)
            for name, text in (exited.get("assignedVariables") or {}).items():
                variables[name] = _parsed(text)
    if len(to_json_text(variables).encode()) > max_bytes:
        return {}
    return variables


def _parsed(text: Any) -> Any:
    # The engine held every value to the depth limit when it was assigned; a history from
    # elsewhere (an old AWS execution) is not trusted to be readable.
    try:
        return json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        return None


# --- the limits of process data (the engine also holds every step's output to the size) -----


def start_data_problem(
    variables: Mapping[str, Any], max_bytes: int, max_depth: int
) -> tuple[str, str] | None:
    """(code, message) when start variables break a process data limit, else None: too deep
    (checked first: such a value cannot even be measured safely), or too large."""
    too_deep = data_too_deep(variables, max_depth, "start variable")
    if too_deep is not None:
        return DATA_TOO_DEEP, too_deep
    size = len(to_json_text(variables).encode())
    if size > max_bytes:
        return DATA_LIMIT, (
            f"the start variables are {size} bytes; the process data limit is "
            f"{max_bytes} bytes (AUTOMATIONS_MAX_PROCESS_DATA_BYTES)"
        )
    return None


def data_too_deep(variables: Mapping[str, Any], max_depth: int, what: str) -> str | None:
    """Why process data cannot be kept when one of its variables nests deeper than `max_depth`
    (`what` names them: "variable", "start variable"); None when none does."""
    # The variables' own object is no level of any variable.
    path = value_depth_over(variables, max_depth + 1)
    if path is None:
        return None
    name = f"${path[0]}"
    return too_deep_message(f"{what} {name}", max_depth, "at " + json_path(path[1:], name))


def readable_cause(cause: str | None) -> str | None:
    """The words a person wants from a cause that Step Functions wrote as JSON.

    A component failure's cause is Lambda's error JSON (`errorMessage`); a failed call
    activity's is the child execution's description (`Error`, `Cause`). An expression's
    failure is said in the scenario's terms (`service/messages.py`).
    """
    if not cause:
        return cause
    if not cause.startswith("{"):
        return plain_cause(cause)
    try:
        parsed = json.loads(cause)
    except ValueError:
        return cause
    if not isinstance(parsed, dict):
        return cause
    if isinstance(parsed.get("errorMessage"), str):
        return plain_cause(str(parsed["errorMessage"]))
    if "variables" in parsed and parsed.get("errorMessage") is None:
        return None  # an error end event with no message, carrying a subprocess's variables
    if isinstance(parsed.get("Error"), str):
        inner = plain_cause(str(parsed.get("Cause") or ""))
        return f"{parsed['Error']}: {inner}".rstrip(": ")
    return cause


def element_trace(history: Iterable[Mapping[str, Any]]) -> list[str]:
    """The BPMN element ids entered, in order (a state and its helper states count once)."""
    path: list[str] = []
    for event in history:
        details = event.get("stateEnteredEventDetails")
        if details is None:
            continue
        element = element_of(str(details["name"]))
        if not path or path[-1] != element:
            path.append(element)
    return path


def failing_element(history: Sequence[Mapping[str, Any]]) -> str | None:
    """The element where the run broke off.

    Step Functions links each event to the one it follows (`previousEventId`): from the final
    event, the chain leads back through the failure to the state that failed, even when other
    Parallel branches were still running.
    """
    by_id = {event.get("id"): event for event in history}
    event = history[-1] if history else None
    seen: set[Any] = set()
    while event is not None and event.get("id") not in seen:
        seen.add(event.get("id"))
        if entered := event.get("stateEnteredEventDetails"):
            return element_of(str(entered["name"]))
        if named := _failed_state(event):  # EvaluationFailed names its state: AWS links it
            return element_of(named)  # to the previous state's exit, not to its own entry
        event = by_id.get(event.get("previousEventId"))
    return None


def trace_steps(history: Iterable[Mapping[str, Any]]) -> list[TraceStep]:
    """Elements entered and left, with times (a state and its helper states count as one),
    built as the live trace is (`service/live_trace.py:TraceBuilder`)."""
    builder = TraceBuilder()
    builder.feed(history)
    return builder.steps()


def _failed_state(event: Mapping[str, Any]) -> str | None:
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, Mapping):
            state = details.get("state")
            if isinstance(state, str):
                return state
    return None
