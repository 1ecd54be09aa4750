"""JSONata evaluation: null versus undefined, Step Functions' functions, time limit, errors."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest

from automations.expressions import (
    UNDEFINED,
    JsonataEvaluationError,
    JsonataSyntaxError,
    JsonataTimeout,
    JsonataUnsupportedResult,
    compile_jsonata,
    evaluate_jsonata,
    expression_text,
    is_expression,
    parse_jsonata,
)


def ev(text: str, data: Any = None, variables: dict[str, Any] | None = None) -> Any:
    return evaluate_jsonata(text, data, variables)


def test_compiled_expressions_are_cached_by_text() -> None:
    assert compile_jsonata("1 + 2") is compile_jsonata("1 + 2")
    assert ev("1 + 2") == 3


def test_null_and_undefined_stay_apart() -> None:
    assert ev("$nothing") is UNDEFINED
    assert ev("null") is None
    assert ev("a", {"a": None}) is None
    assert ev("$x", None, {"x": None}) is None
    assert ev("$x.a", None, {"x": {"a": None}}) is None
    assert ev("[1, null]") == [1, None]
    assert ev('{"a": null}') == {"a": None}


def test_results_are_plain_json() -> None:
    result = ev("[1, 2].($ * 2)")
    assert result == [2, 4]
    assert type(result) is list
    assert ev("6 / 2") == 3
    assert isinstance(ev("6 / 2"), int)
    assert ev("$states.input", None, {"states": {"input": {"k": [1]}}}) == {"k": [1]}


def test_partition_returns_plain_arrays() -> None:
    assert ev("$partition([1, 2, 3, 4, 5], 2)") == [[1, 2], [3, 4], [5]]
    assert ev("$partition([0], 1)") == [[0]]


def test_range_is_a_sequence_so_one_item_collapses_as_on_aws() -> None:
    assert ev("$range(0, 10, 3)") == [0, 3, 6, 9]
    assert ev("$range(1, 9, 9)") == 1
    assert ev("$range(5, 1, -2)") == [5, 3, 1]


def test_hash_matches_the_intrinsic() -> None:
    assert ev("$hash('input data', 'MD5')") == "812f45842bc6d66ee14572ce20db8e86"
    assert ev("$hash('input data', 'SHA-256')").startswith("b4a697a0")
    with pytest.raises(JsonataEvaluationError, match=r"\$hash"):
        ev("$hash('x', 'SHA-3')")


def test_random_with_a_seed_repeats() -> None:
    assert ev("$random(42)") == ev("$random(42)")
    assert 0 <= ev("$random()") < 1


def test_uuid_is_version_4() -> None:
    assert re.fullmatch(r"[0-9a-f-]{36}", ev("$uuid()"))
    assert ev("$uuid()")[14] == "4"


def test_parse_reads_json_text() -> None:
    assert ev("$parse('-0')") == 0
    assert ev("$parse('[1, 2, \"a\"]')") == [1, 2, "a"]
    assert ev("$parse('{\"a\": null}')") == {"a": None}
    assert ev("$parse('null')") is None
    with pytest.raises(JsonataEvaluationError, match="not JSON"):
        ev("$parse('{nope')")


def test_syntax_errors_carry_code_message_and_position() -> None:
    with pytest.raises(JsonataSyntaxError) as raised:
        parse_jsonata("$a + (")
    assert raised.value.code.startswith("S0")
    assert raised.value.position > 0
    assert raised.value.message


def test_runtime_errors_are_typed() -> None:
    with pytest.raises(JsonataEvaluationError) as raised:
        ev("'a' + 1")
    assert raised.value.code == "T2001"
    with pytest.raises(JsonataEvaluationError):
        ev("1 / 0")


def test_a_function_is_not_a_result() -> None:
    with pytest.raises(JsonataUnsupportedResult):
        ev("function($x) { $x }")


def test_a_runaway_expression_stops_at_its_time_limit() -> None:
    loop = compile_jsonata("($f := function($n) { $n > 0 ? $f($n - 1) : 0 }; $f(100000000))")
    started = time.monotonic()
    with pytest.raises(JsonataTimeout):
        loop.evaluate(None, timeout=0.05)
    assert time.monotonic() - started < 2


def test_the_time_limit_counts_from_each_evaluation_not_from_compiling() -> None:
    expression = compile_jsonata("$sum([1..1000])")
    time.sleep(0.06)
    assert expression.evaluate(None, timeout=0.05) == 500500


def test_now_follows_the_given_clock() -> None:
    assert compile_jsonata("$millis()").evaluate(None, now_ms=1234) == 1234
    assert compile_jsonata("$now()").evaluate(None, now_ms=0) == "1970-01-01T00:00:00.000Z"


def test_evaluations_from_several_threads_do_not_mix() -> None:
    expression = compile_jsonata("$x * 2")
    results: dict[int, Any] = {}

    def work(n: int) -> None:
        results[n] = [expression.evaluate(None, {"x": n}) for _ in range(200)]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(values == [n * 2] * 200 for n, values in results.items())


def test_whole_string_convention() -> None:
    assert is_expression("{% $a %}")
    assert not is_expression(" {% $a %}")
    assert not is_expression("{% $a")
    assert not is_expression(1)
    assert expression_text("{%  $a + 1 %}") == "$a + 1"
    with pytest.raises(ValueError):
        expression_text("plain")


def test_calling_a_non_function_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    from automations.expressions import JsonataEvaluationError, compile_jsonata

    with pytest.raises(JsonataEvaluationError):
        compile_jsonata("($f := 1; $f())").evaluate({})
    assert capsys.readouterr().out == ""
