"""Fields of JSONata states: `{% ... %}` strings anywhere inside Arguments, Output, Assign,
Items, Condition, Seconds, ... evaluated with `$states` and the variables in scope.

A field that evaluates to nothing (undefined) is a States.QueryEvaluationError whose cause names
the expression and the field (`Output/result`), word for word as AWS writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from automations.asl.errors import StatesFailure
from automations.asl.run import StateRun
from automations.expressions import (
    UNDEFINED,
    JsonataEvaluationError,
    JsonataExpression,
    JsonataSyntaxError,
    JsonataUnsupportedResult,
    compile_jsonata,
    expression_text,
    fast,
    is_expression,
)
from automations.expressions.errors import Unsupported


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
    return _walk(run, value, field, run.expression_env(states))


def _walk(run: StateRun, value: Any, field: str, variables: dict[str, Any]) -> Any:
    """`evaluate_field` with the expressions' variables (`$states` included) at hand."""
    if isinstance(value, str):
        text = _text_of(value)
        if text is None:
            return value
        result = _evaluate_in(run, text, field, variables)
        if result is UNDEFINED:
            raise _nothing(run, text, field)
        return result
    if isinstance(value, dict):
        return {k: _walk(run, v, f"{field}/{k}", variables) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(run, v, f"{field}/{i}", variables) for i, v in enumerate(value)]
    return value


def evaluate_expression(run: StateRun, value: str, field: str, states: dict[str, Any]) -> Any:
    """One `{% %}` string; returns UNDEFINED rather than failing when it selects nothing."""
    text = _text_of(value)
    if text is None:
        raise ValueError(f"not a {{% ... %}} expression: {value!r}")
    return _evaluate(run, text, field, states)


# JSONata text -> the library's compiled expression and the fast path's closure (None when the
# expression is outside its subset, or the fast path is switched off): both depend on the text
# alone, so one look-up here replaces two cached calls per evaluation. Texts that do not parse
# are not kept.
_Compiled = tuple[JsonataExpression, Callable[[dict[str, Any]], Any] | None]
_COMPILED: dict[str, _Compiled] = {}


def _compiled(text: str) -> _Compiled:
    found = _COMPILED.get(text)
    if found is None:
        if len(_COMPILED) >= _TEXTS_LIMIT:
            _COMPILED.clear()
        closure = fast.fast_evaluator(text) if fast.ENABLED else None
        found = _COMPILED[text] = (compile_jsonata(text), closure)
    return found


# What evaluating an expression with the library may raise that AWS reports as a failure.
_LIBRARY_ERRORS = (JsonataUnsupportedResult, JsonataSyntaxError, JsonataEvaluationError)


def _evaluate(run: StateRun, text: str, field: str, states: dict[str, Any]) -> Any:
    """Evaluate the JSONata `text` of a `{% %}` string (UNDEFINED when it selects nothing)."""
    return _evaluate_in(run, text, field, run.expression_env(states))


def _evaluate_in(
    run: StateRun,
    text: str,
    field: str,
    variables: dict[str, Any],
    compiled: _Compiled | None = None,
) -> Any:
    """`_evaluate` with the expression's variables (`$states` included) at hand, and
    `_compiled(text)` too when the caller has it."""
    try:
        expression, fast = compiled or _compiled(text)
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
    except _LIBRARY_ERRORS as err:
        raise _query_failure(run, text, field, err) from None


def _query_failure(run: StateRun, text: str, field: str, err: Exception) -> StatesFailure:
    """The States.QueryEvaluationError for one of `_LIBRARY_ERRORS`, worded as AWS words it."""
    prefix = f"The JSONata expression '{text}' specified for the field '{field}'"
    if isinstance(err, JsonataUnsupportedResult):
        return run.query_error(f"{prefix} returned an unsupported result type.", field)
    if isinstance(err, JsonataSyntaxError):
        return run.query_error(f"{prefix} could not be parsed: {err.code}: {err.message}", field)
    return run.query_error(f"{prefix} threw an error during evaluation: {err}", field)


def _nothing(run: StateRun, text: str, field: str) -> StatesFailure:
    return run.query_error(
        f"The JSONata expression '{text}' specified for the field "
        f"'{field}' returned nothing (undefined).",
        field,
    )


# --- plans: a state's own fields, walked once ---------------------------------------------------
#
# `evaluate_field` walks a template on every run: the type of every value, the text of every
# string, the compiled forms, the path of every key (for messages that are almost never
# written). A state's fields never change, so `_plan` does that walk once and keeps, per field,
# a closure doing only the evaluations, with each expression's text, compiled forms and field
# path bound in. A plan is given the expressions' variables (`run.expression_env(states)`,
# looked up once for the whole field) and returns what `evaluate_field` returns and raises
# what it raises. With the fast path switched off, a state's "plan" is `evaluate_field`'s walk.

