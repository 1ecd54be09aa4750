"""The shortcuts that make a short execution cheap change nothing a caller can see.

- `$exists(x) ? x : e` reads `x` once, and plain paths skip the index handling: the fast path
  still answers exactly what jsonata-python answers (or bails out).
- Timestamps are formatted from a per-second cache: same text as formatting from scratch.
- The input text the engine wrote serves as the first state's input and output text, and the
  last state's output text as ExecutionSucceeded's: the history is as before.
- The jitter source is built on first use, with the same seeded sequence.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

import pytest

from automations.asl import Definition, Engine, VirtualClock, run_execution
from automations.asl.context import ExecutionInfo
from automations.asl.definition import Retrier
from automations.asl.execution import EngineOptions
from automations.asl.retry import backoff_seconds
from automations.asl.timestamps import format_timestamp
from automations.expressions import UNDEFINED, JsonataEvaluationError, compile_jsonata
from automations.expressions.errors import Unsupported
from automations.expressions.fast import fast_evaluator
from support.json_values import same_json

EXISTS_TEXTS = [
    "$exists($a) ? $a : null",
    "$exists($a) ? $a : 'none'",
    "$exists($x.a) ? $x.a : null",
    "$exists($x.a.b) ? $x.a.b : $y",
    "$exists($x.`a`) ? $x.a : 0",
    "$exists($x.l[0]) ? $x.l[0] : null",
    "$exists($x.l[0].a) ? $x.l[0].a : null",
    "$exists($l[1]) ? $l[1] : null",
    "$exists($x.a) ? $x.b : null",  # not the same path: the general condition
    "$exists($x.a) ? $x.a.b : null",
    "$exists($x.a) ? $x.a",  # no else
    "$exists($states.input.a) ? $states.input.a : null",
    "($exists := 1; $exists($a) ? $a : null)",
    "($a := $x.a; $exists($a) ? $a : null)",
    "$x.a.b",
    "$x.l[0].a",
]

VALUES: list[Any] = [
    None,
    True,
    0,
    2.0,
    2.5,
    "s",
    [],
    [1, 2],
    [{"a": 1}],
    {},
    {"a": None},
    {"a": 1},
    {"a": 1.0},
    {"a": [1, {"b": 2}]},
    {"a": {"b": None}},
    {"a": {"b": 3.0}},
    {"l": [{"a": "n"}]},
    {"l": []},
    {"l": "text"},
]


def _environments(text: str) -> list[dict[str, Any]]:
    rng = random.Random(text)
    envs: list[dict[str, Any]] = [{}, {"states": {"input": {}}}]
    for _ in range(300):
        env: dict[str, Any] = {}
        for name in ("a", "l", "x", "y"):
            if rng.random() < 0.8:
                env[name] = rng.choice(VALUES)
        env["states"] = {"input": rng.choice(VALUES)}
        envs.append(env)
    return envs


@pytest.mark.parametrize("text", EXISTS_TEXTS)
def test_exists_shortcut_and_plain_paths_match_the_library(text: str) -> None:
    fast = fast_evaluator(text)
    assert fast is not None
    answered = 0
    for env in _environments(text):
        try:
            expected: Any = compile_jsonata(text).evaluate(None, env)
        except JsonataEvaluationError:
            expected = Unsupported
        before = json.dumps(env, sort_keys=True)
        try:
            got = fast(dict(env))
        except Unsupported:
            continue
        assert json.dumps(env, sort_keys=True) == before
        assert expected is not Unsupported, f"{text!r} with {env!r}: the library failed"
        assert same_json(got, expected), f"{text!r} with {env!r}: fast {got!r} != {expected!r}"
        answered += 1
    shadowed = "$exists :=" in text  # a variable shadows the function: always the library
    assert answered == 0 if shadowed else answered > 0


def test_exists_shortcut_answers_the_compiled_start_state() -> None:
    fast = fast_evaluator("$exists($states.input.`n`) ? $states.input.`n` : null")
    assert fast is not None
    assert fast({"states": {"input": {"n": 2}}}) == 2
    assert fast({"states": {"input": {}}}) is None
    assert fast({"states": {"input": {"n": None}}}) is None
    with pytest.raises(Unsupported):  # a variable named `exists` shadows the function
        fast({"states": {"input": {}}, "exists": 1})
    without_else = fast_evaluator("$exists($x.a) ? $x.a")
    assert without_else is not None
    assert without_else({"x": {}}) is UNDEFINED


def _format_from_scratch(epoch_seconds: float) -> str:
    millis = round(epoch_seconds * 1000)
    t = time.gmtime(millis // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{millis % 1000:03d}Z"
    )


def test_timestamps_format_as_from_scratch() -> None:
    rng = random.Random(7)
    moments = [0.0, 0.0004, 0.0005, 0.9995, 0.9999, 59.9996, 1.5e9, -0.0004, -1.0, -1.0006]
    moments += [rng.uniform(-1e9, 4e9) for _ in range(2000)]
    moments += [1_700_000_000 + rng.randrange(0, 3_000_000) / 1000 for _ in range(2000)]
    moments += [m + 0.0004 for m in moments[10:510]]  # the same millisecond, another float
    for moment in moments + moments:  # the second pass reads the per-millisecond cache
        assert format_timestamp(moment) == _format_from_scratch(moment), moment
    assert format_timestamp(1704164645.678) == "2024-01-02T03:04:05.678Z"


PASS_ON = {
    "QueryLanguage": "JSONata",
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Assign": {"n": "{% $states.input.n %}"}, "Next": "End"},
        "End": {"Type": "Succeed"},
    },
}


def _run(**start: Any) -> list[dict[str, Any]]:
    # Stepped by hand, as `run_now` does: the execution must not give way to a loop.
    engine = Engine(
        clock=VirtualClock(start=1_700_000_000.0), options=EngineOptions(gives_way=False)
    )
    coro = engine.start(Definition.parse(PASS_ON), execution_id="e", **start)
    try:
        coro.send(None)
    except StopIteration as stop:
        return list(stop.value.history)
    raise AssertionError("suspended")


def _texts(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    for event in events:
        for key, details in event.items():
            if key.endswith("EventDetails"):
                for field in ("input", "output"):
                    if field in details:
                        found.append((event["type"], details[field]))
    return found


def test_history_texts_with_the_engine_s_input_text() -> None:
    texts = _texts(_run(input={"n": 1, "s": "é"}))
    compact = '{"n":1,"s":"é"}'
    assert texts == [
        ("ExecutionStarted", compact),
        ("PassStateEntered", compact),
        ("PassStateExited", compact),
        ("SucceedStateEntered", compact),
        ("SucceedStateExited", compact),
        ("ExecutionSucceeded", compact),
    ]


def test_history_texts_with_the_caller_s_input_text() -> None:
    sent = '{ "n" : 1,\n  "s": "é" }'
    texts = _texts(_run(input_text=sent))
    compact = '{"n":1,"s":"é"}'
    assert texts == [
        ("ExecutionStarted", sent),
        ("PassStateEntered", sent),  # as sent, as on AWS
        ("PassStateExited", compact),  # the caller's text is not reused as an output
        ("SucceedStateEntered", compact),
        ("SucceedStateExited", compact),
        ("ExecutionSucceeded", compact),
    ]


def test_execution_output_text_is_the_last_state_s() -> None:
    result = run_execution(
        {
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Result": {"b": [1.5, None]}, "End": True}},
        },
        {"a": 1},
    )
    exited = next(e for e in result.history if e["type"] == "PassStateExited")
    succeeded = result.history[-1]
    assert succeeded["type"] == "ExecutionSucceeded"
    output = succeeded["executionSucceededEventDetails"]["output"]
    assert output == exited["stateExitedEventDetails"]["output"] == '{"b":[1.5,null]}'


def test_seeded_jitter_is_built_on_first_use_with_the_same_sequence() -> None:
    retrier = Retrier(("States.ALL",), interval_seconds=10, jitter_strategy="FULL")
    expected = backoff_seconds(retrier, 2, random.Random(42))
    engine = Engine(clock=VirtualClock(), options=EngineOptions(seed=42))
    definition = Definition.parse({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}})
    info = ExecutionInfo("x", "x", "m", "STANDARD", 0.0, {}, "{}")
    execution = engine._execution(definition, info)
    assert "rng" not in vars(execution)
    assert backoff_seconds(retrier, 2, execution.rng) == expected
    assert execution.rng is execution.rng
