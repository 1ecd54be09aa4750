from __future__ import annotations

import pytest

from automations.api.errors import BadRequest
from automations.api.querystring import nested_param


def test_documented_array_filter_keys() -> None:
    params = {
        "limit": ["50"],
        "filters[0][fieldId]": ["4"],
        "filters[0][value][at]": ["2015-10-27T00:00:00+03:00"],
        "filters[0][value][to]": ["2015-11-19T23:59:59+03:00"],
        "filters[1][fieldId]": ["15"],
        "filters[1][value][0][catalogId]": ["18"],
        "filters[1][value][0][recordId]": ["9"],
        "filters[1][value][1][catalogId]": ["18"],
        "filters[1][value][1][recordId]": ["10"],
    }
    assert nested_param(params, "filters") == [
        {
            "fieldId": "4",
            "value": {"at": "2015-10-27T00:00:00+03:00", "to": "2015-11-19T23:59:59+03:00"},
        },
        {
            "fieldId": "15",
            "value": [{"catalogId": "18", "recordId": "9"}, {"catalogId": "18", "recordId": "10"}],
        },
    ]


def test_appending_brackets_and_absence() -> None:
    params = {"filters[0][value][]": ["1", "2"], "filters[0][fieldId]": ["5"]}
    assert nested_param(params, "filters") == [{"value": ["1", "2"], "fieldId": "5"}]
    assert nested_param({"limit": ["1"], "filtersX": ["1"]}, "filters") is None


@pytest.mark.parametrize(
    "params",
    [
        {"filters[0]x": ["1"]},
        {"filters" + "[a]" * 20: ["1"]},
        {"filters[99999][fieldId]": ["1"]},
        {f"filters[{i}][fieldId]": ["1"] for i in range(600)},
        {"filters[0]": ["1"], "filters[0][fieldId]": ["2"]},
    ],
)
def test_hostile_keys_are_refused(params: dict[str, list[str]]) -> None:
    with pytest.raises(BadRequest):
        nested_param(params, "filters")
