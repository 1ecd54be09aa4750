"""Map: run the item processor once per item, MaxConcurrency at a time, results in item order.

Inline mode records MapIteration* events in the execution's history. Distributed mode (without
ItemReader/ResultWriter) runs the same way but, as on AWS, each iteration is a child execution
with its own history, and the parent records MapRun* events instead. ToleratedFailureCount /
Percentage let some iterations fail; beyond them the state fails with
States.ExceedToleratedFailureThreshold. Progress (items, settings, iteration frames) lives in
the frame so a resumed Map continues where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from automations.asl import errors, history, jsonata_io, jsonpath_io
from automations.asl.errors import StatesFailure
from automations.asl.frames import Frame
from automations.asl.json_text import to_json_text
from automations.asl.run import Outcome, StateRun
from automations.asl.states.children import ChildFailed, child_frame, run_together
from automations.asl.states.common import finish_with_result
from automations.expressions import UNDEFINED, expression_text, is_expression


async def run_map(run: StateRun) -> Outcome:
    if "items" not in run.frame.progress:
        _prepare(run)
        run.execution.checkpoint()
    run.execution.persist()
    failed = await _iterate(run)
    progress = run.frame.progress
    if failed and _exceeded(len(failed), len(progress["items"]), progress):
        raise _map_failure(run, failed)
    if run.state.distributed:
        run.emit("MapRunSucceeded")
    elif progress.get("last_end"):
        run.frame.last_event = progress["last_end"]  # AWS follows the last iteration's end
    run.emit("MapStateSucceeded", advance=False)
    results = [_result(child) for child in sorted(run.frame.children, key=lambda c: c.index)]
    return finish_with_result(run, results)


def _result(child: Frame) -> Any:
    if child.status == "SUCCEEDED":
        return child.output
    return {"Error": child.error, "Cause": child.cause}


# --- preparing: items and settings, in the order AWS evaluates them ------------------------------


def _prepare(run: StateRun) -> None:
    state = run.state
    if state.jsonata:
        states = jsonata_io.states_binding(run, run.input)
        items = _jsonata_items(run, states)
        concurrency = _jsonata_number(run, "MaxConcurrency", states, 0)
        run.emit("MapStateStarted", {"length": len(items)})
        count = _jsonata_number(run, "ToleratedFailureCount", states, None)
        percentage = _jsonata_number(run, "ToleratedFailurePercentage", states, None)
        effective: Any = run.input
    else:
        effective = jsonpath_io.input_path(run, run.input)
        items = _jsonpath_items(run, effective)
        concurrency = _setting(run, "MaxConcurrency", effective, int, "integer")
        run.emit("MapStateStarted", {"length": len(items)})
        count = _setting(run, "ToleratedFailureCount", effective, int, "integer")
        percentage = _setting(run, "ToleratedFailurePercentage", effective, float, "float")
    if count is not None and count < 0:
        raise run.runtime_error("ToleratedFailureCount cannot be negative.")
    if percentage is not None and not 0 <= percentage <= 100:
        raise run.runtime_error("ToleratedFailurePercentage must be between 0 and 100.")
    if state.distributed:
        run.emit("MapRunStarted", {"mapRunArn": _map_run_arn(run)})
    run.frame.progress.update(
        items=items,
        effective=effective,
        concurrency=int(concurrency or 0),
        count=count,
        percentage=percentage,
        reported=[],
    )


def _jsonpath_items(run: StateRun, effective: Any) -> list[Any]:
    items = effective
    if run.state.has("ItemsPath"):
        items = jsonpath_io.path_value(run, "ItemsPath", effective)
    if not isinstance(items, list):
        raise run.runtime_error(f"Map state input must be an array but was: {to_json_text(items)}")
    return items


def _jsonata_items(run: StateRun, states: dict[str, Any]) -> list[Any]:
    if not run.state.has("Items"):
        if not isinstance(run.input, list):
            raise run.query_error(
                f"Map state input must be an array but was: {to_json_text(run.input)}"
            )
        return run.input
    template = run.state.get("Items")
    if isinstance(template, str) and is_expression(template):
        value = jsonata_io.evaluate_expression(run, template, "Items", states)
        if value is UNDEFINED:
            raise run.query_error(
                f"The JSONata expression '{expression_text(template)}' specified for the field "
                "'Items' returned nothing (undefined).",
                "Items",
            )
        if not isinstance(value, list):
            raise run.query_error(
                f"The JSONata expression '{expression_text(template)}' specified for the field "
                f"'Items' returned an unexpected result type. Expected 'array', but was "
                f"'{_json_type(value)}' for value: {to_json_text(value)}",
                "Items",
            )
        return value
    value = jsonata_io.evaluate_field(run, template, "Items", states)
    if not isinstance(value, list):
        raise run.query_error(f"The Items field must be an array but was: {to_json_text(value)}")
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _setting(run: StateRun, key: str, effective: Any, kind: type, noun: str) -> Any:
    """A number from `key` or `keyPath`; a path to something not a number is States.Runtime."""
    if run.state.has(key):
        return run.state.get(key)
    path_key = f"{key}Path"
    if not run.state.has(path_key):
        return None
    value = jsonpath_io.path_value(run, path_key, effective)
    number = _as_number(value, kind)
    if number is None:
        shown = value if isinstance(value, str) else to_json_text(value)
        raise run.runtime_error(
            f'The {path_key} field refers to value "{shown}" which is not a valid {noun}: '
            f"{run.state.get(path_key)}"
        )
    return number


def _as_number(value: Any, kind: type) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = kind(value.strip())
        except ValueError:
            return None
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if kind is int and isinstance(value, int):
        return value
    if kind is float and isinstance(value, int | float):
        return float(value)
    return None


def _jsonata_number(run: StateRun, key: str, states: dict[str, Any], default: Any) -> Any:
    if not run.state.has(key):
        return default
    value = jsonata_io.evaluate_field(run, run.state.get(key), key, states)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise run.query_error(f"The {key} field must be a number but was: {to_json_text(value)}")
    return value


def _map_run_arn(run: StateRun) -> str:
    info = run.execution.info
    return (
        f"arn:aws:states:{info.region}:{info.account}:mapRun:"
        f"{info.state_machine_name}/{run.state.name}:{info.execution_id}"
    )


# --- iterating ---------------------------------------------------------------------------------


async def _iterate(run: StateRun) -> list[Frame]:
    """Run every iteration; return the failed ones (the run stops early past the threshold)."""
    frame, progress = run.frame, run.frame.progress
    items: list[Any] = progress["items"]
    limit = progress["concurrency"]
    gate: asyncio.Semaphore | contextlib.nullcontext[None] = (
        asyncio.Semaphore(limit) if limit > 0 else contextlib.nullcontext()
    )
    by_index = {child.index: child for child in frame.children}
    failed: list[Frame] = []
    stopped = False  # set on the failure that ends the Map: waiting iterations must not start

    async def iteration(index: int) -> None:
        nonlocal stopped
        async with gate:
            if stopped:
                return
            child = by_index.get(index)
            if child is None:
                child = by_index[index] = _start_iteration(run, index, items[index])
            if child.status == "RUNNING":
                await run.execution.run_frame(child)
            _report(run, child)
            if child.status == "FAILED":
                failed.append(child)
                if _exceeded(len(failed), len(items), progress):
                    stopped = True
                    raise ChildFailed(child)

    try:
        processor = run.state.processor
        inline = processor is not None and not processor.suspends
        await run_together([iteration(index) for index in range(len(items))], inline=inline)
    except ChildFailed:
        _abort_running(run)
    return failed


def _start_iteration(run: StateRun, index: int, item: Any) -> Frame:
    frame, state = run.frame, run.state
    processor = state.processor
    assert processor is not None
    child = child_frame(frame, -1, index, processor.start_at, _item_input(run, index, item))
    child.detached = state.distributed
    frame.children.append(child)
    if not state.distributed:
        details = history.iteration(state.name, index)
        child.last_event = run.emit("MapIterationStarted", details, advance=False)
    return child


def _item_input(run: StateRun, index: int, item: Any) -> Any:
    state = run.state
    selector_key = "ItemSelector" if state.has("ItemSelector") else "Parameters"
    if not state.has(selector_key):
        return item
    context = run.context(map_item=(index, item))
    if state.jsonata:
        states = jsonata_io.states_binding(run, run.input, context=context)
        return jsonata_io.evaluate_field(run, state.get(selector_key), selector_key, states)
    effective = run.frame.progress["effective"]
    return jsonpath_io.payload(run, state.get(selector_key), effective, context)


def _report(run: StateRun, child: Frame) -> None:
    reported: list[int] = run.frame.progress["reported"]
    seen = run.frame.reported_index
    if seen is None or len(seen) != len(reported):  # first use, or a resumed frame
        seen = run.frame.reported_index = set(reported)
    if child.index in seen or child.status == "RUNNING":
        return
    reported.append(child.index)
    seen.add(child.index)
    if not run.state.distributed:  # else the iteration was a child execution, its own history
        run.frame.last_event = child.last_event  # the Map's events follow the iteration's
        kind = "MapIterationSucceeded" if child.status == "SUCCEEDED" else "MapIterationFailed"
        details = history.iteration(run.state.name, child.index)
        run.frame.progress["last_end"] = run.emit(kind, details, advance=False)
    run.execution.checkpoint()


def _abort_running(run: StateRun) -> None:
    for child in run.frame.children:
        if child.status == "RUNNING":
            child.status = "ABORTED"
            if not run.state.distributed:
                run.emit("MapIterationAborted", history.iteration(run.state.name, child.index))


def _exceeded(failures: int, total: int, progress: dict[str, Any]) -> bool:
    count, percentage = progress["count"], progress["percentage"]
    if count is None and percentage is None:
        return failures > 0
    if count is not None and failures > count:
        return True
    return percentage is not None and failures * 100 > percentage * total


def _map_failure(run: StateRun, failed: list[Frame]) -> StatesFailure:
    progress = run.frame.progress
    if progress["count"] is None and progress["percentage"] is None:
        first = failed[0]
        failure = StatesFailure(first.error, first.cause)
    else:
        failure = StatesFailure(
            errors.EXCEED_TOLERATED_FAILURE_THRESHOLD,
            "The specified tolerated failure threshold was exceeded",
        )
    if run.state.distributed:
        run.emit("MapRunFailed", history.failure(failure.error, failure.cause))
    return failure
