"""The shortcuts of the frame loop and of JSONata fields answer what the general paths answer.

- A state's fields are evaluated through plans (`jsonata_io._plan`: the template walked once):
  same values, same failures (error, cause, location) as `evaluate_field` walking it each time.
- `$v.a.b` reads the variable inline: same answer (or bail-out) as the library.
- `_is_clean` checks flat nested objects inline: same verdict as `to_json`.
- The root frame writes to the execution's history and has no outer scope without asking
  `history_for` / `outer_variables`: same history, same variables as nested frames get.
"""

from __future__ import annotations

from typing import Any

import pytest

from automations.asl import jsonata_io, run_execution
from automations.asl.clock import VirtualClock
from automations.asl.context import ExecutionInfo
from automations.asl.definition import Definition, State
from automations.asl.errors import StatesFailure
from automations.asl.execution import EngineOptions, Execution
from automations.asl.frames import Frame
from automations.asl.resolvers import ComponentResolver
from automations.asl.run import StateRun
from automations.expressions import UNDEFINED, JsonataEvaluationError, compile_jsonata
from automations.expressions.errors import Unsupported
from automations.expressions.fast import _is_clean, fast_evaluator
from automations.expressions.jsonata_expr import to_json
from support.json_values import same_json

VARIABLES: dict[str, Any] = {
    "a": 1,
    "f": 2.0,
    "s": "text",
    "o": {"x": 1, "y": {"z": [1, 2.0]}, "n": None},
    "l": [1, 2, 3],
    "q": {"n": "21"},
}
STATE_INPUT: Any = {"amount": 3, "query": {"n": "21"}, "float": 4.0, "list": [{"a": 1}]}

TEMPLATES: list[Any] = [
    "plain text",
    7,
    None,
    True,
    [],
    {},
    "{% $a %}",
    "{% $f %}",  # an integral float comes out as an integer
    "{% $o %}",
    "{% $o.y %}",
    "{% $o.y.z %}",
    "{% $l[1] %}",
    "{% $states.input.amount * 2 %}",
    "{% $states.input.float %}",
    "{% $states.input.list.a %}",  # mapping over an array: the library answers
    "{% $exists($states.input.query) ? $states.input.query : null %}",
    "{% $exists($states.input.absent) ? $states.input.absent : null %}",
    "{% $exists($q.n) ? $number($q.n) : 1 %}",
    "{% $merge([$states.input, {'a': $a, 'o': $o}]) %}",
    "{% {'status': 200, 'body': {'doubled': $a * 2}} %}",
    "{% $string($o) %}",  # outside the fast subset
    "{% ($x := $a + 1; $x * 2) %}",
    "{% $count($l) %}",
    "{% $sum($l) / 2 %}",
    "{% $states.input.missing %}",  # undefined: a failure naming the field
    "{% $nothing %}",
    "{% $a + %}",  # does not parse
    "{% $number('x') %}",  # fails during evaluation
    "{% $o.y.z.w %}",
    "{% $s.x %}",
    "{% $a.b %}",
    {
        "k": "{% $a %}",
        "nested": {"deep": ["{% $s %}", "lit", 1, {"e": "{% $o.y %}"}]},
        "m": "{% $states.input.missing %}",
    },
    ["{% $a %}", ["{% $f %}", {"x": "{% $nothing %}"}]],
    {"a": "{% $a %}", "b": "{% $f %}", "c": "{% $exists($o) ? $o : null %}"},
]


