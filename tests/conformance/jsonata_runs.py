"""Run the corpus's JSONata cases in a process of their own; print what happened as JSON.

`python -m tests.conformance.jsonata_runs [--record]` runs, with whatever
`AUTOMATIONS_JSONATA_FAST` the process was started with, every ASL case that holds a `{% %}`
expression, on a virtual clock with fixed ids and retry jitter, so two runs differ only where
the JSONata paths differ. `--record` also notes every evaluation that reaches jsonata-python
(its text and the variables it saw). The differential test starts this twice, once per path.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from tests.conformance.asl_support import case_names, load_case, run_case

from automations.expressions import JsonataExpression, is_expression
from automations.expressions import fast as fast_path


def expressions_in(value: Any) -> list[str]:
    """Every `{% %}` string inside a definition, in document order."""
    if isinstance(value, str):
        return [value] if is_expression(value) else []
    if isinstance(value, dict):
        return [text for item in value.values() for text in expressions_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in expressions_in(item)]
    return []


def jsonata_cases() -> list[str]:
    """The cases in which JSONata is evaluated: the JSONata feature, or a `{% %}` anywhere."""
    names = []
    for name in case_names():
        case = load_case(name)
        if "jsonata" in case["features"] or expressions_in(case["definition"]):
            names.append(name)
    return names


def run(case: dict[str, Any]) -> dict[str, Any]:
    result = run_case(case, seed=13, execution_id="differential")
    return {**result.to_dict(), "history": result.history}


def _recording(notes: list[dict[str, Any]]) -> Callable[..., Any]:
    original = JsonataExpression.evaluate

    def evaluate(self: JsonataExpression, input: Any, variables: Any = None, **options: Any) -> Any:
        notes.append(
            {
                "text": self.text,
                "input": input,
                "variables": json.loads(json.dumps(variables or {})),
                "now_ms": options.get("now_ms"),
            }
        )
        return original(self, input, variables, **options)

    return evaluate


def main(argv: list[str]) -> None:
    record = "--record" in argv
    notes: list[dict[str, Any]] = []
    if record:
        JsonataExpression.evaluate = _recording(notes)  # type: ignore[method-assign]
    runs: dict[str, Any] = {}
    for name in jsonata_cases():
        notes.clear()
        runs[name] = {"result": run(load_case(name)), "evaluations": list(notes)}
    json.dump({"fast_path": fast_path.ENABLED, "runs": runs}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
