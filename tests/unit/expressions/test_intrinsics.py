"""States.* intrinsic functions, with the behaviour AWS shows in the conformance corpus."""

from __future__ import annotations

import re
from typing import Any

import pytest

from automations.expressions import (
    IntrinsicFailure,
    IntrinsicSyntaxError,
    JsonPathNotFound,
    evaluate_intrinsic,
    is_intrinsic,
)

INPUT = {"obj": {"Arg1": 1, "Arg2": []}, "num": 1.1, "list": [1, 2, 2, 3], "text": "a,b,,c"}


def call(text: str, data: Any = INPUT, context: Any = None, variables: Any = None) -> Any:
    return evaluate_intrinsic(text, data, context, variables)


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("States.Format('x={} y={}', $.obj, $.num)", "x={Arg1=1, Arg2=[]} y=1.1"),
        ("States.Format('\\{\\} and {}', 'it')", "{} and it"),
        ("States.Format('{}', null)", "null"),
        ("States.StringToJson('{\"a\": [1]}')", {"a": [1]}),
        ("States.StringToJson(' ')", None),
        ("States.JsonToString($.obj)", '{"Arg1":1,"Arg2":[]}'),
        ("States.Array(1, 'a', $.num)", [1, "a", 1.1]),
        ("States.Array()", []),
        ("States.ArrayPartition($.list, 3)", [[1, 2, 2], [3]]),
        ("States.ArrayContains($.list, 3)", True),
        ("States.ArrayContains(States.Array(true), 1)", False),
        ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
        ("States.ArrayGetItem($.list, 3)", 3),
        ("States.ArrayLength($.list)", 4),
        ("States.ArrayUnique($.list)", [1, 2, 3]),
        ("States.Base64Encode('Data to encode')", "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "Data to encode"),
        ("States.Hash('input data', 'SHA-1')", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        (
            "States.JsonMerge($.obj, States.StringToJson('{\"Arg1\": 2}'), false)",
            {"Arg1": 2, "Arg2": []},
        ),
        ("States.MathAdd(1.5, 1.51)", 4),
        ("States.MathAdd(-1.5, 0)", -1),
        ("States.StringSplit($.text, ',')", ["a", "b", "c"]),
        ("States.StringSplit('a.b+c', '.+')", ["a", "b", "c"]),
        ("States.ArrayGetItem(States.StringSplit($$.Name, '-'), 1)", "b"),
        ("States.Format('{}', $v)", "7"),
    ],
)
def test_functions(text: str, result: Any) -> None:
    assert call(text, context={"Name": "a-b"}, variables={"v": 7}) == result


def test_random_stays_in_range_and_repeats_with_a_seed() -> None:
    assert 10 <= call("States.MathRandom(10, 20)") < 20
    assert call("States.MathRandom(0, 1000, 7)") == call("States.MathRandom(0, 1000, 7)")


def test_uuid() -> None:
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", call("States.UUID()")
    )


@pytest.mark.parametrize(
    "text",
    [
        "States.ArrayLength($.obj)",
        "States.ArrayGetItem($.list, 10)",
        "States.Format('{} {}', 1)",
        "States.JsonMerge($.obj, $.obj, true)",
        "States.Hash('x', 'CRC32')",
        "States.Nope(1)",
    ],
)
def test_misuse_is_an_intrinsic_failure(text: str) -> None:
    with pytest.raises(IntrinsicFailure):
        call(text)


def test_a_missing_path_argument_is_reported_as_such() -> None:
    with pytest.raises(JsonPathNotFound):
        call("States.ArrayLength($.nothing)")


def test_syntax() -> None:
    assert is_intrinsic("States.Array()")
    assert not is_intrinsic("$.a")
    with pytest.raises(IntrinsicSyntaxError):
        call("States.Format('unterminated)")
    with pytest.raises(IntrinsicSyntaxError):
        call("States.Array(1) tail")