def _run(raw: dict[str, Any], frame: Frame | None = None) -> StateRun:
    definition = Definition.parse(
        {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    info = ExecutionInfo("e", "e", "m", "STANDARD", 0.0, STATE_INPUT, "{}")
    execution = Execution(
        definition,
        info,
        resolver=ComponentResolver(),
        clock=VirtualClock(0.0),
        checkpoints=None,
        options=EngineOptions(),
    )
    if frame is None:
        frame = execution.root
        frame.variables = dict(VARIABLES)
    state = State(name="P", type="Pass", query_language="JSONata", raw=raw)
    return StateRun(execution, frame, state)


def _outcome(evaluate: Any, *args: Any) -> Any:
    try:
        return ("value", evaluate(*args))
    except StatesFailure as failure:
        return ("failure", failure.error, failure.cause, failure.location, failure.evaluation)


def _agree(planned: Any, general: Any) -> None:
    if planned[0] == "value" and general[0] == "value":
        assert same_json(planned[1], general[1]), (planned, general)
    else:
        assert planned == general


def _general(template: Any, field: str) -> Any:
    run = _run({})
    states = jsonata_io.states_binding(run, STATE_INPUT)
    return _outcome(jsonata_io.evaluate_field, run, template, field, states)


@pytest.mark.parametrize("template", TEMPLATES)
def test_output_plans_answer_what_evaluate_field_answers(template: Any) -> None:
    run = _run({"Type": "Pass", "Output": template})
    for _ in range(2):  # the second run goes through the plan kept on the state
        states = jsonata_io.states_binding(run, STATE_INPUT)
        planned = _outcome(jsonata_io.output, run, "default", states)
        _agree(planned, _general(template, "Output"))
        run = StateRun(run.execution, run.frame, run.state)


@pytest.mark.parametrize("template", TEMPLATES)
def test_field_plans_answer_what_evaluate_field_answers(template: Any) -> None:
    run = _run({"Type": "Task", "Arguments": template})
    for _ in range(2):
        states = jsonata_io.states_binding(run, STATE_INPUT)
        planned = _outcome(jsonata_io.state_field, run, "Arguments", states)
        _agree(planned, _general(template, "Arguments"))
        run = StateRun(run.execution, run.frame, run.state)


@pytest.mark.parametrize("template", [t for t in TEMPLATES if isinstance(t, dict)] + [None, {}])
def test_assign_plans_answer_what_assign_answers(template: Any) -> None:
    run = _run({"Type": "Pass"} if template is None else {"Type": "Pass", "Assign": template})
    states = jsonata_io.states_binding(run, STATE_INPUT)
    planned = _outcome(jsonata_io.state_assign, run, states)
    other = _run({})
    other_states = jsonata_io.states_binding(other, STATE_INPUT)
    _agree(planned, _outcome(jsonata_io.assign, other, template, other_states))


def test_a_state_without_output_keeps_the_default() -> None:
    run = _run({"Type": "Pass"})
    states = jsonata_io.states_binding(run, STATE_INPUT)
    default = object()
    assert jsonata_io.output(run, default, states) is default
    assert jsonata_io.output(run, default, states) is default  # the remembered "no plan"


VARIABLE_PATHS = ["$v.a", "$v.a.b", "$string.a", "$exists.a", "$states.input.a.b"]
PATH_VALUES: list[Any] = [
    None,
    1,
    2.0,
    "s",
    [],
    [{"a": 1}],
    {},
    {"a": None},
    {"a": 1.0},
    {"a": {"b": 2}},
    {"a": {"b": [1, 2]}},
    {"a": [{"b": 1}]},
    {"a": "x"},
]


@pytest.mark.parametrize("text", VARIABLE_PATHS)
def test_variable_paths_match_the_library(text: str) -> None:
    fast = fast_evaluator(text)
    assert fast is not None
    envs: list[dict[str, Any]] = [{}]
    for value in PATH_VALUES:
        envs += [{"v": value}, {"states": {"input": value}}, {"string": value, "exists": value}]
    for env in envs:
        try:
            got = fast(dict(env))
        except Unsupported:
            continue
        try:
            expected = compile_jsonata(text).evaluate(None, env)
        except JsonataEvaluationError:
            pytest.fail(f"{text!r} with {env!r}: fast {got!r}, the library failed")
        assert same_json(got, expected), f"{text!r} with {env!r}: fast {got!r} != {expected!r}"


def test_a_variable_bound_to_undefined_reads_as_undefined_in_a_path() -> None:
    fast = fast_evaluator("($v := $nothing; $v.a)")
    assert fast is not None
    assert fast({"v": {"a": 1}}) is UNDEFINED


@pytest.mark.parametrize(
    "value",
    [
        {"a": {"b": 1, "c": "s", "d": None, "e": True}},
        {"a": {"b": 1.0}},
        {"a": {"b": 1.5}},
        {"a": {"b": {"c": 2.0}}},
        {"a": {"b": [1, 2.0]}},
        {"a": {}, "b": [], "c": {"d": None}},
        [{"a": 1}, {"a": 1.0}],
        {"a": {"b": float("inf")}},
    ],
)
def test_is_clean_agrees_with_to_json(value: Any) -> None:
    try:
        converted = to_json(value)
    except JsonataEvaluationError:
        assert not _is_clean(value)
        return
    assert _is_clean(value) == (converted is value and same_json(converted, value))


def test_root_and_nested_frames_see_the_same_scopes() -> None:
    root = _run({}).frame
    assert root.parent is None
    assert root.visible_variables() == root.variables == VARIABLES
    child = Frame(id="c", path=(), state="P", input={}, parent=root, variables={"b": 2})
    root.children.append(child)
    assert child.visible_variables() == {**VARIABLES, "b": 2}
    root.assign({"a": 5})
    assert child.visible_variables()["a"] == 5
    assert root.visible_variables()["a"] == 5


def test_a_branch_cannot_assign_an_outer_variable_the_root_frame_can() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "B",
                        "States": {"B": {"Type": "Pass", "Assign": {"x": 2}, "End": True}},
                    }
                ],
                "End": True,
            },
        },
    }
    result = run_execution(definition, {})
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert "belongs to an outer scope" in (result.cause or "")


def test_root_events_go_to_the_execution_history_in_order() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"v": "{% 1 %}"}, "Next": "B"},
            "B": {"Type": "Succeed", "Output": "{% {'v': $v} %}"},
        },
    }
    result = run_execution(definition, {"in": 1})
    assert result.output == {"v": 1}
    assert [(e["id"], e["previousEventId"], e["type"]) for e in result.history] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "SucceedStateEntered"),
        (5, 4, "SucceedStateExited"),
        (6, 5, "ExecutionSucceeded"),
    ]
