"""Pass, Succeed and Fail: states that only move data (or stop)."""

from __future__ import annotations

from typing import Any

from automations.asl import jsonata_io, jsonpath_io
from automations.asl.errors import StatesFailure
from automations.asl.json_text import to_json_text
from automations.asl.run import Outcome, StateRun


async def run_pass(run: StateRun) -> Outcome:
    if run.state.jsonata:
        state_input = run.frame.input
        states = jsonata_io.states_binding(run, state_input)
        assigned = jsonata_io.state_assign(run, states)
        return Outcome(jsonata_io.output(run, state_input, states), run.next_state(), assigned)
    effective = jsonpath_io.input_path(run, run.input)
    if run.state.has("Parameters"):
        effective = jsonpath_io.payload(run, run.state.get("Parameters"), effective)
    result = run.state.get("Result") if run.state.has("Result") else effective
    assigned = jsonpath_io.assign(run, result)
    output = jsonpath_io.output_path(run, jsonpath_io.result_path(run, run.input, result))
    return Outcome(output, run.next_state(), assigned)


async def run_succeed(run: StateRun) -> Outcome:
    if run.state.jsonata:
        state_input = run.frame.input
        states = jsonata_io.states_binding(run, state_input)
        return Outcome(jsonata_io.output(run, state_input, states), None)
    effective = jsonpath_io.input_path(run, run.input)
    return Outcome(jsonpath_io.output_path(run, effective), None)


async def run_fail(run: StateRun) -> Outcome:
    if run.state.jsonata:
        states = jsonata_io.states_binding(run, run.input)
        error = _text(jsonata_io.evaluate_field(run, run.state.get("Error"), "Error", states))
        cause = _text(jsonata_io.evaluate_field(run, run.state.get("Cause"), "Cause", states))
    else:
        error = _fail_field(run, "Error")
        cause = _fail_field(run, "Cause")
    raise StatesFailure(error, cause)


def _fail_field(run: StateRun, key: str) -> str | None:
    if run.state.has(f"{key}Path"):
        return _text(jsonpath_io.path_value(run, f"{key}Path", run.input))
    return _text(run.state.get(key))


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return to_json_text(value)
