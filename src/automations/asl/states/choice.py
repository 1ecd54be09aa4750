"""Choice: the first matching rule picks the next state, else Default, else NoChoiceMatched."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from automations.asl import errors, jsonata_io, jsonpath_io
from automations.asl.choice_rules import rule_matches
from automations.asl.json_text import to_json_text
from automations.asl.run import Outcome, StateRun


async def run_choice(run: StateRun) -> Outcome:
    if run.state.jsonata:
        return _jsonata_choice(run)
    effective = jsonpath_io.input_path(run, run.input)
    context = run.context()
    output = jsonpath_io.output_path(run, effective)
    for rule in run.state.get("Choices", ()):
        if rule_matches(run, rule, effective, context):
            assigned = jsonpath_io.assign(run, effective, rule.get("Assign"))
            return Outcome(output, rule["Next"], assigned)
    assigned = jsonpath_io.assign(run, effective)
    return Outcome(output, _default(run), assigned)


def _jsonata_choice(run: StateRun) -> Outcome:
    states = jsonata_io.states_binding(run, run.input)
    for index, rule in enumerate(run.state.get("Choices", ())):
        if _condition(run, rule, index, states):
            return _jsonata_outcome(run, rule, rule["Next"], states)
    return _jsonata_outcome(run, run.state.raw, _default(run), states)


def _jsonata_outcome(
    run: StateRun, holder: Mapping[str, Any], next_state: str, states: dict[str, Any]
) -> Outcome:
    """Output and Assign come from the matched rule, or from the state for the Default."""
    assigned = jsonata_io.assign(run, holder.get("Assign"), states)
    output = run.input
    if "Output" in holder:
        output = jsonata_io.evaluate_field(run, holder["Output"], "Output", states)
    return Outcome(output, next_state, assigned)


def _condition(run: StateRun, rule: Mapping[str, Any], index: int, states: dict[str, Any]) -> bool:
    field = f"Choices[{index}]/Condition"
    value = jsonata_io.evaluate_field(run, rule.get("Condition"), field, states)
    if not isinstance(value, bool):
        raise run.query_error(
            f"The JSONata expression '{rule.get('Condition')}' specified for the field "
            f"'Condition' returned an unexpected result type. Expected 'boolean', but was "
            f"'{type(value).__name__}' for value: {to_json_text(value)}",
            field,
        )
    return value


def _default(run: StateRun) -> str:
    default = run.state.get("Default")
    if default is None:
        raise run.failure(
            errors.NO_CHOICE_MATCHED, "No choice rule matched and the state has no Default."
        )
    return str(default)
