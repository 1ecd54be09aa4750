"""`/api/v1/catalogs/{catalogId}/records` through `app.resolve`: routes, filters, paging, sorting."""

from __future__ import annotations

import json
from typing import Any

import pytest


def _add(api: Any, catalog_id: str, values: dict[str, Any]) -> str:
    answer = api.call("POST", f"/api/v1/catalogs/{catalog_id}/records", {"values": values})
    assert answer.status == 200, answer.body
    return str(answer.body["id"])


@pytest.fixture
def orders(api: Any) -> tuple[Any, str, list[str]]:
    catalog_id = api.catalog()
    ids = [
        _add(api, catalog_id, {"1": "Иван", "2": 30, "3": ["1"], "4": "2024-01-15T10:00:00Z"}),
        _add(api, catalog_id, {"1": "Пётр", "2": 10, "3": ["2"], "4": "2024-02-01T00:00:00.000Z"}),
        _add(api, catalog_id, {"1": "иваныч", "2": 20, "3": ["1", "2"]}),
    ]
    return api, catalog_id, ids


def test_create_answers_the_id_and_get_reads_it_back(api: Any) -> None:
    catalog_id = api.catalog()
    answer = api.call(
        "POST",
        f"/api/v1/catalogs/{catalog_id}/records",
        {"values": {"1": "Text", "2": 333, "3": ["1"], "4": "2015-11-06T21:00:00.000Z"}},
    )
    record = api.call("GET", f"/api/v1/catalogs/{catalog_id}/records/{answer.body['id']}")
    assert (answer.status, list(answer.body)) == (200, ["id"])
    assert record.body["values"] == {
        "1": "Text",
        "2": 333,
        "3": ["1"],
        "4": "2015-11-06T21:00:00.000Z",
    }
    assert (record.body["id"], record.body["title"], record.body["catalogId"]) == (
        answer.body["id"],
        "Text",
        catalog_id,
    )


def test_list_is_newest_first_with_documented_shape(orders: tuple[Any, str, list[str]]) -> None:
    api, catalog_id, ids = orders
    answer = api.call("GET", f"/api/v1/catalogs/{catalog_id}/records")
    assert [r["id"] for r in answer.body] == ids[::-1]
    assert {"id", "title", "values"} <= set(answer.body[0])


def test_limit_offset_and_sorting(orders: tuple[Any, str, list[str]]) -> None:
    api, catalog_id, _ = orders
    ascending = api.call("GET", f"/api/v1/catalogs/{catalog_id}/records", query={"sortField": "2"})
    descending = api.call(
        "GET",
        f"/api/v1/catalogs/{catalog_id}/records",
        query={"sortField": "2", "sortType": "-1", "limit": "2", "offset": "1"},
    )
    assert [r["values"]["2"] for r in ascending.body] == [10, 20, 30]
    assert [r["values"]["2"] for r in descending.body] == [20, 10]


def test_filters_in_the_array_format(orders: tuple[Any, str, list[str]]) -> None:
    api, catalog_id, ids = orders
    query = {
        "filters[0][fieldId]": "1",
        "filters[0][value]": "ИВАН",
        "filters[1][fieldId]": "2",
        "filters[1][value][at]": "25",
        "filters[1][value][to]": "100",
    }
    answer = api.call("GET", f"/api/v1/catalogs/{catalog_id}/records", query=query)
    assert [r["id"] for r in answer.body] == [ids[0]]


def test_filters_in_the_json_format_with_or(orders: tuple[Any, str, list[str]]) -> None:
    api, catalog_id, ids = orders
    filters = {"$or": [{"3": ["2"]}, {"4": {"at": "2024-01-15", "to": "2024-01-15"}}]}
    answer = api.call(
        "GET",
        f"/api/v1/catalogs/{catalog_id}/records",
        query={"filters": json.dumps(filters), "timezoneOffset": "180"},
    )
    assert sorted(r["id"] for r in answer.body) == sorted(ids)
    only_both = api.call(
        "GET",
        f"/api/v1/catalogs/{catalog_id}/records",
        query={"filters": json.dumps({"3": {"$and": [["1"], ["2"]]}})},
    )
    assert [r["id"] for r in only_both.body] == [ids[2]]


def test_filters_that_are_not_json_or_nest_too_deep_are_refused_with_where(
    orders: tuple[Any, str, list[str]],
) -> None:
    api, catalog_id, _ = orders
    path = f"/api/v1/catalogs/{catalog_id}/records"
    broken = api.call("GET", path, query={"filters": '{"1": "x",}'})
    deep = api.call("GET", path, query={"filters": "[" * 200 + "]" * 200})
    assert broken.status == 400 and "filters: malformed JSON at character 11" in str(broken.body)
    assert deep.status == 400 and "the filters parameter nests deeper than the 64" in str(deep.body)


def test_id_search_text_and_fields(orders: tuple[Any, str, list[str]]) -> None:
    api, catalog_id, ids = orders
    by_id = api.call(
        "GET", f"/api/v1/catalogs/{catalog_id}/records", query={"id": [ids[0], ids[2]]}
    )
    by_text = api.call("GET", f"/api/v1/catalogs/{catalog_id}/records", query={"searchText": "пёт"})
    some_fields = api.call(
        "GET",
        f"/api/v1/catalogs/{catalog_id}/records/{ids[0]}",
        query={"fields": '["2", {"fieldId": 3}]'},
    )
    assert sorted(r["id"] for r in by_id.body) == sorted([ids[0], ids[2]])
    assert [r["id"] for r in by_text.body] == [ids[1]]
    assert some_fields.body["values"] == {"2": 30, "3": ["1"]}


def test_patch_changes_only_given_fields_and_raises_an_event(
    orders: tuple[Any, str, list[str]],
) -> None:
    api, catalog_id, ids = orders
    answer = api.call(
        "PATCH", f"/api/v1/catalogs/{catalog_id}/records/{ids[1]}", {"values": {"2": 11}}
    )
    record = api.call("GET", f"/api/v1/catalogs/{catalog_id}/records/{ids[1]}").body
    assert answer.status == 200
    assert record["values"]["2"] == 11 and record["values"]["1"] == "Пётр"
    last = api.events()[-1]
    assert (last.type, last.values, last.prev_values["2"]) == (
        "$record.after.update",
        {"2": 11},
        10,
    )


def test_delete_removes_and_raises_an_event(orders: tuple[Any, str, list[str]]) -> None:
    api, catalog_id, ids = orders
    answer = api.call("DELETE", f"/api/v1/catalogs/{catalog_id}/records/{ids[0]}")
    assert answer.status == 200
    assert api.call("GET", f"/api/v1/catalogs/{catalog_id}/records/{ids[0]}").status == 404
    assert api.events()[-1].type == "$record.after.delete"


def test_writes_record_the_user_in_the_event(api: Any) -> None:
    catalog_id = api.catalog()
    _add(api, catalog_id, {"1": "x"})
    assert api.events()[0].user_id == "1"
