"""`parse` refuses JSON text nesting deeper than the JSON depth limit before parsing it."""

from __future__ import annotations

import pytest

from automations.components.errors import ComponentFailed
from automations.components.parse import ParseInput, run
from automations.components.registry import ComponentContext


@pytest.mark.parametrize("levels", [65, 1000, 100_000])
def test_json_data_nesting_too_deep_is_invalid_data(levels: int) -> None:
    data = "[" * levels + "]" * levels
    with pytest.raises(ComponentFailed) as caught:
        run(ParseInput(data=data, query="$"), ComponentContext())
    assert caught.value.code == "parse.invalid_data"
    assert f"the JSON data nests deeper than the 64 levels allowed ({levels} levels;" in str(
        caught.value
    )


def test_json_data_within_the_context_s_limit_is_parsed() -> None:
    data = '{"a": [[1]]}'  # 3 levels
    within = run(ParseInput(data=data, query="$.a[0][0]"), ComponentContext(max_json_depth=8))
    with pytest.raises(ComponentFailed) as caught:
        run(
            ParseInput(data='{"a": [[[[[[[[1]]]]]]]]}', query="$"),
            ComponentContext(max_json_depth=8),
        )
    assert within.value == 1
    assert caught.value.code == "parse.invalid_data"


def test_regex_over_deep_text_is_not_a_json_matter() -> None:
    text = "[" * 1000
    found = run(ParseInput(data=text, method="regex", query=r"\[{3}"), ComponentContext())
    assert found.value == "[[["
