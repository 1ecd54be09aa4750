"""JSONPath with Jayway's rules: definite paths select one value or fail, others give lists."""

from __future__ import annotations

from typing import Any

import pytest

from automations.expressions import JsonPathNotFound, JsonPathSyntaxError, compile_path

DOC: dict[str, Any] = {
    "users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1, "tag": "x"}],
    "items": [{"v": 1}, {"v": 2}, {"w": 3}],
    "nested": {"a": {"b": {"c": 5}}},
    "input-value": 7,
    'odd\\""key"': "found",
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$", DOC),
        ("$.nested.a.b.c", 5),
        ("$['nested']['a']", {"b": {"c": 5}}),
        ("$.items[0]", {"v": 1}),
        ("$.items[-1]", {"w": 3}),
        ("$.input-value", 7),
        ('$[\'odd\\""key"\']', "found"),
    ],
)
def test_definite_paths_select_one_value(path: str, value: Any) -> None:
    compiled = compile_path(path)
    assert compiled.definite
    assert compiled.select(DOC) == value


@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("$.items[*].v", [1, 2]),
        ("$.items[1:]", [{"v": 2}, {"w": 3}]),
        ("$.items[:1]", [{"v": 1}]),
        ("$.items[0,2]", [{"v": 1}, {"w": 3}]),
        ("$..c", [5]),
        ("$.users[?(@.status == 0)]", [{"year": 1997, "status": 0}]),
        ("$.users[?(@.year > 1997 && @.tag)].year", [1998]),
        ("$.users[?(@.year in [1997])].status", [0]),
        ("$.users[?(@.tag =~ /x/)].year", [1998]),
        ("$.missing[*]", []),
        ("$.missing[1:5].v", []),
    ],
)
def test_indefinite_paths_give_lists(path: str, values: list[Any]) -> None:
    compiled = compile_path(path)
    assert not compiled.definite
    assert compiled.select(DOC) == values


def test_a_definite_path_that_selects_nothing_fails() -> None:
    with pytest.raises(JsonPathNotFound):
        compile_path("$.nested.x").select(DOC)
    with pytest.raises(JsonPathNotFound):
        compile_path("$.items[9]").select(DOC)


def test_canonical_form_is_jaywayʼs() -> None:
    assert compile_path("$.a.b[0]").canonical() == "$['a']['b'][0]"


def test_roots_input_context_and_variables() -> None:
    assert compile_path("$.a").evaluate({"a": 1}) == 1
    assert compile_path("$$.State.Name").evaluate({}, {"State": {"Name": "S"}}) == "S"
    assert compile_path("$total").evaluate({}, None, {"total": 3}) == 3
    assert compile_path("$order.items[1]").evaluate({}, None, {"order": {"items": [5, 6]}}) == 6
    with pytest.raises(JsonPathNotFound):
        compile_path("$unknown").evaluate({}, None, {})


def test_bad_paths_do_not_parse() -> None:
    for bad in ("a.b", "$.a[", "$..", "$.a[x]"):
        with pytest.raises(JsonPathSyntaxError):
            compile_path(bad)
