"""Regular expressions in JSONata: the same answers as before, with a time limit."""

from __future__ import annotations

import re
from typing import Any

import pytest

from automations.expressions import evaluate_jsonata
from automations.expressions.errors import JsonataSyntaxError, JsonataTimeout, RegexTimedOut
from automations.expressions.overstay import bounded
from automations.expressions.regex_engine import compile_pattern

CATASTROPHIC = "a" * 40 + "!"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('$contains("ABC", /b/i)', True),
        ('$contains("line1\\nline2", /^line2$/m)', True),
        ('$match("ab12cd345", /\\d+/).match', ["12", "345"]),
        ('$match("k=v", /(\\w)=(\\w)/).groups', ["k", "v"]),
        ('$split("a1b22c", /\\d+/)', ["a", "b", "c"]),
        ('$replace("Hello World", /(\\w+)\\s(\\w+)/, "$2 $1")', "World Hello"),
        # a reference to a group the pattern lacks: jsonata drops a digit, as in JavaScript
        ('$replace("abcb", /(b)/, "[$12]")', "a[b2]c[b2]"),
        ('$replace("abcb", /(b)/, "[$1$2]")', "a[b]c[b]"),
        ('$replace("abc", /b/, function($m){ $uppercase($m.match) })', "aBc"),
        ('$contains("' + CATASTROPHIC + '", /^(a+)+$/)', False),  # `regex` sees through it
    ],
)
def test_answers_as_jsonata_gives_them(expression: str, expected: Any) -> None:
    assert evaluate_jsonata(expression, None) == expected


def test_catastrophic_backtracking_ends_at_the_expression_limit() -> None:
    with pytest.raises(JsonataTimeout) as caught:
        evaluate_jsonata('$contains("' + CATASTROPHIC + '", /^(a|aa)+$/)', None, timeout=0.2)
    assert caught.value.code == "D1012"
    assert "time limit (0.2 s)" in caught.value.message


def test_a_malformed_pattern_is_a_syntax_error_that_says_so() -> None:
    with pytest.raises(JsonataSyntaxError) as caught:
        evaluate_jsonata('$contains("x", /a{2,1}/)', None)
    assert "regular expression" in caught.value.message
    assert "error:" not in caught.value.message.lower()[:6]


def test_the_pattern_takes_the_time_left_to_the_bound_around_it() -> None:
    pattern = compile_pattern(r"^(a|aa)+$")

    class Bound(RegexTimedOut):
        """This test's bound."""

    with pytest.raises(Bound), bounded(0.1, Bound):
        pattern.search(CATASTROPHIC)


def test_a_missing_group_reference_reads_as_the_library_expects() -> None:
    pattern = compile_pattern("(b)")
    with pytest.raises(re.error, match=r"invalid group reference 12 at position \d+"):
        pattern.sub(r"\g<12>", "abc")
