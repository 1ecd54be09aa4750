"""The depth checks: the text scan agrees with the depth of the value the text holds, whatever
its strings hold; the value walk names the way past the limit; neither recurses."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from automations.json_depth import (
    JSON_DEPTH_CEILING,
    json_path,
    text_depth_over,
    too_deep_message,
    value_depth_over,
)
from automations.model.process import EventRef, ProcessRecord

# Characters that could fool a scan: brackets, quotes and backslashes inside strings.
TRICKY = ["[", "]", "{", "}", '"', "\\", "\\\\", '\\"', "ё", "\n", "a", "\u2028", "\ud800"]


def depth_of(value: Any) -> int:
    """The reference: how many containers deep a value nests (recursive, for small values)."""
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


def random_value(rng: random.Random, levels: int) -> Any:
    if levels == 0 or rng.random() < 0.2:
        return rng.choice([1, None, True, "".join(rng.choices(TRICKY, k=rng.randint(0, 6)))])
    children = [random_value(rng, levels - 1) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.5:
        return children
    return {
        "".join(rng.choices(TRICKY, k=rng.randint(0, 4))) + str(i): c
        for i, c in enumerate(children)
    }


def test_the_scan_measures_what_json_holds_whatever_its_strings_hold() -> None:
    rng = random.Random(12)
    checked = 0
    for _ in range(3000):
        value = random_value(rng, rng.randint(0, 12))
        depth = depth_of(value)
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
        for limit in (0, 1, depth - 1, depth, depth + 1):
            if limit < 0:
                continue
            expected = depth if depth > limit else None
            assert text_depth_over(text, limit) == expected, (text, limit)
            assert text_depth_over(text.encode("utf-8", "surrogatepass"), limit) == expected
            checked += 1
    assert checked > 10_000


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('["]]]]", [[]]]', 3),  # closers in a string do not end anything
        ('["[[[[", 1]', 1),  # nor do openers in one open anything
        ('["\\\\", [[]]]', 3),  # an escaped backslash ends before the quote
        ('["\\"[[[[", 1]', 1),  # an escaped quote does not end the string
        ('["\\\\\\"[[[[", 1]', 1),  # three backslashes: one pair, then an escaped quote
        ("[" * 100_000 + "]" * 100_000, 100_000),
        ("[" * 500, 500),  # cut short: as deep as a parser would get
        ('[[[["' + "[" * 500, 4),  # a string that never ends holds no nesting
        ('[[\\"' + "[" * 100, 102),  # a stray backslash outside strings hides nothing
        ('"' + '\\"' * 10_000 + "[" * 100, 0),  # all one unterminated string
    ],
)
def test_the_scan_of_tricky_and_broken_texts(text: str, depth: int) -> None:
    assert text_depth_over(text, 0) == (depth or None)
    assert text_depth_over(text, depth) is None


def test_text_with_no_more_brackets_than_the_limit_passes_at_once() -> None:
    # (not parsed: that is what makes the usual small body cost nothing)
    assert text_depth_over("{not json at all [", 2) is None
    assert text_depth_over(b"", 0) is None


def test_the_walk_names_the_way_to_the_first_container_past_the_limit() -> None:
    deep: Any = 0
    for _ in range(100_000):
        deep = {"a": deep}
    # Levels: the object 1, each list 2, `long[0]` 3 and one more per "a"; `short` ends at 5.
    value = {"flat": [1, 2], "long": [deep], "short": [[[[]]]]}

    assert value_depth_over(value, 100_002) is None
    assert value_depth_over(value, 100_001) == ["long", 0] + ["a"] * 99_999
    assert value_depth_over(value, 4) == ["long", 0, "a", "a"]  # (`short` gets there later)
    assert value_depth_over({"s": [[[[[]]]]]}, 5) == ["s", 0, 0, 0, 0]
    assert value_depth_over([], 0) == []
    assert value_depth_over("text", 0) is None
    assert value_depth_over([[1], 2], 2) is None


def test_paths_are_short_and_readable() -> None:
    assert json_path(["order", "items", 0]) == "$.order.items[0]"
    assert json_path(["a b", 'q"', "é"], "$v") == '$v["a b"]["q\\""]["é"]'
    assert json_path(["a"] * 64, "$deep") == "$deep.a.a.a.a.a.a…"
    assert json_path(["k" * 100]) == '$["' + "k" * 40 + '…"]'


def test_the_message_names_the_limit_and_its_setting() -> None:
    assert too_deep_message("the JSON body", 64, "1000 levels") == (
        "the JSON body nests deeper than the 64 levels allowed "
        "(1000 levels; AUTOMATIONS_MAX_JSON_DEPTH)"
    )


def test_a_record_holding_a_value_at_the_ceiling_reads_back() -> None:
    value: Any = 1
    for _ in range(JSON_DEPTH_CEILING):
        value = [value]
    process = ProcessRecord(
        id="p",
        scenario_id="s",
        scenario_version=1,
        event=EventRef(id="e", type="$manual"),
        input={"v": value},
        output={"v": value},
        queued_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    assert ProcessRecord.model_validate_json(process.model_dump_json()) == process
