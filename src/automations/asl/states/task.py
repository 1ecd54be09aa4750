"""Task: hand the evaluated Parameters/Arguments to the resource resolver and take its result.

TimeoutSeconds and HeartbeatSeconds (or their Path / JSONata forms) race the call on the
engine's clock. A resolver's TaskError becomes a TaskFailed event and a StatesFailure carrying
its error and cause, which Retry and Catch then see.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from automations.asl import errors, history, jsonata_io, jsonpath_io
from automations.asl.errors import StatesFailure, TaskError
from automations.asl.json_text import to_json_text
from automations.asl.ports import TaskContext
from automations.asl.run import Outcome, StateRun
from automations.asl.states.common import finish_with_result

# What AWS uses when a Task sets no TimeoutSeconds.
DEFAULT_TIMEOUT_SECONDS = 99_999_999


async def run_task(run: StateRun) -> Outcome:
    state = run.state
    resource = str(state.get("Resource"))
    if state.jsonata:
        states = jsonata_io.states_binding(run, run.input)
        arguments = run.input
        if state.has("Arguments"):
            arguments = jsonata_io.state_field(run, "Arguments", states)
        timeout = _jsonata_seconds(run, "TimeoutSeconds", states)
        heartbeat = _jsonata_seconds(run, "HeartbeatSeconds", states)
    else:
        effective = jsonpath_io.input_path(run, run.input)
        arguments = effective
        if state.has("Parameters"):
            arguments = jsonpath_io.payload(run, state.get("Parameters"), effective)
        timeout = _jsonpath_seconds(run, "TimeoutSeconds", effective)
        heartbeat = _jsonpath_seconds(run, "HeartbeatSeconds", effective)
    result = await _invoke(run, resource, arguments, timeout, heartbeat)
    return finish_with_result(run, result)


def _resource_parts(resource: str) -> tuple[str, str]:
    """History's resourceType / resource: `lambda` / `invoke` for arn:aws:states:::lambda:invoke."""
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "states" and not parts[3] and not parts[4]:
        return parts[5], ":".join(parts[6:])
    if len(parts) >= 3:
        return parts[2], resource
    return "unknown", resource


async def _invoke(
    run: StateRun, resource: str, arguments: Any, timeout: float | None, heartbeat: float | None
) -> Any:
    execution = run.execution
    resource_type, resource_name = _resource_parts(resource)
    scheduled: dict[str, Any] = {
        "resourceType": resource_type,
        "resource": resource_name,
        "region": execution.info.region,
        "parameters": to_json_text(arguments),
    }
    if timeout is not None:
        scheduled["timeoutInSeconds"] = int(timeout)
    if heartbeat is not None:
        scheduled["heartbeatInSeconds"] = int(heartbeat)
    run.emit("TaskScheduled", scheduled)
    named = {"resourceType": resource_type, "resource": resource_name}
    run.emit("TaskStarted", named)
    last_beat = [execution.clock.now()]
    execution.persist()  # a crash from here on runs the task again (at-least-once)
    # The resolver gets its own copy: it may change what it receives without touching our data.
    work = execution.resolver(resource, copy.deepcopy(arguments), _context(run, last_beat))
    call = execution.clock.start_work(work)
    try:
        result = await _race(run, call, timeout, heartbeat, last_beat)
        result_text = to_json_text(result)
    except TaskError as err:
        raise _failed(run, named, "TaskFailed", err.error, err.cause) from None
    except _TimedOut as out:
        # A timer boundary catches the States.Timeout raised here; the compiler's half is the
        # TIMER_BOUNDARY row of compiler/table.py (TimeoutSeconds: compiler/activities.py).
        raise _failed(run, named, "TaskTimedOut", out.error, None) from None
    except (asyncio.CancelledError, StatesFailure):
        raise
    except Exception as err:  # a resolver bug or a result that is not JSON: the task fails
        cause = f"{type(err).__name__}: {err}"
        raise _failed(run, named, "TaskFailed", errors.TASK_FAILED, cause) from None
    run.emit("TaskSucceeded", {**named, **history.output(result_text)})
    return result


def _context(run: StateRun, last_beat: list[float]) -> TaskContext:
    execution = run.execution
    clock = execution.clock
    return TaskContext(
        execution_id=execution.info.execution_id,
        execution_name=execution.info.name,
        state_name=run.state.name,
        retry_count=sum(run.frame.retries.values()),
        context_object=run.context(),
        heartbeat=lambda: last_beat.__setitem__(0, clock.now()),
        run_child=execution.run_child,
        services=execution.options.services,
    )


def _failed(
    run: StateRun, named: dict[str, str], kind: str, error: str, cause: str | None
) -> StatesFailure:
    """Record TaskFailed / TaskTimedOut and give the failure Retry and Catch will see."""
    run.emit(kind, {**named, **history.failure(error, cause)})
    return StatesFailure(error, cause)


class _TimedOut(Exception):
    """Raised by _race when TimeoutSeconds or HeartbeatSeconds passes before the task ends."""

    def __init__(self, error: str) -> None:
        self.error = error


async def _race(
    run: StateRun,
    call: asyncio.Task[Any],
    timeout: float | None,
    heartbeat: float | None,
    last_beat: list[float],
) -> Any:
    """The call's result, or _TimedOut when TimeoutSeconds / HeartbeatSeconds pass first."""
    clock = run.execution.clock
    started = clock.now()
    try:
        while True:
            deadlines = [(started + (timeout or DEFAULT_TIMEOUT_SECONDS), errors.TIMEOUT)]
            if heartbeat is not None:
                deadlines.append((last_beat[0] + heartbeat, errors.HEARTBEAT_TIMEOUT))
            moment, error = min(deadlines)
            if clock.now() >= moment:
                raise _TimedOut(error)
            timer = asyncio.ensure_future(clock.sleep(moment - clock.now()))
            done, _ = await asyncio.wait({call, timer}, return_when=asyncio.FIRST_COMPLETED)
            if call in done:
                timer.cancel()
                return call.result()
    finally:
        if not call.done():
            call.cancel()


def _jsonpath_seconds(run: StateRun, key: str, effective: Any) -> float | None:
    if run.state.has(key):
        return float(run.state.get(key))
    if run.state.has(f"{key}Path"):
        value = jsonpath_io.path_value(run, f"{key}Path", effective)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise run.runtime_error(
                f"The {key}Path parameter does not reference a positive integer: "
                f"{run.state.get(key + 'Path')} == {to_json_text(value)}"
            )
        return float(value)
    return None


def _jsonata_seconds(run: StateRun, key: str, states: dict[str, Any]) -> float | None:
    if not run.state.has(key):
        return None
    value = jsonata_io.evaluate_field(run, run.state.get(key), key, states)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise run.query_error(
            f"The {key} field must be a positive integer but was: {to_json_text(value)}", key
        )
    return float(value)
