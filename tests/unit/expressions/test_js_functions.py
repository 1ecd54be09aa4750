"""The functions written after jsonata 2.0.6 (`js_pow`, `js_integers`, `js_format_number`),
without Node: values Node gives (noted from it), and the promise that bad input gets a value or
a JSONata error with a code, never a Python exception."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automations.expressions import evaluate_jsonata
from automations.expressions.errors import JsonataEvaluationError
from automations.expressions.js_pow import pow as js_pow

# Math.pow in Node 20 (V8's fdlibm), where Python's math.pow answers otherwise or raises.
NODE_POW: list[tuple[float, float, float]] = [
    (5, -5, 0.00031999999999999997),
    (2.5, 2.5, 9.882117688026185),
    (0.5, -2.5, 5.65685424949238),
    (10, -5, 0.000009999999999999999),
    (23, 32, 3.7608910510519074e43),
    (-6.851419979257078e16, 6, 1.0343881548980658e101),
    (2, -1074, 5e-324),
    (2, -1075, 0.0),
    (2, 0.5, 1.4142135623730951),
    (-8, 3, -512.0),
    (10, 400, math.inf),
    (0, -1, math.inf),
    (-0.0, -1, -math.inf),
]


@pytest.mark.parametrize(("x", "y", "node"), NODE_POW)
def test_pow_is_nodes_math_pow(x: float, y: float, node: float) -> None:
    result = js_pow(x, y)
    assert result == node
    assert math.copysign(1, result) == math.copysign(1, node)


@pytest.mark.parametrize(("x", "y"), [(1, math.inf), (-1, -math.inf), (-8, 1 / 3), (-2, 0.5)])
def test_pow_is_nan_where_javascript_says_nan(x: float, y: float) -> None:
    assert math.isnan(js_pow(x, y))


# jsonata 2.0.6 under Node (tests/conformance compares the same and more with the original).
NODE_VALUES: list[tuple[str, Any]] = [
    ("$formatInteger(-1.1, 'a')", "-b"),  # floored, not truncated
    ("$formatInteger(-974920.6, '000')", "-974921"),
    ("$formatInteger(1e21, '1;o')", "1e+21st"),
    ("$formatInteger(5, '0;')", "5"),
    ("$parseInteger('1e3', '0')", 1),  # parseInt reads the digits it can
    ("$parseInteger(' 0x1F', '0')", 31),
    ("$formatBase(1e21)", "1e+21"),
    ("$formatBase(255, 1.6)", "11111111"),  # the radix rounded
    ("$formatNumber(1e-7, '0.0e0')", "1.0e-7"),
    ("$formatNumber(-0.4, '0')", "-0"),
    ("$split('a b c', ' ', 1.5)", ["a"]),
    ("$split('a b c', / /, 1.5)", ["a", "b"]),
    ("$pad('', -1e-300)", ""),
]


@pytest.mark.parametrize(("expression", "node"), NODE_VALUES)
def test_functions_give_what_jsonata_gives(expression: str, node: Any) -> None:
    assert evaluate_jsonata(expression, None) == node


NODE_ERRORS: list[tuple[str, str]] = [
    ("$formatInteger(0, '')", "D3130"),
    ("$parseInteger('12', '')", "D3130"),
    ("$formatInteger(1, '0٠')", "D3131"),
    ("$parseInteger('', '0')", "D1001"),  # NaN
    ("$split('a', ' ', -1e-300)", "D3020"),
    ("$formatNumber(1, '0;0;0')", "D3080"),
    ("$formatNumber(1, '0.0.0')", "D3081"),
]


@pytest.mark.parametrize(("expression", "code"), NODE_ERRORS)
def test_functions_fail_with_jsonatas_code(expression: str, code: str) -> None:
    with pytest.raises(JsonataEvaluationError) as caught:
        evaluate_jsonata(expression, None)
    assert caught.value.code == code


def _call(name: str, *arguments: Any) -> str:
    return f"${name}({', '.join(json.dumps(a, ensure_ascii=False) for a in arguments)})"


_PYTHON_ERROR = re.compile(r"[A-Z][A-Za-z]*(Error|Exception): ")
_PICTURE_TEXT = st.text(alphabet="0#,.;eIiAaWw%‰ o1٠x😀", max_size=7) | st.text(max_size=4)
_NUMBER = st.integers(-(10**6), 10**6) | st.floats(-1e15, 1e15, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(["formatInteger", "parseInteger", "formatNumber"]),
    number=_NUMBER,
    text=st.text(max_size=6),
    picture=_PICTURE_TEXT,
)
def test_pictures_answer_with_a_value_or_a_coded_error(
    name: str, number: float, text: str, picture: str
) -> None:
    if name == "formatNumber" and number <= 0 and "e" in picture:
        number = abs(number) + 1  # (jsonata never answers there: docs/parity.md)
    expression = _call(name, text if name == "parseInteger" else number, picture)
    try:
        evaluate_jsonata(expression, None)
    except JsonataEvaluationError as err:
        # a coded error, or one of jsonata's host's (a RangeError there), never Python's own
        assert not _PYTHON_ERROR.match(err.message), f"{expression}: {err.message}"
