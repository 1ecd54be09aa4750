"""free_variables: the `$names` an expression reads and does not bind itself."""

from __future__ import annotations

import pytest

from automations.expressions import JsonataSyntaxError, free_variables


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("$order.total > 1000", {"order"}),
        ("$states.input.x", set()),
        ("$sum($items.price) * $rate", {"items", "rate"}),
        ("($a := 1; $b + $a)", {"b"}),
        ("($a; $a := 1)", {"a"}),  # read before it is bound: the outer one
        ("function($x) { $x + $y }", {"y"}),
        ("items@$o#$i.[$o, $i, $z]", {"z"}),
        ("$x ~> $map(function($v) { $v + $w })", {"x", "w"}),
        ("a ? $b : $c", {"b", "c"}),
        ("x[$p > 1]{$k: $v}", {"k", "p", "v"}),
        ("$$.a + $", set()),
        ("$partition($list, 2)", {"list"}),
        ("$x ~> | $ | {'a': $y} |", {"x", "y"}),
    ],
)
def test_free_variables(text: str, names: set[str]) -> None:
    assert free_variables(text) == names


def test_a_malformed_expression_is_reported() -> None:
    with pytest.raises(JsonataSyntaxError):
        free_variables("$a +")
