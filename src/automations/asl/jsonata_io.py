"""Fields of JSONata states: `{% ... %}` strings anywhere inside Arguments, Output, Assign,
Items, Condition, Seconds, ... evaluated with `$states` and the variables in scope.

A field that evaluates to nothing (undefined) is a States.QueryEvaluationError whose cause names
the expression and the field (`Output/result`), word for word as AWS writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from automations.asl.run import StateRun
from automations.expressions import (
    UNDEFINED,
    JsonataEvaluationError,
    JsonataExpression,
    JsonataSyntaxError,
    JsonataUnsupportedResult,
    compile_jsonata,
    expression_text,
    is_expression,
)
from automations.expressions.fast import Unsupported, fast_evaluator


def states_binding(
    run: StateRun,
    state_input: Any,
    *,
    result: Any = UNDEFINED,
    error_output: Any = UNDEFINED,
    context: Any = None,
) -> dict[str, Any]:
    """The reserved `$states` variable: input, context, and result / errorOutput when known
    (the context only when some expression of the state could read it)."""
    states: dict[str, Any] = {"input": state_input}
    if context is not None:
        states["context"] = context
    elif run.state.reads_context:
        states["context"] = run.context()
    if result is not UNDEFINED:
        states["result"] = result
    if error_output is not UNDEFINED:
        states["errorOutput"] = error_output
    return states


# Template string -> its JSONata text, or None for a literal: templates come from definitions,
# so the same few strings are looked at on every run.
_TEXTS: dict[str, str | None] = {}
_TEXTS_LIMIT = 50_000


def _text_of(value: str) -> str | None:
    text = _TEXTS.get(value, "")
    if text == "":
        if len(_TEXTS) >= _TEXTS_LIMIT:
            _TEXTS.clear()
        text = _TEXTS[value] = expression_text(value) if is_expression(value) else None
    return text


def evaluate_field(run: StateRun, value: Any, field: str, states: dict[str, Any]) -> Any:
    """Evaluate every `{% %}` string inside `value` (objects and arrays at any depth)."""
    if isinstance(value, str):
        text = _text_of(value)
        if text is None:
            return value
        result = _evaluate(run, text, field, states)
        if result is UNDEFINED:
            raise run.query_error(
                f"The JSONata expression '{text}' specified for the field "
                f"'{field}' returned nothing (undefined).",
                field,
            )
        return result
    if isinstance(value, dict):
        return {k: evaluate_field(run, v, f"{field}/{k}", states) for k, v in value.items()}
    if isinstance(value, list):
        return [evaluate_field(run, v, f"{field}/{i}", states) for i, v in enumerate(value)]
    return value


def evaluate_expression(run: StateRun, value: str, field: str, states: dict[str, Any]) -> Any:
    """One `{% %}` string; returns UNDEFINED rather than failing when it selects nothing."""
    text = _text_of(value)
    if text is None:
        raise ValueError(f"not a {{% ... %}} expression: {value!r}")
    return _evaluate(run, text, field, states)


# JSONata text -> the library's compiled expression and the fast path's closure (None when the
# expression is outside its subset): both depend on the text alone, so one look-up here
# replaces two cached calls per evaluation. Texts that do not parse are not kept.
_COMPILED: dict[str, tuple[JsonataExpression, Callable[[dict[str, Any]], Any] | None]] = {}


def _compiled(text: str) -> tuple[JsonataExpression, Callable[[dict[str, Any]], Any] | None]:
    found = _COMPILED.get(text)
    if found is None:
        if len(_COMPILED) >= _TEXTS_LIMIT:
            _COMPILED.clear()
        found = _COMPILED[text] = (compile_jsonata(text), fast_evaluator(text))
    return found


def _evaluate(run: StateRun, text: str, field: str, states: dict[str, Any]) -> Any:
    """Evaluate the JSONata `text` of a `{% %}` string (UNDEFINED when it selects nothing)."""
    try:
        expression, fast = _compiled(text)
        variables = run.expression_env(states)
        # --- fast-path hook (expressions/fast.py): plain closures for the everyday subset;
        # `Unsupported` means "let jsonata-python evaluate it" (it cannot loop: no deadline).
        if fast is not None:
            try:
                return fast(variables)
            except Unsupported:
                pass
        # --- end of fast-path hook
        return expression.evaluate(
            None,
            variables,
            timeout=run.execution.options.expression_timeout,
            now_ms=int(run.execution.clock.now() * 1000),
        )
    except JsonataUnsupportedResult:
        raise run.query_error(
            f"The JSONata expression '{text}' specified for the field '{field}' returned an "
            "unsupported result type.",
            field,
        ) from None
    except JsonataSyntaxError as err:
        raise run.query_error(
            f"The JSONata expression '{text}' specified for the field '{field}' could not be "
            f"parsed: {err.code}: {err.message}",
            field,
        ) from None
    except JsonataEvaluationError as err:
        raise run.query_error(
            f"The JSONata expression '{text}' specified for the field '{field}' threw an error "
            f"during evaluation: {err}",
            field,
        ) from None


def assign(run: StateRun, template: Any, states: dict[str, Any]) -> dict[str, Any] | None:
    """Evaluate `Assign`: every value sees the variables as they were before the state."""
    if not template:
        return None
    assigned = evaluate_field(run, template, "Assign", states)
    assert isinstance(assigned, dict)
    return assigned


def output(run: StateRun, default: Any, states: dict[str, Any]) -> Any:
    """The state's `Output` when it has one, else `default`."""
    if not run.state.has("Output"):
        return default
    return evaluate_field(run, run.state.get("Output"), "Output", states)
