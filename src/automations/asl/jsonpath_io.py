"""Input and output processing of JSONPath states: InputPath, Parameters, ResultSelector,
ResultPath, OutputPath, payload templates (`"key.$": path | intrinsic`) and `*Path` fields.

Values are never changed in place: ResultPath copies the objects along its path, so a state
cannot alter data another state still holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from automations.asl import errors
from automations.asl.json_text import to_json_text
from automations.asl.run import StateRun
from automations.expressions import (
    ExpressionError,
    IntrinsicFailure,
    IntrinsicSyntaxError,
    JsonPathNotFound,
    JsonPathSyntaxError,
    compile_path,
    evaluate_intrinsic,
)
from automations.expressions.jsonpath import Index, Name

_ABSENT = object()


def input_path(run: StateRun, value: Any) -> Any:
    """InputPath: absent selects everything, null selects nothing (`{}`)."""
    return _select_io_path(run, "InputPath", value)


def output_path(run: StateRun, value: Any) -> Any:
    """OutputPath: absent passes everything on, null passes `{}`."""
    return _select_io_path(run, "OutputPath", value)


def _select_io_path(run: StateRun, key: str, value: Any) -> Any:
    path = run.state.get(key, _ABSENT)
    if path is _ABSENT or path == "$":
        return value
    if path is None:
        return {}
    try:
        compiled = compile_path(path)
        context = run.context() if compiled.root == "context" else None
        return compiled.evaluate(value, context, run.variables())
    except JsonPathNotFound:
        raise run.runtime_error(
            f"Invalid path '{path}' : No results for path: {compile_path(path).canonical()}"
        ) from None
    except JsonPathSyntaxError as err:
        raise run.runtime_error(f"Invalid path '{path}' : {err}") from None


def result_path(run: StateRun, state_input: Any, result: Any, key: str = "ResultPath") -> Any:
    """Where the result goes into the state input; the input itself is left untouched."""
    return apply_result_path(run, run.state.get(key, _ABSENT), state_input, result)


def apply_result_path(run: StateRun, path: Any, state_input: Any, result: Any) -> Any:
    if path is _ABSENT or path == "$":
        return result
    if path is None:
        return state_input
    try:
        compiled = compile_path(path)
    except JsonPathSyntaxError as err:
        raise run.runtime_error(f"Invalid path '{path}' : {err}") from None
    if compiled.root != "input" or not compiled.definite:
        raise run.runtime_error(f"Invalid ResultPath '{path}': it must be a reference path")
    try:
        return _put(state_input, list(compiled.steps), result)
    except _CannotPut:
        raise run.runtime_error(
            f"Unable to apply ResultPath '{path}' to input '{to_json_text(state_input)}'"
        ) from None


class _CannotPut(Exception):
    """Raised when a ResultPath walks into something that is neither an object nor a list."""


def _put(node: Any, steps: list[Any], value: Any) -> Any:
    if not steps:
        return value
    step, rest = steps[0], steps[1:]
    if isinstance(step, Name):
        if node is None:
            node = {}
        if not isinstance(node, dict):
            raise _CannotPut
        return {**node, step.name: _put(node.get(step.name), rest, value)}
    if isinstance(step, Index) and isinstance(node, list) and -len(node) <= step.index < len(node):
        copy = list(node)
        copy[step.index] = _put(node[step.index], rest, value)
        return copy
    raise _CannotPut


def payload(run: StateRun, template: Any, value: Any, context: Any = None) -> Any:
    """Evaluate a payload template (Parameters, ResultSelector, ItemSelector, Assign).

    Keys ending in `.$` take the value of a path or an intrinsic call, read from `value`, the
    context object (`$$`, built only when a path reads it) or the variables; other values are
    copied as they are.
    """
    return _template(run, template, value, context, run.variables())


def _template(
    run: StateRun, template: Any, value: Any, context: Any, variables: Mapping[str, Any]
) -> Any:
    if isinstance(template, dict):
        out: dict[str, Any] = {}
        for key, item in template.items():
            if key.endswith(".$") and isinstance(item, str):
                out[key[:-2]] = _dynamic(run, key, item, value, context, variables)
            else:
                out[key] = _template(run, item, value, context, variables)
        return out
    if isinstance(template, list):
        return [_template(run, item, value, context, variables) for item in template]
    return template


def _dynamic(
    run: StateRun,
    key: str,
    expression: str,
    value: Any,
    context: Any,
    variables: Mapping[str, Any],
) -> Any:
    if context is None and "$$" in expression:
        context = run.context()
    try:
        if expression.startswith("States."):
            return evaluate_intrinsic(expression, value, context, variables)
        return compile_path(expression).evaluate(value, context, variables)
    except JsonPathNotFound as err:
        raise run.runtime_error(
            f"The JSONPath '{err.path}' specified for the field '{key}' could not be found "
            f"in the input '{to_json_text(value)}'"
        ) from None
    except (IntrinsicFailure, IntrinsicSyntaxError) as err:
        raise run.failure(errors.INTRINSIC_FAILURE, str(err)) from None
    except ExpressionError as err:
        raise run.runtime_error(f"The field '{key}' holds an invalid expression: {err}") from None


def path_value(run: StateRun, key: str, value: Any) -> Any:
    """The value a `*Path` field (SecondsPath, ItemsPath, ErrorPath, ...) selects.

    Raises States.Runtime when it selects nothing, as AWS does.
    """
    path = run.state.get(key)
    context = run.context() if isinstance(path, str) and "$$" in path else None
    try:
        if isinstance(path, str) and path.startswith("States."):
            return evaluate_intrinsic(path, value, context, run.variables())
        return compile_path(path).evaluate(value, context, run.variables())
    except JsonPathNotFound:
        raise run.runtime_error(
            f"The JSONPath '{path}' specified for the field '{key}' could not be found "
            f"in the input '{to_json_text(value)}'"
        ) from None
    except (IntrinsicFailure, IntrinsicSyntaxError) as err:
        raise run.failure(errors.INTRINSIC_FAILURE, str(err)) from None
    except ExpressionError as err:
        raise run.runtime_error(f"Invalid path '{path}' : {err}") from None


def assign(run: StateRun, value: Any, template: Any = _ABSENT) -> dict[str, Any] | None:
    """Evaluate `Assign` with `$` bound to `value` (the state's result)."""
    if template is _ABSENT:
        template = run.state.get("Assign")
    if not template:
        return None
    assigned = payload(run, template, value)
    assert isinstance(assigned, dict)
    return assigned
