"""Values an expression builds stay within the limits of a value, whatever it does."""

from __future__ import annotations

import pytest

from automations.expressions import evaluate_jsonata
from automations.expressions.errors import JsonataEvaluationError, JsonataTimeout
from automations.expressions.jsonata_limits import MAX_ITEMS, MAX_TEXT_CHARS

DOUBLE = "($f := function($v, $n){ $n = 0 ? $v : $f(%s, $n - 1)}; %s)"


def failure(expression: str) -> JsonataEvaluationError:
    # No time limit: on a busy machine the time limit could come first, and it is the size
    # limit that is tested here.
    with pytest.raises(JsonataEvaluationError) as caught:
        evaluate_jsonata(expression, None, timeout=None)
    return caught.value


@pytest.mark.parametrize(
    "expression",
    [
        '$pad("x", 100000000)',
        '$pad("x", -100000000)',
        DOUBLE % ("$v & $v", '$length($f("x", 40))'),
        DOUBLE % ('$join([$v, $v], "")', '$length($f("x", 40))'),
    ],
)
def test_texts_stop_at_the_text_limit(expression: str) -> None:
    error = failure(expression)
    assert error.code == "L1001"
    assert f"{MAX_TEXT_CHARS:,} characters" in error.message


@pytest.mark.parametrize(
    "expression",
    [
        DOUBLE % ("[$v, $v]", "$count($f([1], 40))"),
        DOUBLE % ("$append($v, $v)", "$count($f([1], 40))"),
    ],
)
def test_arrays_stop_at_the_array_limit(expression: str) -> None:
    error = failure(expression)
    assert error.code == "L1002"
    assert f"{MAX_ITEMS:,} items" in error.message


def test_a_value_sharing_its_parts_cannot_be_written_out_past_the_limit() -> None:
    # 2^40 leaves as text, a few dozen objects in memory
    expression = DOUBLE % ('{"a": $v, "b": $v}', "$length($string($f(1, 40)))")
    with pytest.raises((JsonataEvaluationError, JsonataTimeout)) as caught:
        evaluate_jsonata(expression, None)
    assert caught.value.code in ("L1001", "D1012")


def test_the_range_operator_names_the_limit_it_checks() -> None:
    error = failure("[1..100000000]")
    assert error.code == "D2014"
    assert "1e7" in error.message
    assert evaluate_jsonata("$count([1..1000])", None) == 1000


def test_values_within_the_limits_are_untouched() -> None:
    assert evaluate_jsonata('$pad("ab", 5, "-")', None) == "ab---"
    assert evaluate_jsonata('$pad("ab", -5)', None) == "   ab"
    assert evaluate_jsonata('"a" & 1 & true', None) == "a1true"
    assert evaluate_jsonata('$join(["a", "b"], ",")', None) == "a,b"
    assert evaluate_jsonata("$append([1], [2, 3])", None) == [1, 2, 3]
    assert evaluate_jsonata('$string({"a": [1, {"b": null}]})', None) == '{"a":[1,{"b":null}]}'
    assert evaluate_jsonata("[[1, 2], 3]", None) == [[1, 2], 3]


def test_quadratic_work_inside_a_built_in_ends_at_the_time_limit() -> None:
    with pytest.raises(JsonataTimeout) as caught:
        evaluate_jsonata("$count($distinct([1..30000]))", None, timeout=0.2)
    assert "time limit (0.2 s)" in caught.value.message
