"""Scenario graph → Amazon States Language (QueryLanguage JSONata).

State names are the BPMN element ids, so an execution history maps straight back onto the
diagram; the few helper states the compiler adds are named `<element id>__<role>`.
"""

from __future__ import annotations

import json
from typing import Any

from automations.bpmn.errors import Problem, ScenarioInvalid
from automations.bpmn.model import Element, Scenario
from automations.compiler import jsonata_text as jt
from automations.compiler.context import EXPRESS_MAX_SECONDS, Context, Flavour, Region, State
from automations.compiler.table import compile_element
from automations.compiler.variables import process_variables
from automations.expressions.jsonata_parse import quick_free_variables
from automations.state_names import element_of

__all__ = ["Flavour", "compile_scenario", "element_of", "to_json"]

DEFAULT_TIMEOUT_SECONDS = 86400


def compile_scenario(
    scenario: Scenario,
    flavour: Flavour = Flavour.STANDARD,
    *,
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """Compile the scenario's main process; raises ScenarioInvalid listing every problem."""
    process = scenario.main
    variables = process_variables(process, quick_free_variables)
    ctx = Context(scenario, flavour, quick_free_variables, variables, compile_element)
    region = Region(ctx, process, _end_of_process(ctx.variables), top_level=True)
    starts = process.starts()
    if len(starts) != 1:
        raise ScenarioInvalid(
            [*ctx.problems, *_start_problems(scenario, process.id, process.line, len(starts))]
        )
    start_at = region.compile_from(starts[0].id)
    if ctx.problems:
        raise ScenarioInvalid(ctx.problems)
    if flavour is Flavour.EXPRESS:
        timeout_seconds = min(timeout_seconds, EXPRESS_MAX_SECONDS)
    title = process.name or process.id
    return {
        "Comment": f"{title} — compiled from {scenario.file} ({flavour.value})",
        "QueryLanguage": "JSONata",
        "StartAt": start_at,
        "TimeoutSeconds": timeout_seconds,
        "States": region.states,
    }


def _start_problems(scenario: Scenario, pid: str, line: int, found: int) -> list[Problem]:
    return [Problem(scenario.file, line, pid, f"needs exactly one none start event, found {found}")]


def _end_of_process(variables: list[str]) -> Any:
    fields = ", ".join(f'"{name}": ${name}' for name in variables)
    output = jt.wrap(f"$merge([$states.context.Execution.Input, {{{fields}}}])")

    def compile_end(region: Region, element: Element) -> State:
        # The process result is every variable at the end, input keys included.
        return {"Type": "Succeed", "Output": output}

    return compile_end


def to_json(definition: dict[str, Any]) -> str:
    """The stable text form used for golden files and `automations compile`."""
    return json.dumps(definition, indent=2, ensure_ascii=False) + "\n"