FieldPlan = Callable[[StateRun, dict[str, Any]], Any]


def _plan(value: Any, field: str) -> FieldPlan:
    """What `evaluate_field(run, value, field, states)` does, as a closure over `value` (to
    be given `run.expression_env(states)`)."""
    if isinstance(value, str):
        text = _text_of(value)
        if text is None:
            return lambda run, variables: value
        return _plan_expression(text, field)
    if isinstance(value, dict):
        return _plan_object([(key, _plan(item, f"{field}/{key}")) for key, item in value.items()])
    if isinstance(value, list):
        parts = [_plan(item, f"{field}/{i}") for i, item in enumerate(value)]
        return lambda run, variables: [plan(run, variables) for plan in parts]
    return lambda run, variables: value


def _plan_object(items: list[tuple[str, FieldPlan]]) -> FieldPlan:
    def evaluate_object(run: StateRun, variables: dict[str, Any]) -> Any:
        out: dict[str, Any] = {}  # (a loop, not a comprehension: one call less per object)
        for key, plan in items:
            out[key] = plan(run, variables)
        return out

    return evaluate_object


def _plan_expression(text: str, field: str) -> FieldPlan:
    try:
        compiled = _compiled(text)
    except Exception:  # raised again by `_evaluate_in` when the field is evaluated, as before
        compiled = None
    fast = compiled[1] if compiled is not None else None
    if compiled is None or fast is None:

        def evaluate(run: StateRun, variables: dict[str, Any]) -> Any:
            result = _evaluate_in(run, text, field, variables, compiled)
            if result is UNDEFINED:
                raise _nothing(run, text, field)
            return result

        return evaluate
    library_only: _Compiled = (compiled[0], None)

    def evaluate_fast(run: StateRun, variables: dict[str, Any]) -> Any:
        # `_evaluate_in`'s fast-path hook, inline: the library only when the closure gives up.
        try:
            result = fast(variables)
        except Unsupported:
            result = _evaluate_in(run, text, field, variables, library_only)
        except _LIBRARY_ERRORS as err:
            raise _query_failure(run, text, field, err) from None
        if result is UNDEFINED:
            raise _nothing(run, text, field)
        return result

    return evaluate_fast


# A state's `plans` map each field it has evaluated to its plan, or to None when the state has
# no such field (or an empty Assign, which assigns nothing). Callers look their field up with
# `plans.get(key, _UNPLANNED)` and call `_new_plan` on the first run.
_UNPLANNED: Any = object()


def _new_plan(run: StateRun, key: str) -> FieldPlan | None:
    raw = run.state.raw
    absent = key not in raw or (key == "Assign" and not raw[key])
    planner = _plan if fast.ENABLED else _walking_plan
    plan = run.state.plans[key] = None if absent else planner(raw[key], key)
    return plan


def _walking_plan(value: Any, field: str) -> FieldPlan:
    """No plan: `evaluate_field`'s walk of `value`, every time."""
    return lambda run, variables: _walk(run, value, field, variables)


def state_field(run: StateRun, key: str, states: dict[str, Any]) -> Any:
    """`evaluate_field(run, run.state.get(key), key, states)` through the state's plan."""
    plan = run.state.plans.get(key, _UNPLANNED)
    if plan is _UNPLANNED:
        plan = _new_plan(run, key)
    if plan is None:
        return None
    return plan(run, run.expression_env(states))


def assign(run: StateRun, template: Any, states: dict[str, Any]) -> dict[str, Any] | None:
    """Evaluate `Assign`: every value sees the variables as they were before the state."""
    if not template:
        return None
    assigned = evaluate_field(run, template, "Assign", states)
    assert isinstance(assigned, dict)
    return assigned


def state_assign(run: StateRun, states: dict[str, Any]) -> dict[str, Any] | None:
    """`assign(run, run.state.get("Assign"), states)` through the state's plan."""
    plan = run.state.plans.get("Assign", _UNPLANNED)
    if plan is _UNPLANNED:
        plan = _new_plan(run, "Assign")
    if plan is None:
        return None
    assigned = plan(run, run.expression_env(states))
    assert isinstance(assigned, dict)
    return assigned


def output(run: StateRun, default: Any, states: dict[str, Any]) -> Any:
    """The state's `Output` when it has one, else `default`."""
    plan = run.state.plans.get("Output", _UNPLANNED)
    if plan is _UNPLANNED:
        plan = _new_plan(run, "Output")
    if plan is None:
        return default
    return plan(run, run.expression_env(states))
