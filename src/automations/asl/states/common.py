"""What Task, Parallel and Map share: turning a result into the state's output."""

from __future__ import annotations

from typing import Any

from automations.asl import jsonata_io, jsonpath_io
from automations.asl.run import Outcome, StateRun


def finish_with_result(run: StateRun, result: Any) -> Outcome:
    """JSONata: Output (default: the result) and Assign see `$states.result`.
    JSONPath: ResultSelector, then Assign (`$` is the selected result), ResultPath, OutputPath."""
    state = run.state
    if state.jsonata:
        states = jsonata_io.states_binding(run, run.input, result=result)
        assigned = jsonata_io.state_assign(run, states)
        return Outcome(jsonata_io.output(run, result, states), run.next_state(), assigned)
    if state.has("ResultSelector"):
        result = jsonpath_io.payload(run, state.get("ResultSelector"), result)
    assigned = jsonpath_io.assign(run, result)
    output = jsonpath_io.output_path(run, jsonpath_io.result_path(run, run.input, result))
    return Outcome(output, run.next_state(), assigned)
