"""The JSONata fast path gives jsonata-python's result exactly, or bails out.

Differential: every expression of the example state machines plus tricky ones, against many
generated variable environments; the fast closure must return the library's value (same types,
int vs float, null vs UNDEFINED) or raise `Unsupported`. Where the library fails, it must bail.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automations.expressions import UNDEFINED, JsonataEvaluationError, compile_jsonata
from automations.expressions.errors import Unsupported
from automations.expressions.fast import fast_evaluator
from automations.expressions.free_vars import free_variables
from support.json_values import same_json

ROOT = Path(__file__).resolve().parents[3]
_EXPRESSION = re.compile(r"^\s*\{%(.*)%\}\s*$", re.S)


def _example_expressions() -> list[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            match = _EXPRESSION.match(value)
            if match:
                found.add(match.group(1).strip())
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted((ROOT / "statemachines" / "examples").glob("*.asl.json")):
        walk(json.loads(path.read_text()))
    return sorted(found)


EXAMPLES = _example_expressions()

TRICKY = [
    # the compiler's null guard, alone, after bindings, nested, and with the name read outside
    "($__value := $x.a; $exists($__value) ? $__value : null)",
    "($a := $x; $__value := $a.b * 2; $exists($__value) ? $__value : null)",
    "($__value := ($__value := $l[0]; $exists($__value) ? $__value : null); $exists($__value) ? $__value : 0)",
    "($__value := $y; $exists($__value) ? $__value : null) & $__value",
    "1",
    "1.5",
    "-1",
    "-$a",
    "-$x.a",
    "'approved'",
    "true",
    "false",
    "null",
    "$a",
    "$nope",
    "$exists($nope)",
    "$exists($a)",
    "$exists($x.a)",
    "$exists($x.a.b)",
    "$exists($x.l[0])",
    "$x",
    "$x.a",
    "$x.a.b",
    "$x.l",
    "$x.l[0]",
    "$x.l[-1]",
    "$x.l[3]",
    "$x.l[0].a",
    "$l",
    "$l[0]",
    "$l[1].a",
    "$l[-1]",
    "$l.a",
    "$x.n",
    "$x.n.a",
    "$exists($x.a) ? $x.a : null",
    "$a ? 1 : 2",
    "$a ? 1",
    "$a = $b",
    "$a != $b",
    "$a = null",
    "$x.a = $x.b",
    "$a < $b",
    "$a <= $b",
    "$a > $b",
    "$a >= $b",
    "$a < 1",
    "$a + $b",
    "$a - $b",
    "$a * $b",
    "$a / $b",
    "$a + 1",
    "$nope + 1",
    "0.1 + 0.2",
    "1200 * 0.1",
    "6 / 2",
    "7 / 2",
    "1 / 3",
    "$a * 0.1",
    "9007199254740993 + 0",
    "'a' & 'b'",
    "'a' & $a",
    "$a & $b",
    "$nope & 'x'",
    "'n=' & 1",
    "'n=' & 1.5",
    "$string($a)",
    "$string($nope)",
    "$not($a)",
    "$a and $b",
    "$a or $b",
    "false and $nope",
    "true or $nope",
    "$not($exists($x.a)) and $not($exists($x.b))",
    "{'a': $a, 'b': $nope, 'c': $x.a}",
    "{'a': $l}",
    "{'a': 1, 'a': 2}",
    "[$a, $nope, $b]",
    "[$l]",
    "[[1], $a]",
    "$merge([$x, {'a': $a}])",
    "$merge([$x, $y])",
    "$merge($x)",
    "$merge([])",
    "$merge($nope)",
    "($a := 1; $a)",
    "($a := $a + 1; $a)",
    "($a := $nope; $a)",
    "($a := null; $a)",
    "($a := 1; ($a := 2; $a) + $a)",
    "($a := 1; ($a := 2); $a)",
    "$a := 5",
    "($r := $l; $r[0].a)",
    "($r := $x; $r.a & '')",
    "($t := $a; $t > 100 ? 'big' : 'small')",
    "$exists := 1",
    "($exists := 1; $exists($a))",
    "$number($a)",
    "$number($x.a)",
    "$number($nope)",
    "$number('12')",
    "$number('-0.5e3')",
    "$number('007')",
    "$number('0x1F')",
    "$number(' 3')",
    "$number('1e400')",
    "$number(true)",
    "$number(null)",
    "$exists($a) ? $number($a) : 1",
    "$number($a) * 2",
    "$count($l)",
    "$count($nope)",
    "$count($x.l)",
    "$sum($l)",
    "$sum($x.l)",
    "$sum($nope)",
    "($s := $sum($l); $s - $s * $a / 100 + $b)",
    "'t: ' & $string($sum($l) * 1.1)",
    "$string(1/3)",
    "$string(1e21)",
    "$string(123456789012345678)",
    "$string(null)",
    "$string(true)",
    "'x' & null",
    "'x' & 2.50",
    "'x' & $x",
    "$x.*",
    "$x[0]",
    "$x.a[0]",
    "$l[$a]",
    "$string",
    "$states.input",
    "$states.input.a",
    "$states.result.Payload",
    "$states.context.Execution.Input",
]

ALL = sorted(set(EXAMPLES) | set(TRICKY))
KEYS = ["a", "b", "l", "n", "x", "y", "Payload", "Input", "value", "total", "email", "id"]


def _names(text: str) -> list[str]:
    return sorted(set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)))


def _scalar(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            True,
            False,
            0,
            1,
            -3,
            100,
            1200,
            0.1,
            2.5,
            3.0,
            1e300,
            2**53 + 1,
            2**60,
            -(2**53) - 3,
            "",
            "a",
            "approved",
            "x@y.z",
            "1",
        ]
    )


def _value(rng: random.Random, keys: list[str], depth: int = 0) -> Any:
    roll = rng.random()
    if depth >= 3 or roll < 0.45:
        return _scalar(rng)
    if roll < 0.6:
        return [_value(rng, keys, depth + 1) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
    return {
        key: _value(rng, keys, depth + 1)
        for key in rng.sample(keys, k=min(len(keys), rng.randint(0, 5)))
    }


def _environment(rng: random.Random, text: str) -> dict[str, Any]:
    keys = sorted(set(_names(text)) | set(KEYS))
    env: dict[str, Any] = {}
    for name in sorted(free_variables(text) | {"a", "b", "l", "x", "y"}):
        if rng.random() < 0.85:
            env[name] = _value(rng, keys)
    states: dict[str, Any] = {}
    for part in ("input", "result", "context"):
        if rng.random() < 0.9:
            states[part] = _value(rng, keys)
    if rng.random() < 0.3:
        states["input"] = {key: _value(rng, keys) for key in keys}
    env["states"] = states
    return env


def _check(text: str, env: dict[str, Any]) -> bool:
    """Assert agreement; True when the fast path answered."""
    fast = fast_evaluator(text)
    if fast is None:
        return False
    try:
        expected: Any = compile_jsonata(text).evaluate(None, env)
        failed = False
    except JsonataEvaluationError as err:
        expected, failed = err, True
    before = json.dumps(env, sort_keys=True)
    try:
        got = fast(dict(env))
    except Unsupported:
        return False
    finally:
        assert json.dumps(env, sort_keys=True) == before, "the fast path changed its input"
    assert not failed, f"{text!r} with {env!r}: library failed ({expected}), fast gave {got!r}"
    assert same_json(got, expected), f"{text!r} with {env!r}: fast {got!r} != library {expected!r}"
    return True


@pytest.mark.parametrize("text", ALL)
def test_fast_path_matches_the_library(text: str) -> None:
    rng = random.Random(text)
    for _ in range(150):
        _check(text, _environment(rng, text))


def test_fast_path_covers_the_example_expressions() -> None:
    compiled = [text for text in EXAMPLES if fast_evaluator(text) is not None]
    assert len(compiled) >= len(EXAMPLES) * 0.75, sorted(set(EXAMPLES) - set(compiled))
    answered = 0
    total = 0
    rng = random.Random(1)
    for text in compiled:
        for _ in range(20):
            total += 1
            answered += _check(text, _environment(rng, text))
    assert answered > total * 0.3


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("$states.input", {"states": {"input": {"a": 1.0}}}, {"a": 1}),
        ("$exists($x.a) ? $x.a : null", {"x": {}}, None),
        ("$x.a", {"x": {}}, UNDEFINED),
        ("{'a': $x.a, 'b': 1}", {"x": {}}, {"b": 1}),
        ("0.1 + 0.2", {}, 0.30000000000000004),
        ("6 / 2", {}, 3),
        ("($r := $l; $r[0].a)", {"l": [{"a": "n"}]}, "n"),
        ("($a := 1; ($a := 2; $a) + $a)", {}, 3),
        ("'Order ' & $o.id", {"o": {"id": 7}}, "Order 7"),
        ("$merge([$x, {'b': 2}])", {"x": {"a": 1, "b": 1}}, {"a": 1, "b": 2}),
        # the compiler's null guard on an author's output (compiler/jsonata_text.py `or_null`)
        ("($__value := $x.a; $exists($__value) ? $__value : null)", {"x": {}}, None),
        ("($__value := $x.a; $exists($__value) ? $__value : null)", {"x": {"a": 2.0}}, 2),
        ("($b := $x.a; $__value := $b + 1; $exists($__value) ? $__value : null)", {"x": {}}, None),
        ("($__value := 5; ($__value := $y; $exists($__value) ? $__value : null))", {}, None),
    ],
)
def test_fast_path_answers_the_everyday_cases(
    text: str, env: dict[str, Any], expected: Any
) -> None:
    fast = fast_evaluator(text)
    assert fast is not None
    assert same_json(fast(env), expected)


@pytest.mark.parametrize("text", ["$x.*", "$l[$a]", "{'a': 1, 'a': 2}"])
def test_syntax_outside_the_subset_has_no_fast_path(text: str) -> None:
    assert fast_evaluator(text) is None


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # (named: hypothesis checks `extend` by its source, which it cannot always find for a lambda)
    return st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(KEYS), children, max_size=4
    )


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "a", "b", "1"]),
    _containers,
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.sampled_from(TRICKY),
    env=st.dictionaries(st.sampled_from(["a", "b", "l", "x", "y", "o", "states"]), _json),
)
def test_fast_path_matches_the_library_on_generated_values(text: str, env: dict[str, Any]) -> None:
    _check(text, env)
